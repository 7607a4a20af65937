import { Badge, Button, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { downloadCsv } from '../../api/client.ts';
import { ListTable } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { nowrap, useMoney } from '../invoices/InvoiceParts.tsx';
import { channelLabel, statusColors, type Payment, type PaymentStatus } from './model.ts';

export function PaymentStatusBadge({ status }: { status: PaymentStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColors[status]} variant="light">
      {t(`payments.status.${status}`)}
    </Badge>
  );
}

/** Downloads a payment's receipt PDF (the session cookie authenticates the GET). */
export function downloadReceipt(payment: Pick<Payment, 'id' | 'receiptNumber'>, path = `/api/payments/${payment.id}/receipt.pdf`): Promise<void> {
  return downloadCsv(path, {}, `${payment.receiptNumber}.pdf`);
}

/** Payments as rows: the receipt number opens the payment; the subscriber column is left out inside a subscriber. */
export function PaymentsTable({
  list,
  items,
  onOpen,
  withSubscriber = true,
  action,
}: {
  list: { isPending: boolean; isError: boolean; error: unknown };
  items: Payment[];
  onOpen: (id: string) => void;
  withSubscriber?: boolean;
  action?: (p: Payment) => React.ReactNode;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const money = useMoney();
  const headers = [
    t('payments.receipt'),
    t('payments.receivedAt'),
    ...(withSubscriber ? [t('payments.subscriber')] : []),
    t('payments.method'),
    t('payments.reference'),
    t('common.statusLabel'),
    t('payments.amount'),
  ];
  return (
    <ListTable list={list} minWidth={withSubscriber ? 820 : 660} headers={headers} withActions={!!action} count={items.length}>
      {items.map((p) => (
        <Table.Tr key={p.id}>
          <Table.Td>
            <Button variant="subtle" size="compact-sm" px={0} onClick={() => onOpen(p.id)} dir="ltr">
              {p.receiptNumber}
            </Button>
          </Table.Td>
          <Table.Td style={nowrap}>{format.dateTime(p.receivedAt)}</Table.Td>
          {withSubscriber && (
            <Table.Td>
              {p.subscriberName ?? (
                <Text size="sm" c="dimmed">
                  {p.payerName ?? p.payerPhone ?? t('payments.unknownPayer')}
                </Text>
              )}
            </Table.Td>
          )}
          <Table.Td>{channelLabel(p.channel, t)}</Table.Td>
          <Table.Td dir="ltr">{p.reference ?? '—'}</Table.Td>
          <Table.Td>
            <PaymentStatusBadge status={p.status} />
          </Table.Td>
          <Table.Td fw={500} style={nowrap}>
            {money(p.amount, p.currency)}
          </Table.Td>
          {action && <Table.Td>{action(p)}</Table.Td>}
        </Table.Tr>
      ))}
    </ListTable>
  );
}
