import { Alert, Anchor, Button, Card, Loader, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconDeviceMobileMessage } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { FormError, Loading, QueryError } from '../../components/feedback.tsx';
import { useCompletePayment, usePaymentIntent } from './online-payments.ts';
import { useFailureText } from '../saved-cards/SavedCardsList.tsx';
import { usePortalFormat } from './parts.tsx';

/**
 * Where an online payment stands: "check your phone" while M-PESA waits for the PIN (asked about
 * every 3 s), then paid or not. Back from bKash's or Stripe's page, the server is asked to finish
 * the payment once: the redirect's own "success" proves nothing.
 */
export default function PaymentStatusPage() {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const failureText = useFailureText();
  const { id } = useParams<{ id: string }>();
  const [params] = useSearchParams();
  const intent = usePaymentIntent(id!);
  const complete = useCompletePayment(id!);
  const returned = params.has('paymentID') || params.has('status');
  const asked = useRef(false);
  useEffect(() => {
    if (returned && !asked.current) {
      asked.current = true;
      complete.mutate();
    }
  }, [returned, complete]);

  if (intent.isPending) return <Loading />;
  if (intent.isError) return <QueryError error={intent.error} />;
  const p = intent.data;
  const amount = format.money(p.amount, p.currency);
  const again = p.invoiceId ? `/portal/pay?invoice=${p.invoiceId}` : '/portal/pay';
  return (
    <Stack>
      <Title order={2}>{t('portalPay.statusTitle')}</Title>
      {p.status === 'pending' && (
        <Card withBorder>
          <Stack align="center" gap="sm" py="md">
            {p.method === 'mpesa' ? <IconDeviceMobileMessage size={48} /> : <Loader />}
            <Title order={3} ta="center">
              {p.method === 'mpesa' ? t('portalPay.checkPhone') : t('portalPay.waiting')}
            </Title>
            <Text ta="center" c="dimmed">
              {p.method === 'mpesa' ? t('portalPay.enterPin', { amount }) : t('portalPay.waitingHint', { amount })}
            </Text>
            {p.method === 'mpesa' && <Loader size="sm" aria-label={t('portalPay.waiting')} />}
          </Stack>
        </Card>
      )}
      {p.status === 'paid' && (
        <Alert color="teal" icon={<IconCircleCheck />} title={t('portalPay.paid')}>
          <Stack gap="xs">
            <Text>{t('portalPay.paidDetail', { amount })}</Text>
            {p.invoiceId ? (
              <Anchor component={Link} to={`/portal/invoices/${p.invoiceId}`}>
                {t('portalPay.seeInvoice')}
              </Anchor>
            ) : (
              <Anchor component={Link} to="/portal/wallet">
                {t('portalPay.seeWallet')}
              </Anchor>
            )}
            <Anchor component={Link} to="/portal/receipts">
              {t('portalPay.seeReceipts')}
            </Anchor>
          </Stack>
        </Alert>
      )}
      {(p.status === 'failed' || p.status === 'expired') && (
        <Alert color="red" title={p.status === 'expired' ? t('portalPay.expired') : t('portalPay.failed')}>
          <Stack gap="xs">
            <Text>{failureText(p.failureCode, p.failureMessage)}</Text>
            <Button component={Link} to={again} variant="light">
              {t('portalPay.tryAgain')}
            </Button>
          </Stack>
        </Alert>
      )}
      <FormError error={complete.error} />
    </Stack>
  );
}
