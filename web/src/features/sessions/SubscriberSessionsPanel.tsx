import { Badge, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { formatBytes, formatDuration } from './model.ts';

const statusColor: Record<string, string> = { pending: 'gray', ack: 'teal', nak: 'orange', timeout: 'yellow', failed: 'red' };

function Sessions({ subscriptionId }: { subscriptionId: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const list = useCursorList(['sessions', 'of', subscriptionId], (cursor) => unwrap(api.GET('/api/subscriptions/{id}/sessions', { params: { path: { id: subscriptionId }, query: { limit: 20, cursor } } })));
  return (
    <>
      <ListTable list={list} minWidth={560} count={list.items.length} headers={[t('sessions.started'), t('sessions.duration'), t('sessions.download'), t('sessions.upload'), t('sessions.address'), t('sessions.ended')]}>
        {list.items.map((s) => (
          <Table.Tr key={s.id}>
            <Table.Td>{s.startedAt ? format.dateTime(s.startedAt) : '—'}</Table.Td>
            <Table.Td dir="ltr">{formatDuration(s.durationSeconds, i18n.language)}</Table.Td>
            <Table.Td dir="ltr">{formatBytes(s.outputBytes, i18n.language)}</Table.Td>
            <Table.Td dir="ltr">{formatBytes(s.inputBytes, i18n.language)}</Table.Td>
            <Table.Td dir="ltr">{s.framedIpAddress ?? '—'}</Table.Td>
            <Table.Td>{s.stoppedAt ? (s.terminateCause ?? format.dateTime(s.stoppedAt)) : <Badge color="teal">{t('sessions.online')}</Badge>}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

function Enforcement({ subscriptionId }: { subscriptionId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const list = useCursorList(['enforcement', subscriptionId], (cursor) => unwrap(api.GET('/api/subscriptions/{id}/enforcement', { params: { path: { id: subscriptionId }, query: { limit: 20, cursor } } })));
  return (
    <>
      <ListTable list={list} minWidth={520} count={list.items.length} headers={[t('sessions.enforcement.when'), t('sessions.enforcement.kind'), t('sessions.enforcement.reason'), t('sessions.enforcement.status')]}>
        {list.items.map((e) => (
          <Table.Tr key={e.id}>
            <Table.Td>{format.dateTime(e.createdAt)}</Table.Td>
            <Table.Td>{t(`sessions.enforcement.kinds.${e.kind}`)}</Table.Td>
            <Table.Td>{t(`sessions.enforcement.reasons.${e.reason}`, { defaultValue: e.reason })}</Table.Td>
            <Table.Td>
              <Badge color={statusColor[e.status] ?? 'gray'}>{t(`sessions.enforcement.statuses.${e.status}`)}</Badge>
              {e.lastError && (
                <Text size="xs" c="dimmed">
                  {e.lastError}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

/** A subscriber's RADIUS sessions and the CoA/Disconnect requests sent for them, per subscription. */
export function SubscriberSessionsPanel({ subscriberId }: { subscriberId: string }) {
  const { t } = useTranslation();
  const subscriptions = useQuery({
    queryKey: ['subscriptions', 'of', subscriberId, 'options'],
    queryFn: () => unwrap(api.GET('/api/subscribers/{id}/subscriptions', { params: { path: { id: subscriberId }, query: { limit: 200 } } })),
  });
  const items = (subscriptions.data?.items ?? []).filter((s) => s.username);
  const [chosen, setChosen] = useState<string | null>(null);
  const subscriptionId = chosen ?? items[0]?.id ?? null;
  if (subscriptions.isSuccess && items.length === 0) return <Text c="dimmed">{t('sessions.noLogin')}</Text>;
  return (
    <Stack>
      <Select
        label={t('subscriptions.usage.subscription')}
        data={items.map((s) => ({ value: s.id, label: `${s.plan.name} · ${s.username}` }))}
        value={subscriptionId}
        onChange={setChosen}
        allowDeselect={false}
        w={{ base: '100%', xs: 260 }}
      />
      {subscriptionId && (
        <>
          <Title order={5}>{t('sessions.history')}</Title>
          <Sessions subscriptionId={subscriptionId} />
          <Title order={5}>{t('sessions.enforcement.title')}</Title>
          <Enforcement subscriptionId={subscriptionId} />
        </>
      )}
    </Stack>
  );
}
