import { Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LoadMore } from '../../components/lists.tsx';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { useInvoices } from './api.ts';
import { InvoiceCard } from './parts.tsx';

export default function InvoicesPage() {
  const { t } = useTranslation();
  const list = useInvoices();
  return (
    <Stack>
      <Title order={2}>{t('portal.invoices.title')}</Title>
      {list.isPending && <Loading />}
      {list.isError && <QueryError error={list.error} />}
      {list.isSuccess && list.items.length === 0 && <Text c="dimmed">{t('portal.invoices.empty')}</Text>}
      <Stack gap="xs">
        {list.items.map((invoice) => (
          <InvoiceCard key={invoice.id} invoice={invoice} />
        ))}
      </Stack>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </Stack>
  );
}
