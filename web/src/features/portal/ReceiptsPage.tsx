import { Anchor, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { LoadMore, useCursorList } from '../../components/lists.tsx';
import { formatDate } from '../../lib/format.ts';
import { gatewayNames } from '../payments/model.ts';
import { formatAmount } from '../plans/model.ts';

/** The subscriber's payments, newest first, each with its receipt to download (a plain link: the session cookie authenticates it). */
export default function ReceiptsPage() {
  const { t, i18n } = useTranslation();
  const channelName = (c: string) => (gatewayNames[c] ?? (['cash', 'bank_transfer', 'cheque', 'mobile_transfer', 'card'].includes(c) ? t(`portalReceipts.channel.${c}`) : c));
  const list = useCursorList(['portal', 'payments'], (cursor) => unwrap(api.GET('/api/portal/payments', { params: { query: { limit: 20, cursor } } })));
  return (
    <Stack>
      <Title order={2}>{t('portalReceipts.title')}</Title>
      {list.isPending && <Loading />}
      {list.isError && <QueryError error={list.error} />}
      {list.isSuccess && list.items.length === 0 && <Text c="dimmed">{t('portalReceipts.empty')}</Text>}
      <Stack gap="xs">
        {list.items.map((p) => (
          <Card key={p.id} withBorder padding="sm" aria-label={p.receiptNumber}>
            <Group justify="space-between" wrap="nowrap" align="start">
              <div>
                <Text fw={600} dir="ltr" ta="start">
                  {p.receiptNumber}
                </Text>
                <Text size="sm" c="dimmed">
                  {formatDate(p.receivedAt, i18n.language)} · {channelName(p.channel)}
                </Text>
                {p.invoices.length > 0 && (
                  <Text size="xs" c="dimmed">
                    {t('portalReceipts.paid', { invoices: p.invoices.map((i) => i.number ?? '').join(', ') })}
                  </Text>
                )}
              </div>
              <Stack gap={4} align="end">
                <Text fw={700} style={{ whiteSpace: 'nowrap' }}>
                  {formatAmount(p.amount, p.currency, i18n.language)}
                </Text>
                <Anchor href={`/api/portal/payments/${p.id}/receipt.pdf?locale=${encodeURIComponent(i18n.language)}`} download={`${p.receiptNumber}.pdf`} size="sm">
                  <Group gap={4} wrap="nowrap">
                    <IconDownload size={14} />
                    {t('portalReceipts.download')}
                  </Group>
                </Anchor>
              </Stack>
            </Group>
          </Card>
        ))}
      </Stack>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </Stack>
  );
}
