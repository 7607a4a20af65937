import { Button, Checkbox, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { useMoney } from '../invoices/InvoiceParts.tsx';
import type { PaymentStanding } from './model.ts';

/** Channels staff record by hand: their money goes back in cash or by bank, not through a gateway's API. */
const staffChannels: readonly string[] = ['cash', 'bank_transfer', 'cheque', 'mobile_transfer', 'card'];

function Dialog({ title, onClose, onSubmit, pending, error, submitLabel, color, disabled, children }: {
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  color?: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened onClose={onClose} title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack>
          <FormError error={error} />
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" color={color} loading={pending} disabled={disabled}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Refund of a payment: cash or bank back to the payer (optionally crediting a paid invoice first), or to the wallet by a credit note. */
export function RefundModal({ payment, onClose }: { payment: PaymentStanding; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const money = useMoney();
  const queryClient = useQueryClient();
  const [key, renewKey] = useIdempotencyKey();
  const [destination, setDestination] = useState<'cash' | 'bank' | 'gateway' | 'wallet'>('cash');
  // A payment that came through a gateway can go back the same way.
  const destinations = ['cash', 'bank', ...(staffChannels.includes(payment.channel) ? [] : (['gateway'] as const)), 'wallet'] as const;
  const [amount, setAmount] = useState(payment.refundable);
  const [reason, setReason] = useState('');
  const [invoiceId, setInvoiceId] = useState<string | null>(payment.invoiceIds[0] ?? null);
  const [creditFirst, setCreditFirst] = useState(false);
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/payments/{id}/refunds', {
          params: { path: { id: payment.id } },
          headers: { 'Idempotency-Key': key },
          body:
            destination === 'wallet'
              ? { destination, invoiceId: invoiceId ?? '', reason }
              : destination === 'gateway'
                ? { destination, amount, reason }
                : { destination, amount, reason, ...(creditFirst && invoiceId ? { creditNote: { invoiceId } } : {}) },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (done) => {
      notify.success(t('paymentCases.refund.done', { amount: money(done.reversal.amount, done.reversal.currency) }));
      await queryClient.invalidateQueries({ queryKey: ['payment-cases'] });
      await queryClient.invalidateQueries({ queryKey: ['payments'] });
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
      onClose();
    },
  });
  const invoices = payment.invoiceIds.map((id, i) => ({ value: id, label: t('paymentCases.refund.invoiceN', { n: i + 1 }) }));
  return (
    <Dialog title={t('paymentCases.refund.title', { receipt: payment.receiptNo })} onClose={onClose} onSubmit={() => run.mutate()} pending={run.isPending} error={run.error} submitLabel={t('paymentCases.refund.submit')} disabled={!reason.trim()}>
      <Text size="sm">{t('paymentCases.refund.refundable', { amount: money(payment.refundable, payment.currency) })}</Text>
      <SegmentedControl
        fullWidth
        value={destination}
        onChange={(v) => setDestination(v as typeof destination)}
        data={destinations.map((d) => ({ value: d, label: t(`paymentCases.destination.${d}`) }))}
      />
      {destination === 'wallet' ? (
        <>
          <Text size="sm" c="dimmed">
            {t('paymentCases.refund.walletHelp')}
          </Text>
          <Select label={t('paymentCases.refund.invoice')} data={invoices} value={invoiceId} onChange={setInvoiceId} error={fieldError(run.error, 'invoiceId')} allowDeselect={false} />
        </>
      ) : (
        <>
          <TextInput label={t('paymentCases.amount')} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={fieldError(run.error, 'amount')} inputMode="decimal" dir="ltr" required rightSection={<Text size="xs">{payment.currency}</Text>} />
          {destination !== 'gateway' && invoices.length > 0 && <Checkbox label={t('paymentCases.refund.creditFirst')} checked={creditFirst} onChange={(e) => setCreditFirst(e.currentTarget.checked)} />}
          {creditFirst && <Select label={t('paymentCases.refund.invoice')} data={invoices} value={invoiceId} onChange={setInvoiceId} allowDeselect={false} />}
        </>
      )}
      <Textarea label={t('paymentCases.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(run.error, 'reason')} required autosize minRows={2} />
    </Dialog>
  );
}

/** A chargeback the bank or gateway notified: the whole unrefunded payment, or the amount given. */
export function ChargebackModal({ payment, onClose }: { payment: PaymentStanding; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [key, renewKey] = useIdempotencyKey();
  const [amount, setAmount] = useState(payment.refundable);
  const [reason, setReason] = useState('');
  const [caseNo, setCaseNo] = useState('');
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/payments/{id}/chargebacks', {
          params: { path: { id: payment.id } },
          headers: { 'Idempotency-Key': key },
          body: { amount, reason, ...(caseNo.trim() ? { key: caseNo.trim() } : {}) },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async () => {
      notify.success(t('paymentCases.chargeback.done'));
      await queryClient.invalidateQueries({ queryKey: ['payment-cases'] });
      await queryClient.invalidateQueries({ queryKey: ['payments'] });
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
      onClose();
    },
  });
  return (
    <Dialog title={t('paymentCases.chargeback.title', { receipt: payment.receiptNo })} onClose={onClose} onSubmit={() => run.mutate()} pending={run.isPending} error={run.error} submitLabel={t('paymentCases.chargeback.submit')} color="red" disabled={!reason.trim()}>
      <Text size="sm">{t('paymentCases.chargeback.help')}</Text>
      <TextInput label={t('paymentCases.amount')} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={fieldError(run.error, 'amount')} inputMode="decimal" dir="ltr" required />
      <TextInput label={t('paymentCases.chargeback.caseNo')} value={caseNo} onChange={(e) => setCaseNo(e.currentTarget.value)} dir="ltr" />
      <Textarea label={t('paymentCases.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required autosize minRows={2} />
    </Dialog>
  );
}

export function WriteOffModal({ invoice, onClose }: { invoice: { id: string; number: string | null; balanceDue: string; currency: string }; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const money = useMoney();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/api/invoices/{id}/write-off', { params: { path: { id: invoice.id } }, body: { reason } })),
    onSuccess: async (w) => {
      notify.success(t('paymentCases.writeOff.done', { amount: money(w.amount, w.currency) }));
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
      onClose();
    },
  });
  return (
    <Dialog title={t('paymentCases.writeOff.title', { number: invoice.number ?? '' })} onClose={onClose} onSubmit={() => run.mutate()} pending={run.isPending} error={run.error} submitLabel={t('paymentCases.writeOff.submit')} color="red" disabled={!reason.trim()}>
      <Text size="sm">{t('paymentCases.writeOff.help', { amount: money(invoice.balanceDue, invoice.currency) })}</Text>
      <Textarea label={t('paymentCases.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(run.error, 'reason')} required autosize minRows={2} data-autofocus />
    </Dialog>
  );
}

export function OpenDisputeModal({ invoiceId, paymentId, onClose, onOpened }: { invoiceId?: string; paymentId?: string; onClose: () => void; onOpened: (id: string) => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [key, renewKey] = useIdempotencyKey();
  const [subject, setSubject] = useState('');
  const [note, setNote] = useState('');
  const [hold, setHold] = useState(Boolean(invoiceId));
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/disputes', {
          headers: { 'Idempotency-Key': key },
          body: { invoiceId, paymentId, subject, holdCollections: Boolean(invoiceId) && hold, ...(note.trim() ? { note } : {}) },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (d) => {
      notify.success(t('paymentCases.dispute.opened'));
      await queryClient.invalidateQueries({ queryKey: ['payment-cases'] });
      onOpened(d.id);
    },
  });
  return (
    <Dialog title={t('paymentCases.dispute.open')} onClose={onClose} onSubmit={() => run.mutate()} pending={run.isPending} error={run.error} submitLabel={t('paymentCases.dispute.open')} disabled={!subject.trim()}>
      <TextInput label={t('paymentCases.dispute.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} error={fieldError(run.error, 'subject')} required data-autofocus />
      <Textarea label={t('paymentCases.dispute.complaint')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={3} />
      {invoiceId && <Switch label={t('paymentCases.dispute.hold')} description={t('paymentCases.dispute.holdHelp')} checked={hold} onChange={(e) => setHold(e.currentTarget.checked)} />}
    </Dialog>
  );
}

/** A plan over the subscriber's unpaid invoices, starting with the one it was opened from. */
export function NewPlanModal({ subscriberId, invoiceId, onClose, onCreated }: { subscriberId: string; invoiceId: string; onClose: () => void; onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const money = useMoney();
  const queryClient = useQueryClient();
  const unpaid = useQuery({
    queryKey: ['invoices', 'list', 'unpaid', subscriberId],
    queryFn: () => unwrap(api.GET('/api/invoices', { params: { query: { subscriberId, status: ['open', 'partially_paid', 'overdue'], kind: 'invoice', limit: 50 } } })),
  });
  const [picked, setPicked] = useState<Set<string>>(new Set([invoiceId]));
  const [count, setCount] = useState<number>(3);
  const [firstDue, setFirstDue] = useState(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
  const [frequency, setFrequency] = useState<'weekly' | 'biweekly' | 'monthly'>('monthly');
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/api/installment-plans', { body: { subscriberId, invoiceIds: [...picked], count, firstDue, frequency, remainder: 'last', graceDays: 3, note: '' } })),
    onSuccess: async (plan) => {
      notify.success(t('paymentCases.plan.created'));
      await queryClient.invalidateQueries({ queryKey: ['payment-cases'] });
      onCreated(plan.id);
    },
  });
  return (
    <Dialog title={t('paymentCases.plan.new')} onClose={onClose} onSubmit={() => run.mutate()} pending={run.isPending} error={run.error} submitLabel={t('paymentCases.plan.create')} disabled={picked.size === 0}>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          {t('paymentCases.plan.invoices')}
        </Text>
        {(unpaid.data?.items ?? []).map((i) => (
          <Checkbox
            key={i.id}
            label={`${i.number ?? ''} · ${money(i.balanceDue, i.currency)}`}
            checked={picked.has(i.id)}
            onChange={(e) => {
              const next = new Set(picked);
              if (e.currentTarget.checked) next.add(i.id);
              else next.delete(i.id);
              setPicked(next);
            }}
          />
        ))}
      </Stack>
      <NumberInput label={t('paymentCases.plan.count')} value={count} onChange={(n) => setCount(Number(n))} min={1} max={60} error={fieldError(run.error, 'count')} />
      <TextInput label={t('paymentCases.plan.firstDue')} type="date" value={firstDue} onChange={(e) => setFirstDue(e.currentTarget.value)} error={fieldError(run.error, 'firstDue')} dir="ltr" />
      <Select
        label={t('paymentCases.plan.frequency')}
        data={(['weekly', 'biweekly', 'monthly'] as const).map((f) => ({ value: f, label: t(`paymentCases.plan.every.${f}`) }))}
        value={frequency}
        onChange={(v) => v && setFrequency(v as typeof frequency)}
        allowDeselect={false}
      />
    </Dialog>
  );
}
