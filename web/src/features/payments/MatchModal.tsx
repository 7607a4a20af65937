import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useMoney } from '../invoices/InvoiceParts.tsx';
import { SubscriberPicker } from '../invoices/SubscriberPicker.tsx';
import type { Payment } from './model.ts';

/** Matching a payment waiting in suspense: pick the subscriber it was meant for; it pays what they owe. */
export function MatchModal({ payment, onClose }: { payment: Payment; onClose: () => void }) {
  const { t } = useTranslation();
  const money = useMoney();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [subscriber, setSubscriber] = useState<string | null>(null);
  const [memo, setMemo] = useState('');
  const match = useMutation({
    mutationFn: () => unwrap(api.POST('/api/payments/{id}/match', { params: { path: { id: payment.id } }, body: { subscriberId: subscriber ?? '', memo: memo.trim() || undefined } })),
    onSuccess: async (matched) => {
      notify.success(t('payments.match.done', { number: matched.receiptNumber, name: matched.subscriberName ?? '' }));
      await Promise.all(['payments', 'invoices', 'wallet'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    match.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={t('payments.match.title', { number: payment.receiptNumber })}>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">
            {money(payment.amount, payment.currency)} · <span dir="ltr">{payment.reference ?? payment.transactionId}</span>
            {payment.payerName || payment.payerPhone ? ` · ${payment.payerName ?? ''} ${payment.payerPhone ?? ''}` : ''}
          </Text>
          <FormError error={match.error} />
          <SubscriberPicker value={subscriber} onChange={setSubscriber} error={fieldError(match.error, 'subscriberId')} />
          <TextInput label={t('payments.memo')} value={memo} onChange={(e) => setMemo(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={match.isPending} disabled={!subscriber}>
              {t('payments.match.confirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
