import { Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlugConnectedX, IconRefresh, IconSearch } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { ConfirmModal, PageHeader, useNotify } from '../../components/feedback.tsx';
import { ExportButton, ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { MeContext, useCan } from '../auth/session.ts';
import { formatBytes, formatDuration } from './model.ts';

type Session = Schemas['RadiusSession'];

/** The counters move with each interim update (typically every few minutes): every 30 s is fresh enough. */
const REFRESH_MS = 30_000;

/**
 * Calls `refresh` every REFRESH_MS while the tab is visible, and at once when it becomes visible
 * again after a longer absence, so a background tab puts no load on the server.
 */
function useRefreshWhileVisible(refresh: () => unknown, updatedAt: number) {
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      clearInterval(timer);
      timer = setInterval(() => document.visibilityState === 'visible' && refresh(), REFRESH_MS);
    };
    const onVisibility = () => {
      if (document.visibilityState !== 'visible') return clearInterval(timer);
      if (Date.now() - updatedAt >= REFRESH_MS) refresh();
      start();
    };
    if (document.visibilityState === 'visible') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [refresh, updatedAt]);
}

/** A NAS to filter by, from the NAS list (the first 200 by name: more than a page of sessions ever shows). */
function NasFilter({ value, onChange }: { value: string | null; onChange: (id: string | null) => void }) {
  const { t } = useTranslation();
  const nas = useQuery({ queryKey: ['nas', 'list', 'options'], queryFn: () => unwrap(api.GET('/api/nas', { params: { query: { limit: 200, sort: 'name' } } })) });
  return (
    <Select
      label={t('sessions.nas')}
      placeholder={t('sessions.anyNas')}
      data={(nas.data?.items ?? []).map((n) => ({ value: n.id, label: n.name }))}
      value={value}
      onChange={onChange}
      clearable
      // Mantine hides its clear button from assistive technology; this one is the way back to every NAS, so it is named and reachable.
      clearButtonProps={{ 'aria-label': t('sessions.everyNas'), 'aria-hidden': false, tabIndex: 0 }}
      searchable
      w={{ base: '100%', xs: 240 }}
    />
  );
}

/**
 * Online sessions with their counters as of the last interim update and the duration up to the
 * moment of loading; reloaded every 30 s while visible and by the Refresh button. The NAS filter
 * lives in the address (?nasId=) so a NAS page can link to its sessions.
 */
export default function SessionsPage() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const format = useFormat();
  const me = useContext(MeContext);
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 300);
  const [cutting, setCutting] = useState<Session | null>(null);
  const [params, setParams] = useSearchParams();
  const nasId = params.get('nasId');
  const filters = { q: debounced.trim() || undefined, nasId: nasId ?? undefined };
  const list = useCursorList(['sessions', 'online', filters], (cursor) => unwrap(api.GET('/api/sessions', { params: { query: { ...filters, limit: 50, cursor } } })));
  const { refetch } = list;
  useRefreshWhileVisible(refetch, list.dataUpdatedAt);
  const setNas = (id: string | null) =>
    setParams(
      (old) => {
        const next = new URLSearchParams(old);
        if (id) next.set('nasId', id);
        else next.delete('nasId');
        return next;
      },
      { replace: true },
    );
  const disconnect = async (s: Session) => {
    await unwrap(api.POST('/api/sessions/{id}/disconnect', { params: { path: { id: s.id } } }));
    notify.success(t('sessions.disconnectQueued'));
    await queryClient.invalidateQueries({ queryKey: ['sessions'] });
  };
  return (
    <>
      <PageHeader title={t('sessions.title')}>
        <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={() => void refetch()} loading={list.isRefetching}>
          {t('sessions.refresh')}
        </Button>
        {can('sessions.export') && <ExportButton path="/api/sessions/export" query={filters} fileName="sessions.csv" />}
      </PageHeader>
      <Group mb="md" gap="sm" align="end">
        <TextInput label={t('common.search')} placeholder={t('sessions.searchHint')} value={q} onChange={(e) => setQ(e.currentTarget.value)} leftSection={<IconSearch size={16} />} w={{ base: '100%', xs: 280 }} />
        <NasFilter value={nasId} onChange={setNas} />
        {list.dataUpdatedAt > 0 && (
          <Text size="xs" c="dimmed" data-testid="sessions-updated">
            {t('sessions.updatedAt', { time: new Intl.DateTimeFormat(i18n.language, { timeStyle: 'medium', timeZone: me?.organization.timezone }).format(list.dataUpdatedAt) })}
          </Text>
        )}
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
            <Table.Td dir="ltr">{formatDuration(s.durationSeconds, i18n.language)}</Table.Td>
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
