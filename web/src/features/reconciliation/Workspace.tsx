import { Badge, Button, Group, Modal, Paper, Radio, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { useCan } from '../auth/session.ts';
import { reconciliation, type StatementLine, type StatementSource, type UnmatchedPayment } from './http.ts';
import { amountDifference } from './model.ts';

type Status = 'unmatched' | 'matched' | 'ignored';

/** Unmatched statement lines beside our unmatched payments: pick one of each and match them, or set a line aside. */
export function Workspace({ source }: { source: StatementSource }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>('unmatched');
  const [lineId, setLineId] = useState<string | null>(null);
  const [paymentId, setPaymentId] = useState<string | null>(null);
  const [ignoring, setIgnoring] = useState<StatementLine | null>(null);
  const lines = useQuery({ queryKey: ['reconciliation', 'lines', source.id, status], queryFn: () => reconciliation.lines(source.id, { status, kind: 'receipt', limit: 200 }) });
  const payments = useQuery({ queryKey: ['reconciliation', 'payments', source.id], queryFn: () => reconciliation.unmatchedPayments(source.id), enabled: status === 'unmatched' });
  const refresh = async () => {
    setLineId(null);
    setPaymentId(null);
    await queryClient.invalidateQueries({ queryKey: ['reconciliation'] });
  };
  const act = useMutation({
    mutationFn: (a: { kind: 'match' | 'unmatch' | 'credit' | 'auto'; lineId?: string }): Promise<unknown> =>
      a.kind === 'match'
        ? reconciliation.match(lineId!, paymentId!)
        : a.kind === 'unmatch'
          ? reconciliation.unmatch(a.lineId!)
          : a.kind === 'credit'
            ? reconciliation.credit(a.lineId!)
            : reconciliation.autoMatch(source.id),
    onSuccess: async (_r, a) => {
      notify.success(t(`reconciliation.done.${a.kind}`));
      await refresh();
    },
  });
  const line = lines.data?.items.find((l) => l.id === lineId);
  const payment = payments.data?.items.find((p) => p.id === paymentId);
  const editable = can('payments.update');
  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          value={status}
          onChange={(v) => {
            setStatus(v as Status);
            setLineId(null);
          }}
          data={(['unmatched', 'matched', 'ignored'] as const).map((s) => ({ value: s, label: t(`reconciliation.status.${s}`) }))}
        />
        {editable && (
          <Button variant="light" loading={act.isPending && act.variables?.kind === 'auto'} onClick={() => act.mutate({ kind: 'auto' })}>
            {t('reconciliation.workspace.auto')}
          </Button>
        )}
      </Group>
      <FormError error={act.error} />
      {status === 'unmatched' && editable && (
        <Paper withBorder p="sm" pos="sticky" top={60} style={{ zIndex: 2 }}>
          <Group justify="space-between" gap="xs">
            <Text size="sm">
              {line && payment
                ? t('reconciliation.workspace.difference', { amount: amountDifference(line.amount, payment.amount) })
                : t('reconciliation.workspace.pick')}
            </Text>
            <Button disabled={!line || !payment} loading={act.isPending && act.variables?.kind === 'match'} onClick={() => act.mutate({ kind: 'match' })}>
              {t('reconciliation.workspace.match')}
            </Button>
          </Group>
        </Paper>
      )}
      <SimpleGrid cols={{ base: 1, md: status === 'unmatched' ? 2 : 1 }}>
        <Stack gap="xs">
          <Title order={4}>{t('reconciliation.workspace.lines')}</Title>
          {lines.isPending && <Loading />}
          {lines.isError && <QueryError error={lines.error} />}
          {lines.data?.items.length === 0 && <Text c="dimmed">{t('reconciliation.workspace.noLines')}</Text>}
          <Radio.Group value={lineId} onChange={setLineId} aria-label={t('reconciliation.workspace.lines')}>
            <Stack gap="xs">
              {lines.data?.items.map((l) => (
                <LineCard
                  key={l.id}
                  line={l}
                  selectable={status === 'unmatched' && editable}
                  actions={
                    editable && (
                      <Group gap="xs">
                        {l.status === 'unmatched' && source.gateway && l.transactionId && (
                          <Button size="xs" variant={l.note === 'lost_callback' ? 'filled' : 'light'} color="orange" onClick={() => act.mutate({ kind: 'credit', lineId: l.id })}>
                            {t('reconciliation.workspace.credit')}
                          </Button>
                        )}
                        {l.status === 'unmatched' && (
                          <Button size="xs" variant="default" onClick={() => setIgnoring(l)}>
                            {t('reconciliation.workspace.ignore')}
                          </Button>
                        )}
                        {l.status !== 'unmatched' && (
                          <Button size="xs" variant="default" onClick={() => act.mutate({ kind: 'unmatch', lineId: l.id })}>
                            {t('reconciliation.workspace.unmatch')}
                          </Button>
                        )}
                      </Group>
                    )
                  }
                />
              ))}
            </Stack>
          </Radio.Group>
        </Stack>
        {status === 'unmatched' && (
          <Stack gap="xs">
            <Title order={4}>{t('reconciliation.workspace.payments')}</Title>
            {payments.isPending && <Loading />}
            {payments.isError && <QueryError error={payments.error} />}
            {payments.data?.items.length === 0 && <Text c="dimmed">{t('reconciliation.workspace.noPayments')}</Text>}
            <Radio.Group value={paymentId} onChange={setPaymentId} aria-label={t('reconciliation.workspace.payments')}>
              <Stack gap="xs">
                {payments.data?.items.map((p) => <PaymentCard key={p.id} payment={p} selectable={editable} />)}
              </Stack>
            </Radio.Group>
          </Stack>
        )}
      </SimpleGrid>
      {ignoring && <IgnoreModal line={ignoring} onClose={() => setIgnoring(null)} onDone={refresh} />}
    </Stack>
  );
}

