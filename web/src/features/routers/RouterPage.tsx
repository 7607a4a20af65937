import { Alert, Anchor, Badge, Button, Card, Code, Group, ScrollArea, Select, SimpleGrid, Stack, Table, Tabs, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { FormError, Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { PushPanel } from './PushPanel.tsx';
import { QueuesPush } from './QueuesPush.tsx';
import { TlsPin } from './TlsPin.tsx';

/* Router management of one NAS (MikroTik): overview with the TLS pin, plan push, subscriber queues, active sessions, backups, command log. */

const path = (id: string) => ({ params: { path: { id } } });

function Overview({ id }: { id: string }) {
  const { t } = useTranslation();
  const status = useQuery({ queryKey: ['router', id, 'status'], queryFn: () => unwrap(api.GET('/api/nas/{id}/router', path(id))), retry: false });
  if (status.isPending) return <Loading />;
  if (status.isError) return <QueryError error={status.error} />;
  const s = status.data;
  const fact = (label: string, value: string | number | null | undefined) => (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value ?? '—'}</Text>
    </div>
  );
  return (
    <Stack>
      <Group>
        <Badge color={s.ok ? 'green' : 'red'}>{s.ok ? t('routers.status.ok') : t('routers.status.failed')}</Badge>
        <Text size="sm" c="dimmed">
          {s.protocol} · {s.endpoint} · {s.durationMs} ms
        </Text>
        <Button size="xs" variant="light" loading={status.isFetching} onClick={() => status.refetch()}>
          {t('routers.testConnection')}
        </Button>
      </Group>
      {s.error && (
        <Alert color="red" title={t(`routers.error.${s.error.kind}`, { defaultValue: s.error.kind })}>
          {s.error.message}
          {s.presentedFingerprint && <Code block>{s.presentedFingerprint}</Code>}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
        {fact(t('routers.identity'), s.identity)}
        {fact(t('routers.version'), s.resource?.version)}
        {fact(t('routers.board'), s.resource?.boardName)}
        {fact(t('routers.uptime'), s.resource?.uptime)}
        {fact(t('routers.cpuLoad'), s.resource?.cpuLoadPercent != null ? `${s.resource.cpuLoadPercent} %` : null)}
        {fact(t('routers.memory'), s.resource?.freeMemoryBytes != null ? `${Math.round(s.resource.freeMemoryBytes / 1048576)} / ${Math.round((s.resource.totalMemoryBytes ?? 0) / 1048576)} MiB` : null)}
      </SimpleGrid>
      <TlsPin id={id} status={s} />
    </Stack>
  );
}

function PlansPush({ id }: { id: string }) {
  const { t } = useTranslation();
  return (
    <PushPanel
      id={id}
      send={(dryRun) => unwrap(api.POST('/api/nas/{id}/router/push-plans', { ...path(id), body: { dryRun } }))}
      explain={t('routers.push.explain')}
      previewLabel={t('routers.push.preview')}
      applyLabel={t('routers.push.apply')}
      nameLabel={t('routers.push.profile')}
      messageTestId="push-message"
      rowsOf={(r) => r.profiles.map((p) => ({ key: `${p.menu}${p.name}`, name: p.name, detail: p.menu, action: t(`routers.push.actions.${p.action}`), changes: p.changes }))}
      pendingOf={(r) => r.summary.create + r.summary.update}
    />
  );
}

function Sessions({ id }: { id: string }) {
  const { t } = useTranslation();
  // Live data: read from the router each time the tab opens, not from a 30-second-old cache.
  const sessions = useQuery({ queryKey: ['router', id, 'sessions'], queryFn: () => unwrap(api.GET('/api/nas/{id}/router/active-sessions', path(id))), retry: false, staleTime: 0 });
  if (sessions.isPending) return <Loading />;
  if (sessions.isError) return <QueryError error={sessions.error} />;
  if (sessions.data.items.length === 0) return <Text c="dimmed">{t('routers.sessions.none')}</Text>;
  return (
    <ScrollArea>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('routers.sessions.user')}</Table.Th>
            <Table.Th>{t('routers.sessions.kind')}</Table.Th>
            <Table.Th>{t('routers.sessions.address')}</Table.Th>
            <Table.Th>{t('routers.sessions.uptime')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.data.items.map((s) => (
            <Table.Tr key={`${s.kind}${s.id}`}>
              <Table.Td>
                {s.user}
                <Text size="xs" c="dimmed">
                  {s.callerId}
                </Text>
              </Table.Td>
              <Table.Td>{s.kind}</Table.Td>
              <Table.Td>{s.address}</Table.Td>
              <Table.Td>{s.uptime}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

function Backups({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const can = useCan();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['router', id, 'backups'], queryFn: () => unwrap(api.GET('/api/nas/{id}/router/backups', { params: { path: { id }, query: { limit: 100 } } })) });
  const take = useMutation({
    mutationFn: () => unwrap(api.POST('/api/nas/{id}/router/backups', path(id))),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['router', id, 'backups'] }), queryClient.invalidateQueries({ queryKey: ['router', id, 'commands'] })]),
  });
  const diff = useQuery({
    queryKey: ['router', id, 'diff', from, to],
    enabled: !!from && !!to && from !== to,
    queryFn: () => unwrap(api.GET('/api/nas/{id}/router/backups/diff', { params: { path: { id }, query: { from: from!, to: to! } } })),
  });
  const one = useQuery({
    queryKey: ['router', id, 'backup', viewing],
    enabled: !!viewing,
    queryFn: () => unwrap(api.GET('/api/nas/{id}/router/backups/{backupId}', { params: { path: { id, backupId: viewing! } } })),
  });
  if (!can('nas.export')) return <Text c="dimmed">{t('routers.backups.notAllowed')}</Text>;
  if (list.isPending) return <Loading />;
  if (list.isError) return <QueryError error={list.error} />;
  const options = list.data.items.map((b) => ({ value: b.id, label: `${format.dateTime(b.createdAt)} · ${t(`routers.backups.trigger.${b.trigger}`)}` }));
  return (
    <Stack>
      <Group>
        <Button loading={take.isPending} onClick={() => take.mutate()}>
          {t('routers.backups.take')}
        </Button>
      </Group>
      <FormError error={take.error} />
      <Table>
        <Table.Tbody>
          {list.data.items.map((b) => (
            <Table.Tr key={b.id}>
              <Table.Td>{options.find((o) => o.value === b.id)?.label}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{b.sizeBytes} B</Table.Td>
              <Table.Td>
                <Button size="xs" variant="subtle" onClick={() => setViewing(b.id)}>
                  {t('routers.backups.view')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {one.data && <Code block>{one.data.content}</Code>}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label={t('routers.backups.from')} data={options} value={from} onChange={setFrom} />
        <Select label={t('routers.backups.to')} data={options} value={to} onChange={setTo} />
      </SimpleGrid>
      {diff.data && (
        <Card withBorder data-testid="backup-diff">
          <Text size="sm">{diff.data.identical ? t('routers.backups.identical') : t('routers.backups.changed', { added: diff.data.added, removed: diff.data.removed })}</Text>
          <ScrollArea>
            {diff.data.hunks.flatMap((h) => h.lines).map((line, i) => (
              <Text key={i} ff="monospace" size="xs" c={line.startsWith('+') ? 'green' : line.startsWith('-') ? 'red' : 'dimmed'} style={{ whiteSpace: 'pre' }}>
                {line}
              </Text>
            ))}
          </ScrollArea>
        </Card>
      )}
    </Stack>
  );
}

function Commands({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const log = useQuery({ queryKey: ['router', id, 'commands'], queryFn: () => unwrap(api.GET('/api/nas/{id}/router/commands', { params: { path: { id }, query: { limit: 100 } } })), staleTime: 0 });
  if (log.isPending) return <Loading />;
  if (log.isError) return <QueryError error={log.error} />;
  return (
    <ScrollArea>
      <Table>
        <Table.Tbody>
          {log.data.items.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Text size="xs">{format.dateTime(c.at)}</Text>
                <Text size="xs" c="dimmed">
                  {c.userEmail ?? t('routers.commands.system')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Code>{c.command}</Code>
                {c.message && (
                  <Text size="xs" c="red">
                    {c.message}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge color={c.outcome === 'ok' ? 'green' : c.outcome === 'trap' ? 'orange' : 'red'}>{t(`routers.commands.outcome.${c.outcome}`)}</Badge>
              </Table.Td>
              <Table.Td>{c.durationMs} ms</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

export default function RouterPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  // Which router this is, and the way back to its NAS page.
  const nas = useQuery({ queryKey: ['nas', 'detail', id], queryFn: () => unwrap(api.GET('/api/nas/{id}', path(id))) });
  return (
    <>
      <PageHeader title={t('routers.title')} />
      {nas.data && (
        <Anchor component={Link} to={`/nas/${id}`} dir="auto" mb="sm" display="block">
          {nas.data.name} ({nas.data.address})
        </Anchor>
      )}
      <Tabs defaultValue="overview" keepMounted={false}>
        <ScrollArea type="never">
          <Tabs.List style={{ flexWrap: 'nowrap' }}>
            <Tabs.Tab value="overview">{t('routers.tabs.overview')}</Tabs.Tab>
            <Tabs.Tab value="plans">{t('routers.tabs.plans')}</Tabs.Tab>
            <Tabs.Tab value="queues">{t('routers.tabs.queues')}</Tabs.Tab>
            <Tabs.Tab value="sessions">{t('routers.tabs.sessions')}</Tabs.Tab>
            <Tabs.Tab value="backups">{t('routers.tabs.backups')}</Tabs.Tab>
            <Tabs.Tab value="commands">{t('routers.tabs.commands')}</Tabs.Tab>
          </Tabs.List>
        </ScrollArea>
        <Tabs.Panel value="overview" pt="md"><Overview id={id} /></Tabs.Panel>
        <Tabs.Panel value="plans" pt="md"><PlansPush id={id} /></Tabs.Panel>
        <Tabs.Panel value="queues" pt="md"><QueuesPush id={id} /></Tabs.Panel>
        <Tabs.Panel value="sessions" pt="md"><Sessions id={id} /></Tabs.Panel>
        <Tabs.Panel value="backups" pt="md"><Backups id={id} /></Tabs.Panel>
        <Tabs.Panel value="commands" pt="md"><Commands id={id} /></Tabs.Panel>
      </Tabs>
    </>
  );
}
