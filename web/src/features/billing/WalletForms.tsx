import { Button, Checkbox, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { isZeroDecimal } from '../invoices/model.ts';
import { formatAmount } from '../plans/model.ts';

type Wallet = Schemas['Wallet'];

function useRefresh(subscriberId: string) {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: ['wallet', subscriberId] });
    await queryClient.invalidateQueries({ queryKey: ['invoices'] });
    await queryClient.invalidateQueries({ queryKey: ['subscriptions'] });
  };
}

/** Cash received at the counter: into the wallet, then (by default) onto the oldest unpaid invoices. */
export function TopUpModal({ wallet, onClose }: { wallet: Wallet; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const notify = useNotify();
  const refresh = useRefresh(wallet.subscriberId);
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [memo, setMemo] = useState('');
  const [payInvoices, setPayInvoices] = useState(true);
  const money = (value: string) => formatAmount(value, wallet.currency, i18n.language);
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/subscribers/{id}/wallet/top-ups', {
          params: { path: { id: wallet.subscriberId } },
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { currency: wallet.currency, amount: amount.trim(), reference: reference.trim(), memo: memo.trim() || undefined, payInvoices },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (r) => {
      notify.success(isZeroDecimal(r.invoicesPaid) ? t('wallet.toppedUp', { amount: money(amount.trim()) }) : t('wallet.toppedUpAndPaid', { amount: money(amount.trim()), paid: money(r.invoicesPaid) }));
      await refresh();
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('wallet.topUpTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <Stack>
          <FormError error={run.error} />
          <TextInput label={t('wallet.amountIn', { currency: wallet.currency })} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={fieldError(run.error, 'amount')} inputMode="decimal" required dir="ltr" data-autofocus />
          <TextInput label={t('wallet.reference')} description={t('wallet.referenceHelp')} value={reference} onChange={(e) => setReference(e.currentTarget.value)} error={fieldError(run.error, 'reference')} required dir="ltr" />
          <TextInput label={t('wallet.memo')} value={memo} onChange={(e) => setMemo(e.currentTarget.value)} error={fieldError(run.error, 'memo')} />
          <Checkbox label={t('wallet.payInvoices')} checked={payInvoices} onChange={(e) => setPayInvoices(e.currentTarget.checked)} />
          {!isZeroDecimal(wallet.owed) && <Text size="sm">{t('wallet.owedNow', { amount: money(wallet.owed) })}</Text>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={run.isPending}>
              {t('wallet.record')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** How far below zero the wallet may go (postpaid customers on credit). */
export function CreditLimitModal({ wallet, onClose }: { wallet: Wallet; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const refresh = useRefresh(wallet.subscriberId);
  const [creditLimit, setCreditLimit] = useState(wallet.creditLimit);
  const run = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/subscribers/{id}/wallet/credit-limit', { params: { path: { id: wallet.subscriberId } }, body: { currency: wallet.currency, creditLimit: creditLimit.trim() } })),
    onSuccess: async () => {
      notify.success(t('wallet.creditLimitSaved'));
      await refresh();
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('wallet.changeCreditLimit')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <Stack>
          <FormError error={run.error} />
          <TextInput label={t('wallet.amountIn', { currency: wallet.currency })} description={t('wallet.creditLimitHelp')} value={creditLimit} onChange={(e) => setCreditLimit(e.currentTarget.value)} error={fieldError(run.error, 'creditLimit')} inputMode="decimal" required dir="ltr" data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={run.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
