import { Badge, SegmentedControl, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { PageHeader } from '../../components/feedback.tsx';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { disputeColors } from './model.ts';

const filters = ['active', 'resolved', 'rejected', 'all'] as const;

export default function DisputesPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [filter, setFilter] = useState<(typeof filters)[number]>('active');
  const status = filter === 'all' ? undefined : filter;
  const list = useCursorList(['payment-cases', 'disputes', filter], (cursor) => unwrap(api.GET('/api/disputes', { params: { query: { status, limit: 50, cursor } } })));
  return (
    <>
      <PageHeader title={t('paymentCases.dispute.title')} />
      <SegmentedControl mb="md" value={filter} onChange={(v) => setFilter(v as typeof filter)} data={filters.map((f) => ({ value: f, label: t(`paymentCases.dispute.filter.${f}`) }))} />
      <ListTable list={list} minWidth={560} count={list.items.length} headers={[t('paymentCases.dispute.subject'), t('paymentCases.dispute.subscriber'), t('paymentCases.dispute.about'), t('paymentCases.status'), t('paymentCases.dispute.openedAt')]}>
        {list.items.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>
              <Text component={Link} to={`/disputes/${d.id}`} fw={500} c="blue">
                {d.subject}
              </Text>
            </Table.Td>
            <Table.Td>{d.subscriberName}</Table.Td>
            <Table.Td dir="ltr">{d.invoiceNumber ?? (d.receiptNo ? `#${d.receiptNo}` : '')}</Table.Td>
            <Table.Td>
              <Badge color={disputeColors[d.status]} variant="light">
                {t(`paymentCases.dispute.status.${d.status}`)}
              </Badge>
            </Table.Td>
            <Table.Td>{fmt.date(d.openedAt)}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}
