import { Button, Group, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlugConnectedX, IconSearch } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { ConfirmModal, PageHeader, useNotify } from '../../components/feedback.tsx';
import { ExportButton, ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { formatBytes, formatDuration } from './model.ts';

type Session = Schemas['RadiusSession'];

/** Online sessions with their counters as of the last interim update and the duration up to the moment of loading; Refresh reloads. */
export default function SessionsPage() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const format = useFormat();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 300);
  const [cutting, setCutting] = useState<Session | null>(null);
  const filters = { q: debounced.trim() || undefined };
  const list = useCursorList(['sessions', 'online', filters], (cursor) => unwrap(api.GET('/api/sessions', { params: { query: { ...filters, limit: 50, cursor } } })));
  const disconnect = async (s: Session) => {
    await unwrap(api.POST('/api/sessions/{id}/disconnect', { params: { path: { id: s.id } } }));
    notify.success(t('sessions.disconnectQueued'));
    await queryClient.invalidateQueries({ queryKey: ['sessions'] });
  };
  return (
    <>
      <PageHeader title={t('sessions.title')}>
        <Button variant="default" onClick={() => void list.refetch()}>
          {t('sessions.refresh')}
        </Button>
        {can('sessions.export') && <ExportButton path="/api/sessions/export" query={filters} fileName="sessions.csv" />}
      </PageHeader>
      <Group mb="md" gap="sm" align="end">
        <TextInput label={t('common.search')} placeholder={t('sessions.searchHint')} value={q} onChange={(e) => setQ(e.currentTarget.value)} leftSection={<IconSearch size={16} />} w={{ base: '100%', xs: 280 }} />
      </Group>
      <ListTable
        list={list}
        minWidth={760}
        count={list.items.length}
        headers={[t('sessions.user'), t('sessions.address'), t('sessions.nas'), t('sessions.started'), t('sessions.duration'), t('sessions.download'), t('sessions.upload'), '']}
      >
        {list.items.map((s) => (
          <Table.Tr key={s.id} data-session={s.acctSessionId}>
            <Table.Td>
              <Text size="sm" fw={500} dir="ltr">
                {s.username ?? '—'}
              </Text>
              {s.subscriberName && (
                <Text size="xs" c="dimmed">
                  {s.subscriberName}
                </Text>
              )}
            </Table.Td>
            <Table.Td dir="ltr">
              {s.framedIpAddress ?? '—'}
              {s.callingStationId && (
                <Text size="xs" c="dimmed">
                  {s.callingStationId}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{s.nasName ?? s.nasAddress}</Table.Td>
            <Table.Td>{s.startedAt ? format.dateTime(s.startedAt) : '—'}</Table.Td>
            <Table.Td dir="ltr">{formatDuration(s.durationSeconds)}</Table.Td>
            <Table.Td dir="ltr">{formatBytes(s.outputBytes, i18n.language)}</Table.Td>
            <Table.Td dir="ltr">{formatBytes(s.inputBytes, i18n.language)}</Table.Td>
            <Table.Td>
              {can('sessions.update') && s.subscriptionId && (
                <Button size="compact-sm" variant="light" color="red" leftSection={<IconPlugConnectedX size={14} />} onClick={() => setCutting(s)}>
                  {t('sessions.disconnect')}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      <ConfirmModal
        opened={cutting !== null}
        title={t('sessions.disconnectTitle')}
        message={t('sessions.disconnectMessage', { user: cutting?.username ?? '' })}
        confirmLabel={t('sessions.disconnect')}
        onConfirm={() => (cutting ? disconnect(cutting) : Promise.resolve())}
        onClose={() => setCutting(null)}
      />
    </>
  );
}
