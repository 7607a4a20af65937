import { Alert, Button, Drawer, Group, SimpleGrid, Stack, Table, Text, Title, useDirection } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconArrowsExchange, IconReceipt, IconTrash } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { ConfirmModal, Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { nowrap, useMoney } from '../invoices/InvoiceParts.tsx';
import { MatchModal } from './MatchModal.tsx';
import { channelLabel, staffMethods, type PaymentDetail } from './model.ts';
import { downloadReceipt, PaymentStatusBadge } from './PaymentParts.tsx';

function Field({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {value || '—'}
      </Text>
    </div>
  );
}

function Entries({ payment }: { payment: PaymentDetail }) {
  const { t } = useTranslation();
  const money = useMoney();
  return (
    <Stack gap="sm" aria-label={t('payments.entries')}>
      {payment.entries.map((e) => (
        <div key={e.id}>
          <Text size="sm" fw={500}>
            #{e.seq} · {e.memo}
          </Text>
          <Table withRowBorders={false}>
            <Table.Tbody>
              {e.lines.map((l, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{l.account}</Table.Td>
                  <Table.Td ta="end" style={nowrap}>
                    {money(l.amount, payment.currency)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      ))}
    </Stack>
  );
}

/** One payment: who paid, how, what it paid, its ledger entries; the receipt; match or cancel where that applies. */
export function PaymentDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { dir } = useDirection();
  const phone = useMediaQuery('(max-width: 48em)');
  const can = useCan();
  const format = useFormat();
  const money = useMoney();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [matching, setMatching] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const detail = useQuery({ queryKey: ['payments', 'detail', id], queryFn: () => unwrap(api.GET('/api/payments/{id}', { params: { path: { id: id! } } })), enabled: !!id });
  const p = detail.data;
  const meta = (p?.metadata ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return (
    <Drawer opened={!!id} onClose={onClose} position={dir === 'rtl' ? 'left' : 'right'} size={phone ? '100%' : 'lg'} title={p ? t('payments.title.one', { number: p.receiptNumber }) : t('payments.payment')}>
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <QueryError error={detail.error} />
      ) : (
        p && (
          <Stack>
            <Group justify="space-between">
              <PaymentStatusBadge status={p.status} />
              <Text fw={700} size="lg" style={nowrap}>
                {money(p.amount, p.currency)}
              </Text>
            </Group>
            <Group gap="xs">
              <Button leftSection={<IconReceipt size={16} />} onClick={() => downloadReceipt(p).catch(notify.failure)}>
                {t('payments.downloadReceipt')}
              </Button>
              {p.status === 'unapplied' && can('payments.update') && (
                <Button variant="light" leftSection={<IconArrowsExchange size={16} />} onClick={() => setMatching(true)}>
                  {t('payments.match.action')}
                </Button>
              )}
              {p.status !== 'unapplied' && (
                <Button component={Link} to={`/payments/${p.id}/refunds`} variant="light">
                  {t('paymentCases.payment.open')}
                </Button>
              )}
              {p.status === 'applied' && p.allocations.length === 0 && (staffMethods as readonly string[]).includes(p.channel) && can('payments.delete') && (
                <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={() => setCancelling(true)}>
                  {t('payments.cancel.action')}
                </Button>
              )}
            </Group>
            {p.status === 'unapplied' && <Alert color="orange">{t('payments.unappliedHint')}</Alert>}
            <SimpleGrid cols={{ base: 2, sm: 3 }}>
              <Field label={t('payments.subscriber')} value={p.subscriberName ? `${p.subscriberName} · ${p.accountNumber ?? ''}` : null} />
              <Field label={t('payments.method')} value={channelLabel(p.channel, t)} />
              <Field label={t('payments.receivedAt')} value={format.dateTime(p.receivedAt)} />
              <Field label={t('payments.reference')} value={p.reference} />
              <Field label={t('payments.transactionId')} value={p.transactionId} />
              <Field label={t('payments.collector')} value={p.collectorName} />
              <Field label={t('payments.payer')} value={[p.payerName, p.payerPhone, p.payerEmail].filter(Boolean).join(' · ') || null} />
              {text(meta.chequeNumber) && <Field label={t('payments.chequeNumber')} value={text(meta.chequeNumber)} />}
              {text(meta.bank) && <Field label={t('payments.bank')} value={text(meta.bank)} />}
              {text(meta.provider) && <Field label={t('payments.provider')} value={text(meta.provider)} />}
              {p.walletBalance && <Field label={t('payments.walletNow')} value={money(p.walletBalance, p.currency)} />}
            </SimpleGrid>
            {p.memo && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{p.memo}</Text>}
            <Title order={5}>{t('payments.paidInvoices')}</Title>
            {p.allocations.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('payments.noAllocations')}
              </Text>
            ) : (
              p.allocations.map((a) => (
                <Group key={a.invoiceId} justify="space-between">
                  <Text size="sm" dir="ltr">
                    {a.invoiceNumber}
                  </Text>
                  <Text size="sm" fw={500} style={nowrap}>
                    {money(a.amount, p.currency)}
                  </Text>
                </Group>
              ))
            )}
            <Title order={5}>{t('payments.entries')}</Title>
            <Entries payment={p} />
            {matching && <MatchModal payment={p} onClose={() => setMatching(false)} />}
            <ConfirmModal
              opened={cancelling}
              title={t('payments.cancel.title', { number: p.receiptNumber })}
              message={t('payments.cancel.message')}
              confirmLabel={t('payments.cancel.confirm')}
              onConfirm={async () => {
                await unwrap(api.DELETE('/api/payments/{id}', { params: { path: { id: p.id }, query: {} } }));
                await Promise.all(['payments', 'wallet'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
              }}
              onClose={() => setCancelling(false)}
            />
          </Stack>
        )
      )}
    </Drawer>
  );
}
