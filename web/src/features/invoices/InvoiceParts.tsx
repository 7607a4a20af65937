import { Badge, Button, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ListTable } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { formatAmount } from '../plans/model.ts';
import { calendarDate, customerName, lastInstant, statusColors, type Invoice, type InvoiceStatus } from './model.ts';

/** Keeps an amount on one line: a wrapped "-" or currency code on a phone reads as another number. */
export const nowrap = { whiteSpace: 'nowrap' } as const;

/** A billing period [start, end) as the days it covers: the end is exclusive, so the last day shown is the one before it. */
export function usePeriod() {
  const format = useFormat();
  return (start: string, end: string) => ({ start: format.date(start), end: format.date(lastInstant(end)) });
}

export function InvoiceStatusBadge({ status }: { status: InvoiceStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColors[status]} variant="light">
      {t(`invoices.status.${status}`)}
    </Badge>
  );
}

/** A decimal amount of the invoice's currency, in the interface language. */
export function useMoney() {
  const { i18n } = useTranslation();
  return (amount: string, currency: string) => formatAmount(amount, currency, i18n.language);
}

/** A calendar date ("2026-03-01", already in the organization's zone) in the interface language; "—" for none. */
export function useCalendarDate() {
  const { i18n } = useTranslation();
  return (date: string | null | undefined) => (date ? calendarDate(date, i18n.language) : '—');
}

/** The subscriber's current name, for invoices not issued yet (an issued one carries its own snapshot). */
function SubscriberName({ id }: { id: string }) {
  const subscriber = useQuery({ queryKey: ['subscribers', 'detail', id], queryFn: () => unwrap(api.GET('/api/subscribers/{id}', { params: { path: { id } } })), staleTime: 60_000 });
  const s = subscriber.data;
  return <>{s ? (s.companyName ?? s.name) : ''}</>;
}

export function InvoiceNumber({ invoice }: { invoice: Pick<Invoice, 'number' | 'kind'> }) {
  const { t } = useTranslation();
  if (invoice.number) return <span dir="ltr">{invoice.number}</span>;
  return <>{t(invoice.kind === 'credit_note' ? 'invoices.creditNoteDraft' : 'invoices.noNumber')}</>;
}

/** Invoices as rows: the number opens the invoice; the customer column is left out inside a subscriber. */
export function InvoicesTable({
  list,
  items,
  onOpen,
  withCustomer = true,
}: {
  list: { isPending: boolean; isError: boolean; error: unknown };
  items: Invoice[];
  onOpen: (id: string) => void;
  withCustomer?: boolean;
}) {
  const { t } = useTranslation();
  const day = useCalendarDate();
  const money = useMoney();
  const headers = [
    t('invoices.number'),
    ...(withCustomer ? [t('invoices.customer')] : []),
    t('common.statusLabel'),
    t('invoices.issueDate'),
    t('invoices.dueDate'),
    t('invoices.total'),
    t('invoices.balanceDue'),
  ];
  return (
    <ListTable list={list} minWidth={withCustomer ? 760 : 620} headers={headers} count={items.length}>
      {items.map((i) => (
        <Table.Tr key={i.id}>
          <Table.Td>
            <Button variant="subtle" size="compact-sm" px={0} onClick={() => onOpen(i.id)}>
              <InvoiceNumber invoice={i} />
            </Button>
            {i.kind === 'credit_note' && (
              <Text size="xs" c="dimmed">
                {t('invoices.creditNote')}
              </Text>
            )}
          </Table.Td>
          {withCustomer && <Table.Td>{customerName(i) ?? <SubscriberName id={i.subscriberId} />}</Table.Td>}
          <Table.Td>
            <InvoiceStatusBadge status={i.status} />
          </Table.Td>
          <Table.Td>{day(i.issueDate)}</Table.Td>
          <Table.Td>{day(i.dueDate)}</Table.Td>
          <Table.Td style={nowrap}>{money(i.total, i.currency)}</Table.Td>
          <Table.Td fw={500} style={nowrap}>
            {i.issuedAt ? money(i.balanceDue, i.currency) : '—'}
          </Table.Td>
        </Table.Tr>
      ))}
    </ListTable>
  );
}
