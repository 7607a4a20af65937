import { ActionIcon, Alert, Badge, Button, Drawer, Group, SimpleGrid, Stack, Table, Text, Title, useDirection } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconReceipt } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, downloadCsv, unwrap } from '../../api/client.ts';
import { Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { InvoiceActions } from './InvoiceActions.tsx';
import { InvoiceStatusBadge, nowrap, useCalendarDate, useMoney, usePeriod } from './InvoiceParts.tsx';
import { lineDescription, lineParts, type InvoiceDetail } from './model.ts';

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

function Customer({ invoice }: { invoice: InvoiceDetail }) {
  const { t } = useTranslation();
  const c = invoice.customer as Record<string, string | null | undefined>;
  if (!c.name) return <Text size="sm" c="dimmed">{t('invoices.customerAtIssue')}</Text>;
  return (
    <Stack gap={0} aria-label={t('invoices.billedTo')}>
      <Text fw={500}>{c.companyName ?? c.name}</Text>
      {c.companyName && <Text size="sm">{c.name}</Text>}
      <Text size="sm" dir="ltr" ta="start">
        {c.accountNumber}
      </Text>
      {c.address && <Text size="sm">{c.address}</Text>}
      {c.phone && (
        <Text size="sm" dir="ltr" ta="start">
          {c.phone}
        </Text>
      )}
      {c.email && <Text size="sm">{c.email}</Text>}
    </Stack>
  );
}

function Lines({ invoice }: { invoice: InvoiceDetail }) {
  const { t } = useTranslation();
  const period = usePeriod();
  const moneyOf = useMoney();
  const money = (amount: string) => moneyOf(amount, invoice.currency);
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label={t('invoices.lines')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('invoices.line.description')}</Table.Th>
            <Table.Th>{t('invoices.line.quantity')}</Table.Th>
            <Table.Th>{t('invoices.line.discount')}</Table.Th>
            <Table.Th>{t('invoices.line.net')}</Table.Th>
            <Table.Th>{t('invoices.line.tax')}</Table.Th>
            <Table.Th>{t('invoices.line.gross')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invoice.lines.map((l) => (
            <Table.Tr key={l.lineNo}>
              <Table.Td>
                <Text size="sm">{lineDescription(l, t)}</Text>
                {lineParts(l).map((p, i) => (
                  <Text key={i} size="xs" c="dimmed">
                    {lineDescription({ description: '', descriptionKey: p.descriptionKey, details: p.details }, t)}: {money(p.amount)}
                  </Text>
                ))}
                {l.periodStart && l.periodEnd && (
                  <Text size="xs" c="dimmed">
                    {t('invoices.line.period', period(l.periodStart, l.periodEnd))}
                  </Text>
                )}
              </Table.Td>
              <Table.Td dir="ltr">
                {l.quantity} × {l.unitPrice}
              </Table.Td>
              <Table.Td style={nowrap}>{money(l.discount)}</Table.Td>
              <Table.Td style={nowrap}>{money(l.net)}</Table.Td>
              <Table.Td>{l.taxes.length ? l.taxes.map((x) => `${x.code} ${x.rate}%: ${money(x.amount)}`).join(', ') : '—'}</Table.Td>
              <Table.Td fw={500} style={nowrap}>{money(l.gross)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Totals({ invoice }: { invoice: InvoiceDetail }) {
  const { t } = useTranslation();
  const money = useMoney();
  const rows: [string, string][] = [
    [t('invoices.subtotal'), invoice.subtotal],
    [t('invoices.discount'), invoice.discountTotal],
    ...invoice.taxes.map((x): [string, string] => [t('invoices.taxRow', { code: x.code, rate: x.rate }), x.amount]),
    [t('invoices.total'), invoice.total],
    [t('invoices.amountPaid'), invoice.amountPaid],
    [t('invoices.amountCredited'), invoice.amountCredited],
    [t('invoices.balanceDue'), invoice.balanceDue],
  ];
  return (
    <Table withRowBorders={false} aria-label={t('invoices.totals')} maw={420} ms="auto">
      <Table.Tbody>
        {rows.map(([label, amount], i) => (
          <Table.Tr key={i} fw={i === rows.length - 1 || label === t('invoices.total') ? 700 : undefined}>
            <Table.Td>{label}</Table.Td>
            <Table.Td ta="end" style={nowrap}>{money(amount, invoice.currency)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Payments({ invoice }: { invoice: InvoiceDetail }) {
  const { t } = useTranslation();
  const format = useFormat();
  const money = useMoney();
  const notify = useNotify();
  const receipt = async (allocationId: string) => {
    try {
      await downloadCsv(`/api/invoices/${invoice.id}/receipts/${allocationId}/pdf`, {}, `${invoice.number ?? invoice.id}-${allocationId}.pdf`);
    } catch (err) {
      notify.failure(err);
    }
  };
  if (invoice.allocations.length === 0) return <Text size="sm" c="dimmed">{t('invoices.noPayments')}</Text>;
  return (
    <Stack gap={4} aria-label={t('invoices.payments')}>
      {invoice.allocations.map((a) => (
        <Group key={a.id} justify="space-between" wrap="nowrap">
          <Text size="sm">
            {t(`invoices.paidBy.${a.source}`)} · {format.dateTime(a.createdAt)}
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" fw={500} style={nowrap}>
              {money(a.amount, invoice.currency)}
            </Text>
            <ActionIcon variant="subtle" aria-label={t('invoices.receipt')} onClick={() => void receipt(a.id)}>
              <IconReceipt size={16} />
            </ActionIcon>
          </Group>
        </Group>
      ))}
    </Stack>
  );
}

/** One invoice or credit note: header, customer as billed, lines, taxes, totals, payments, credit notes and actions. */
export function InvoiceDrawer({ id, onClose, onOpen }: { id: string | null; onClose: () => void; onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const { dir } = useDirection();
  const phone = useMediaQuery('(max-width: 48em)');
  const day = useCalendarDate();
  const period = usePeriod();
  const money = useMoney();
  const detail = useQuery({ queryKey: ['invoices', 'detail', id], queryFn: () => unwrap(api.GET('/api/invoices/{id}', { params: { path: { id: id! } } })), enabled: !!id });
  const inv = detail.data;
  const noun = inv?.kind === 'credit_note' ? t('invoices.creditNote') : t('invoices.invoice');
  return (
    <Drawer opened={!!id} onClose={onClose} position={dir === 'rtl' ? 'left' : 'right'} size={phone ? '100%' : 'xl'} title={inv ? `${noun} ${inv.number ?? t('invoices.noNumber')}` : t('invoices.invoice')}>
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <QueryError error={detail.error} />
      ) : (
        inv && (
          <Stack>
            <Group gap="xs">
              <InvoiceStatusBadge status={inv.status} />
              <Badge variant="outline">{t(`invoices.source.${inv.source}`)}</Badge>
            </Group>
            <InvoiceActions invoice={inv} onOpen={onOpen} onDeleted={onClose} />
            {inv.status === 'void' && inv.voidReason && <Alert color="gray">{t('invoices.voidedBecause', { reason: inv.voidReason })}</Alert>}
            {inv.creditsInvoiceId && (
              <Button variant="subtle" size="compact-sm" onClick={() => onOpen(inv.creditsInvoiceId!)} style={{ alignSelf: 'flex-start' }}>
                {t('invoices.creditsInvoice')}
              </Button>
            )}
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Field label={t('invoices.issueDate')} value={day(inv.issueDate)} />
              <Field label={t('invoices.dueDate')} value={day(inv.dueDate)} />
              <Field label={t('invoices.currency')} value={inv.currency} />
              <Field label={t('invoices.period')} value={inv.periodStart && inv.periodEnd ? t('invoices.line.period', period(inv.periodStart, inv.periodEnd)) : null} />
            </SimpleGrid>
            <Title order={5}>{t('invoices.billedTo')}</Title>
            <Customer invoice={inv} />
            {inv.memo && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{inv.memo}</Text>}
            <Title order={5}>{t('invoices.lines')}</Title>
            <Lines invoice={inv} />
            <Totals invoice={inv} />
            <Title order={5}>{t('invoices.payments')}</Title>
            <Payments invoice={inv} />
            {inv.creditNotes.length > 0 && (
              <>
                <Title order={5}>{t('invoices.creditNotes')}</Title>
                {inv.creditNotes.map((n) => (
                  <Group key={n.id} justify="space-between">
                    <Button variant="subtle" size="compact-sm" px={0} onClick={() => onOpen(n.id)}>
                      {n.number ?? t('invoices.creditNoteDraft')}
                    </Button>
                    <Text size="sm">{money(n.total, inv.currency)}</Text>
                  </Group>
                ))}
              </>
            )}
          </Stack>
        )
      )}
    </Drawer>
  );
}