function LineCard({ line, selectable, actions }: { line: StatementLine; selectable: boolean; actions: ReactNode }) {
  const { t } = useTranslation();
  const label = t('reconciliation.line.title', { amount: line.amount, transaction: line.transactionId ?? line.reference ?? `#${line.line}` });
  return (
    <Paper withBorder p="sm" data-testid={`line-${line.transactionId ?? line.id}`}>
      <Group wrap="nowrap" align="start" gap="sm">
        {selectable && <Radio value={line.id} aria-label={label} />}
        <Stack gap={2}>
          <Text fw={600} dir="ltr" ta="start">
            {line.amount} {line.currency} · {line.transactionId ?? '—'}
          </Text>
          <Text size="sm">{[line.reference, line.payerName, line.payerPhone].filter(Boolean).join(' · ')}</Text>
          <Text size="xs" c="dimmed">
            {new Date(line.postedAt).toLocaleString()} · {t('reconciliation.import.line')} {line.line}
          </Text>
          {line.paymentId && (
            <Text size="sm">
              {t('reconciliation.line.matchedTo', { receipt: line.paymentReceiptNo ?? '', transaction: line.paymentTransactionId ?? '' })}
              {line.difference && /[1-9]/.test(line.difference) && (
                <Badge ml="xs" color="red" variant="light">
                  {t('reconciliation.line.difference', { amount: line.difference })}
                </Badge>
              )}
            </Text>
          )}
          {line.ignoreReason && <Text size="sm">{t('reconciliation.line.ignored', { reason: line.ignoreReason })}</Text>}
          {(line.note || line.matchMethod) && (
            <Group gap={4}>
              {line.note && (
                <Badge color={line.note === 'lost_callback' ? 'orange' : 'yellow'} h="auto" styles={{ label: { whiteSpace: 'normal' } }}>
                  {t(`reconciliation.note.${line.note}`)}
                </Badge>
              )}
              {line.matchMethod && (
                <Badge variant="light" h="auto" styles={{ label: { whiteSpace: 'normal' } }}>
                  {t(`reconciliation.method.${line.matchMethod}`)}
                </Badge>
              )}
            </Group>
          )}
        </Stack>
      </Group>
      {actions && <Group justify="flex-end" mt="xs">{actions}</Group>}
    </Paper>
  );
}

function PaymentCard({ payment, selectable }: { payment: UnmatchedPayment; selectable: boolean }) {
  const { t } = useTranslation();
  const label = t('reconciliation.payment.title', { amount: payment.amount, receipt: payment.receiptNo, transaction: payment.transactionId });
  return (
    <Paper withBorder p="sm">
      <Group wrap="nowrap" align="start" gap="sm">
        {selectable && <Radio value={payment.id} aria-label={label} />}
        <Stack gap={2}>
          <Text fw={600} dir="ltr" ta="start">
            {payment.amount} {payment.currency} · {payment.transactionId}
          </Text>
          <Text size="sm">{[t('reconciliation.payment.receipt', { receipt: payment.receiptNo }), payment.reference, payment.payerName].filter(Boolean).join(' · ')}</Text>
          <Text size="xs" c="dimmed">
            {new Date(payment.receivedAt).toLocaleString()} · {payment.channel}
          </Text>
        </Stack>
      </Group>
    </Paper>
  );
}

function IgnoreModal({ line, onClose, onDone }: { line: StatementLine; onClose: () => void; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const save = useMutation({
    mutationFn: () => reconciliation.ignore(line.id, reason),
    onSuccess: async () => {
      await onDone();
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('reconciliation.workspace.ignore')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <TextInput label={t('reconciliation.workspace.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('reconciliation.workspace.ignore')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
