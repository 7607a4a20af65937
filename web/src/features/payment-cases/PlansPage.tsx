import { Badge, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { PageHeader } from '../../components/feedback.tsx';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useMoney } from '../invoices/InvoiceParts.tsx';
import { planColors } from './model.ts';

export default function PlansPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const money = useMoney();
  const list = useCursorList(['payment-cases', 'plans'], (cursor) => unwrap(api.GET('/api/installment-plans', { params: { query: { limit: 50, cursor } } })));
  return (
    <>
      <PageHeader title={t('paymentCases.plan.title')} />
      <Text size="sm" c="dimmed" mb="md">
        {t('paymentCases.plan.help')}
      </Text>
      <ListTable list={list} minWidth={520} count={list.items.length} headers={[t('paymentCases.dispute.subscriber'), t('paymentCases.plan.total'), t('paymentCases.plan.paid'), t('paymentCases.status'), t('paymentCases.plan.createdAt')]}>
        {list.items.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Text component={Link} to={`/installment-plans/${p.id}`} fw={500} c="blue">
                {p.subscriberName}
              </Text>
            </Table.Td>
            <Table.Td dir="ltr">{money(p.total, p.currency)}</Table.Td>
            <Table.Td dir="ltr">{money(p.paid, p.currency)}</Table.Td>
            <Table.Td>
              <Badge color={planColors[p.status]} variant="light">
                {t(`paymentCases.plan.status.${p.status}`)}
              </Badge>
            </Table.Td>
            <Table.Td>{fmt.date(p.createdAt)}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}
