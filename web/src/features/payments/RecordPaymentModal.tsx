import { Alert, Button, Collapse, Group, Modal, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconCheck, IconReceipt } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { useMoney } from '../invoices/InvoiceParts.tsx';
import { SubscriberPicker } from '../invoices/SubscriberPicker.tsx';
import { staffMethods, type StaffMethod } from './model.ts';
import { downloadReceipt } from './PaymentParts.tsx';

type Recorded = Schemas['RecordedPayment'];

/** What was recorded: the receipt to download or print, what it paid and the wallet after. */
function Done({ payment, onAnother, onClose }: { payment: Recorded; onAnother: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const money = useMoney();
  const notify = useNotify();
  const paid = payment.allocations.map((a) => `${a.invoiceNumber ?? ''} ${money(a.amount, payment.currency)}`).join(', ');
  return (
    <Stack>
      <Alert color="teal" icon={<IconCheck size={18} />} title={t('payments.record.done', { number: payment.receiptNumber })}>
        <Text size="sm">{t('payments.record.amountOf', { amount: money(payment.amount, payment.currency), name: payment.subscriberName ?? '' })}</Text>
        <Text size="sm">{paid ? t('payments.record.paid', { invoices: paid }) : t('payments.record.paidNothing')}</Text>
        {payment.walletBalance && <Text size="sm">{t('payments.walletAfter', { amount: money(payment.walletBalance, payment.currency) })}</Text>}
      </Alert>
      <Group grow>
        <Button leftSection={<IconReceipt size={16} />} onClick={() => downloadReceipt(payment).catch(notify.failure)}>
          {t('payments.downloadReceipt')}
        </Button>
      </Group>
      <Group justify="space-between">
        <Button variant="default" onClick={onAnother}>
          {t('payments.record.another')}
        </Button>
        <Button variant="subtle" onClick={onClose}>
          {t('common.done')}
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * Recording a payment at the counter in three taps on a phone: find the subscriber, the amount is
 * what they owe, confirm (cash unless told). The rest (method, reference, date, memo) is one tap away.
 */
export function RecordPaymentModal({ subscriberId, onClose }: { subscriberId?: string; onClose: () => void }) {
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 48em)');
  const queryClient = useQueryClient();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [subscriber, setSubscriber] = useState<string | null>(subscriberId ?? null);
  const [amount, setAmount] = useState('');
  const [touched, setTouched] = useState(false);
  const [method, setMethod] = useState<StaffMethod>('cash');
  const [reference, setReference] = useState('');
  const [provider, setProvider] = useState('mpesa');
  const [chequeNumber, setChequeNumber] = useState('');
  const [bank, setBank] = useState('');
  const [receivedAt, setReceivedAt] = useState('');
  const [memo, setMemo] = useState('');
  const [more, setMore] = useState(false);
  const [done, setDone] = useState<Recorded | null>(null);
  const wallet = useQuery({
    queryKey: ['wallet', subscriber],
    queryFn: () => unwrap(api.GET('/api/subscribers/{id}/wallet', { params: { path: { id: subscriber! }, query: {} } })),
    enabled: !!subscriber,
  });
  // The amount owed, until the user types their own.
  useEffect(() => {
    if (!touched && wallet.data) setAmount(Number(wallet.data.owed) > 0 ? wallet.data.owed : '');
  }, [wallet.data, touched]);
  const record = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/payments', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: {
            subscriberId: subscriber ?? '',
            method,
            amount: amount.trim(),
            reference: reference.trim() || undefined,
            provider: method === 'mobile_transfer' ? provider.trim() : undefined,
            chequeNumber: method === 'cheque' ? chequeNumber.trim() || undefined : undefined,
            bank: method === 'cheque' || method === 'bank_transfer' ? bank.trim() || undefined : undefined,
            receivedAt: receivedAt ? new Date(receivedAt).toISOString() : undefined,
            memo: memo.trim() || undefined,
          },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (payment) => {
      setDone(payment);
      await Promise.all(['payments', 'invoices', 'wallet', 'subscriptions'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    },
  });
  const again = () => {
    setDone(null);
    setSubscriber(subscriberId ?? null);
    setAmount('');
    setTouched(false);
    setReference('');
    setMemo('');
    record.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    record.mutate();
  };
  const err = record.error;
  const referenceLabel = t(`payments.record.referenceFor.${method}`);
  return (
    <Modal opened onClose={onClose} title={t('payments.record.title')} size="lg" fullScreen={phone}>
      {done ? (
        <Done payment={done} onAnother={again} onClose={onClose} />
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <FormError error={err} />
            {!subscriberId && <SubscriberPicker value={subscriber} onChange={setSubscriber} error={fieldError(err, 'subscriberId')} />}
            {wallet.data && (
              <Text size="sm" c="dimmed">
                {t('payments.record.owes', { owed: wallet.data.owed, balance: wallet.data.balance, currency: wallet.data.currency })}
              </Text>
            )}
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <TextInput
                label={t('payments.amount')}
                value={amount}
                onChange={(e) => {
                  setTouched(true);
                  setAmount(e.currentTarget.value);
                }}
                inputMode="decimal"
                dir="ltr"
                required
                rightSection={<Text size="xs">{wallet.data?.currency ?? ''}</Text>}
                rightSectionWidth={48}
                error={fieldError(err, 'amount')}
              />
              <Select
                label={t('payments.method')}
                data={staffMethods.map((m) => ({ value: m, label: t(`payments.channel.${m}`) }))}
                value={method}
                onChange={(v) => v && setMethod(v as StaffMethod)}
                allowDeselect={false}
                error={fieldError(err, 'method')}
              />
            </SimpleGrid>
            {method !== 'cash' && (
              <SimpleGrid cols={{ base: 1, xs: 2 }}>
                <TextInput label={referenceLabel} value={reference} onChange={(e) => setReference(e.currentTarget.value)} dir="ltr" required error={fieldError(err, 'reference')} />
                {method === 'mobile_transfer' && <TextInput label={t('payments.provider')} value={provider} onChange={(e) => setProvider(e.currentTarget.value)} dir="ltr" required error={fieldError(err, 'provider')} />}
                {method === 'cheque' && <TextInput label={t('payments.chequeNumber')} value={chequeNumber} onChange={(e) => setChequeNumber(e.currentTarget.value)} dir="ltr" error={fieldError(err, 'chequeNumber')} />}
                {(method === 'cheque' || method === 'bank_transfer') && <TextInput label={t('payments.bank')} value={bank} onChange={(e) => setBank(e.currentTarget.value)} error={fieldError(err, 'bank')} />}
              </SimpleGrid>
            )}
            <Button variant="subtle" size="compact-sm" onClick={() => setMore((m) => !m)} style={{ alignSelf: 'flex-start' }}>
              {more ? t('payments.record.fewer') : t('payments.record.more')}
            </Button>
            <Collapse expanded={more}>
              <Stack>
                {method === 'cash' && <TextInput label={referenceLabel} value={reference} onChange={(e) => setReference(e.currentTarget.value)} dir="ltr" error={fieldError(err, 'reference')} />}
                <TextInput type="datetime-local" label={t('payments.receivedAt')} value={receivedAt} onChange={(e) => setReceivedAt(e.currentTarget.value)} error={fieldError(err, 'receivedAt')} />
                <Textarea label={t('payments.memo')} value={memo} onChange={(e) => setMemo(e.currentTarget.value)} autosize minRows={2} error={fieldError(err, 'memo')} />
              </Stack>
            </Collapse>
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={record.isPending} disabled={!subscriber}>
                {t('payments.record.confirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
