import { Badge, Button, Group, Select, Stack, Table, Tabs, Text, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PageHeader, QueryError } from '../../components/feedback.tsx';
import { ExportButton, ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import { nasTypeLabel, statusColor, type NasStatus } from './model.ts';
import { NasForm } from './NasForm.tsx';

export function NasStatusBadge({ status }: { status: NasStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColor[status]} variant="light">
      {t(`network.status.${status}`)}
    </Badge>
  );
}

function NasList() {
  const { t } = useTranslation();
  const can = useCan();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const list = useCursorList(['nas', 'list', q, status], (cursor) => network.listNas({ limit: 50, cursor, q: q || undefined, status: (status ?? undefined) as NasStatus | undefined }));
  return (
    <>
      <Group justify="space-between" mb="md" wrap="wrap">
        <Group gap="xs" wrap="wrap">
          <TextInput placeholder={t('network.nas.search')} value={q} onChange={(e) => setQ(e.currentTarget.value)} aria-label={t('network.nas.search')} />
          <Select placeholder={t('network.nas.anyStatus')} data={(['up', 'down', 'unknown'] as const).map((s) => ({ value: s, label: t(`network.status.${s}`) }))} value={status} onChange={setStatus} clearable w={150} />
        </Group>
        <Group gap="xs">
          {can('nas.export') && <ExportButton path="/api/nas/export" query={{ q: q || undefined, status: status ?? undefined }} fileName="nas.csv" />}
          {can('nas.create') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              {t('network.nas.create')}
            </Button>
          )}
        </Group>
      </Group>
      <ListTable list={list} minWidth={520} count={list.items.length} headers={[t('network.nas.name'), t('network.nas.address'), t('network.nas.type'), t('network.nas.status')]}>
        {list.items.map((n) => (
          <Table.Tr key={n.id}>
            <Table.Td>
              <Text component={Link} to={`/nas/${n.id}`} fw={500} c="blue">
                {n.name}
              </Text>
              <Text size="xs" c="dimmed">
                {n.location || n.organizationName}
              </Text>
            </Table.Td>
            <Table.Td dir="ltr">{n.address}</Table.Td>
            <Table.Td>{nasTypeLabel(n.type, t)}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                <NasStatusBadge status={n.status} />
                {!n.active && <Badge color="gray">{t('network.nas.inactive')}</Badge>}
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {creating && <NasForm onClose={() => setCreating(false)} />}
    </>
  );
}

/** Network status: the netwatch feed of NAS going down and coming back. */
function NetworkStatus() {
  const { t } = useTranslation();
  const format = useFormat();
  const events = useQuery({ queryKey: ['nas', 'events'], queryFn: network.events, refetchInterval: 30_000 });
  if (events.isError) return <QueryError error={events.error} />;
  return (
    <Stack gap="xs">
      {events.data?.items.length === 0 && <Text c="dimmed">{t('network.events.none')}</Text>}
      {events.data?.items.map((e) => (
        <Group key={e.id} gap="xs" wrap="nowrap">
          <NasStatusBadge status={e.kind} />
          <Text component={Link} to={`/nas/${e.nasId}`} fw={500}>
            {e.nasName}
          </Text>
          <Text size="sm" c="dimmed">
            {format.dateTime(e.at)}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

export default function NasPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('network.nas.title')} />
      <Tabs defaultValue="nas" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="nas">{t('network.nas.tab')}</Tabs.Tab>
          <Tabs.Tab value="status">{t('network.events.tab')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="nas">
          <NasList />
        </Tabs.Panel>
        <Tabs.Panel value="status">
          <NetworkStatus />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
