import { Alert, Anchor, Button, Card, Checkbox, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconArrowLeft, IconDeviceMobile } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { FormError, Loading, QueryError } from '../../components/feedback.tsx';
import { useInvoice, useProfile } from './api.ts';
import { useGateways, useStartPayment } from './online-payments.ts';
import { usePortalFormat } from './parts.tsx';

function InvoiceAmount({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const invoice = useInvoice(id);
  if (!invoice.data) return null;
  return (
    <Text>
      {t('portalPay.forInvoice', { number: invoice.data.number ?? '', amount: format.money(invoice.data.balanceDue, invoice.data.currency) })}
    </Text>
  );
}

/**
 * Paying online: choose how (M-PESA asks for the phone, bKash and Stripe go to their page; Stripe
 * may save the card for automatic payments), for an invoice or a top-up.
 */
export default function PayPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const invoiceId = params.get('invoice');
  const gateways = useGateways();
  const profile = useProfile();
  const start = useStartPayment();
  const [method, setMethod] = useState<string | null>(null);
  const [phone, setPhone] = useState('');
  const [amount, setAmount] = useState('');
  const [saveCard, setSaveCard] = useState(false);
  if (gateways.isPending) return <Loading />;
  if (gateways.isError) return <QueryError error={gateways.error} />;
  const items = gateways.data.items;
  const chosen = items.find((g) => g.kind === (method ?? items[0]?.kind));
  const currency = profile.data?.wallet?.currency ?? '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    const started = await start.mutateAsync({
      method: chosen.kind,
      purpose: invoiceId ? 'invoice' : 'wallet',
      invoiceId: invoiceId ?? undefined,
      amount: invoiceId ? undefined : amount.trim(),
      phone: chosen.needsPhone ? phone.trim() : undefined,
      returnUrl: undefined,
      saveCard: chosen.savesCards ? saveCard : undefined,
    });
    if (started.intent.redirectUrl) window.location.assign(started.intent.redirectUrl);
    else navigate(`/portal/payments/${started.intent.id}`);
  };

  return (
    <Stack>
      <Anchor component={Link} to={invoiceId ? `/portal/invoices/${invoiceId}` : '/portal/wallet'} size="sm">
        <IconArrowLeft size={16} /> {t('portalPay.back')}
      </Anchor>
      <Title order={2}>{invoiceId ? t('portalPay.payInvoice') : t('portalPay.topUp')}</Title>
      {invoiceId && <InvoiceAmount id={invoiceId} />}
      {items.length === 0 ? (
        <Alert color="gray">{t('portalPay.noMethods')}</Alert>
      ) : (
        <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e).catch(() => undefined)}>
          <Stack>
            <Radio.Group label={t('portalPay.method')} value={chosen?.kind ?? null} onChange={setMethod}>
              <Stack gap="xs" mt="xs">
                {items.map((g) => (
                  <Radio key={g.kind} value={g.kind} label={g.label} />
                ))}
              </Stack>
            </Radio.Group>
            {!invoiceId && (
              <TextInput label={t('portalPay.amount', { currency })} inputMode="decimal" required value={amount} onChange={(e) => setAmount(e.currentTarget.value)} />
            )}
            {chosen?.needsPhone && (
              <TextInput
                label={t('portalPay.phone')}
                description={t('portalPay.phoneHint')}
                type="tel"
                autoComplete="tel"
                required
                leftSection={<IconDeviceMobile size={18} />}
                value={phone}
                onChange={(e) => setPhone(e.currentTarget.value)}
              />
            )}
            {chosen?.savesCards && (
              <Checkbox label={t('portalPay.saveCard')} description={t('portalPay.saveCardHint')} checked={saveCard} onChange={(e) => setSaveCard(e.currentTarget.checked)} />
            )}
            <FormError error={start.error} />
            <Button type="submit" loading={start.isPending} fullWidth>
              {chosen?.needsPhone ? t('portalPay.sendRequest') : t('portalPay.continue')}
            </Button>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
