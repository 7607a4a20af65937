import { Alert, Badge, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Switch, Table, Tabs, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { FormError, PageHeader, QueryError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { ExportButton, ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { PasswordField } from '../../components/PasswordField.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import { apiKinds, nasTypeLabel, nasTypes, statusColor, type ApiKind, type NasStatus, type NasType } from './model.ts';

export function NasStatusBadge({ status }: { status: NasStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColor[status]} variant="light">
      {t(`network.status.${status}`)}
    </Badge>
  );
}

function NasForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const phone = useMediaQuery('(max-width: 48em)');
  const [v, setV] = useState({ name: '', type: 'mikrotik' as NasType, address: '', secret: '', coaPort: 3799, location: '', requireMessageAuthenticator: true });
  // The router's management API (RouterOS only): what /nas/:id/router connects with.
  const [mgmt, setMgmt] = useState({ kind: 'none' as ApiKind, port: '' as number | string, tls: false, username: '', password: '' });
  const managed = v.type === 'mikrotik' && mgmt.kind !== 'none';
  const save = useMutation({
    mutationFn: () =>
      network.createNas({
        ...v,
        coordinates: null,
        description: '',
        ...(managed && { managementApi: { kind: mgmt.kind, port: mgmt.port === '' ? null : Number(mgmt.port), tls: mgmt.tls, username: mgmt.username, password: mgmt.password } }),
      }),
    onSuccess: async (nas) => {
      notify.success(t('network.nas.created', { name: nas.name }));
      await queryClient.invalidateQueries({ queryKey: ['nas'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('network.nas.create')} size="lg" fullScreen={phone}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <TextInput label={t('network.nas.name')} value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={fieldError(save.error, 'name')} required data-autofocus />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Select label={t('network.nas.type')} data={nasTypes.map((value) => ({ value, label: nasTypeLabel(value, t) }))} value={v.type} onChange={(type) => type && setV({ ...v, type: type as NasType })} allowDeselect={false} />
            <TextInput label={t('network.nas.address')} value={v.address} onChange={(e) => setV({ ...v, address: e.currentTarget.value })} error={fieldError(save.error, 'address')} required dir="ltr" />
          </SimpleGrid>
          <PasswordField label={t('network.nas.secret')} description={t('network.nas.secretHelp')} value={v.secret} onChange={(e) => setV({ ...v, secret: e.currentTarget.value })} error={fieldError(save.error, 'secret')} required />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <NumberInput label={t('network.nas.coaPort')} value={v.coaPort} onChange={(n) => setV({ ...v, coaPort: Number(n) })} min={1} max={65535} error={fieldError(save.error, 'coaPort')} />
            <TextInput label={t('network.nas.location')} value={v.location} onChange={(e) => setV({ ...v, location: e.currentTarget.value })} error={fieldError(save.error, 'location')} />
          </SimpleGrid>
          {v.type === 'mikrotik' && (
            <Select
              label={t('network.api.kind')}
              description={t('network.api.kindHelp')}
              data={apiKinds.map((value) => ({ value, label: t(`network.api.kinds.${value}`) }))}
              value={mgmt.kind}
              onChange={(kind) => kind && setMgmt({ ...mgmt, kind: kind as ApiKind })}
              allowDeselect={false}
              error={fieldError(save.error, 'managementApi.kind')}
            />
          )}
          {managed && (
            <>
              <SimpleGrid cols={{ base: 1, xs: 2 }}>
                <TextInput label={t('network.api.username')} value={mgmt.username} onChange={(e) => setMgmt({ ...mgmt, username: e.currentTarget.value })} error={fieldError(save.error, 'managementApi.username')} required dir="ltr" autoComplete="off" />
                <PasswordField label={t('network.api.password')} value={mgmt.password} onChange={(e) => setMgmt({ ...mgmt, password: e.currentTarget.value })} error={fieldError(save.error, 'managementApi.password')} required autoComplete="new-password" />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, xs: 2 }}>
                <NumberInput label={t('network.api.port')} placeholder={t('network.api.portDefault')} value={mgmt.port} onChange={(port) => setMgmt({ ...mgmt, port })} min={1} max={65535} error={fieldError(save.error, 'managementApi.port')} />
                <Switch label={t('network.api.tls')} checked={mgmt.tls} onChange={(e) => setMgmt({ ...mgmt, tls: e.currentTarget.checked })} mt={{ base: 0, xs: 32 }} />
              </SimpleGrid>
            </>
          )}
          <Switch label={t('network.nas.requireMessageAuthenticator')} checked={v.requireMessageAuthenticator} onChange={(e) => setV({ ...v, requireMessageAuthenticator: e.currentTarget.checked })} />
          {!v.requireMessageAuthenticator && <Alert color="orange">{t('network.nas.blastRadiusWarning')}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
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
