import { Badge, Button, Checkbox, Group, Menu, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconChevronDown, IconFileImport, IconNumbers, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { EmptyRow, ExportButton, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import { BulkModal, type BulkActionName } from './BulkModal.tsx';
import { ImportModal } from './ImportModal.tsx';
import { NumberingModal } from './NumberingModal.tsx';
import { statusColors, useSubscriberOptions, type Subscriber, type SubscriberStatus } from './options.ts';
import { SubscriberDrawer } from './SubscriberDrawer.tsx';
import { SubscriberForm } from './SubscriberForm.tsx';

export function StatusLabel({ status }: { status: SubscriberStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColors[status]} variant="light">
      {t(`subscribers.status.${status}`)}
    </Badge>
  );
}

const bulkActions: BulkActionName[] = ['activate', 'suspend', 'resume', 'assign', 'move', 'archive', 'delete'];

export default function SubscribersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const options = useSubscriberOptions();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<SubscriberStatus | null>(null);
  const [tag, setTag] = useState('');
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [assignedUserId, setAssignedUserId] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<'new' | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [bulk, setBulk] = useState<BulkActionName | null>(null);
  const [importing, setImporting] = useState(false);
  const [numbering, setNumbering] = useState(false);
  const filters = {
    q: q || undefined,
    status: status ?? undefined,
    tag: tag.trim().toLowerCase() || undefined,
    organizationId: organizationId ?? undefined,
    assignedUserId: assignedUserId ?? undefined,
  };

  const list = useCursorList(['subscribers', 'list', filters], (cursor) =>
    unwrap(api.GET('/api/subscribers', { params: { query: { ...filters, limit: 50, cursor } } })),
  );
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allShown = list.items.length > 0 && list.items.every((s) => selected.has(s.id));
  const canBulk = can('subscribers.update') || can('subscribers.delete');
  const name = (s: Subscriber) => s.companyName ?? s.name;

  return (
    <>
      <PageHeader title={t('subscribers.title')}>
        {can('organizations.update') && (
          <Button variant="default" leftSection={<IconNumbers size={16} />} onClick={() => setNumbering(true)}>
            {t('subscribers.numbering.open')}
          </Button>
        )}
        {can('subscribers.export') && <ExportButton path="/api/subscribers/export" query={filters} fileName="subscribers.csv" />}
        {can('subscribers.create') && (
          <>
            <Button variant="default" leftSection={<IconFileImport size={16} />} onClick={() => setImporting(true)}>
              {t('subscribers.import.open')}
            </Button>
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
              {t('subscribers.create')}
            </Button>
          </>
        )}
      </PageHeader>
      <Group mb="md" gap="sm" align="end">
        <TextInput
          label={t('common.search')}
          placeholder={t('subscribers.searchHint')}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', sm: 280 }}
        />
        <Select label={t('common.statusLabel')} placeholder={t('common.all')} data={options.statusOptions} value={status} onChange={(v) => setStatus(v as SubscriberStatus | null)} clearable w={{ base: '100%', xs: 150 }} />
        <TextInput label={t('subscribers.form.tag')} value={tag} onChange={(e) => setTag(e.currentTarget.value)} w={{ base: '100%', xs: 140 }} />
        {options.organizationOptions.length > 1 && (
          <Select label={t('subscribers.form.organization')} placeholder={t('common.all')} data={options.organizationOptions} value={organizationId} onChange={setOrganizationId} searchable clearable w={{ base: '100%', xs: 200 }} />
        )}
        {options.staffOptions.length > 0 && (
          <Select label={t('subscribers.form.assignedTo')} placeholder={t('common.all')} data={options.staffOptions} value={assignedUserId} onChange={setAssignedUserId} searchable clearable w={{ base: '100%', xs: 180 }} />
        )}
      </Group>
      {canBulk && selected.size > 0 && (
        <Group mb="sm" gap="xs">
          <Text size="sm">{t('subscribers.bulk.selected', { count: selected.size })}</Text>
          <Menu position="bottom-start">
            <Menu.Target>
              <Button size="xs" rightSection={<IconChevronDown size={14} />}>
                {t('subscribers.bulk.actions')}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {bulkActions
                .filter((a) => can(`subscribers.${a === 'delete' ? 'delete' : 'update'}`))
                .map((a) => (
                  <Menu.Item key={a} color={a === 'delete' ? 'red' : undefined} onClick={() => setBulk(a)}>
                    {t(`subscribers.bulk.action.${a}`)}
                  </Menu.Item>
                ))}
            </Menu.Dropdown>
          </Menu>
          <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
            {t('subscribers.bulk.clear')}
          </Button>
        </Group>
      )}
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <QueryError error={list.error} />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                {canBulk && (
                  <Table.Th w={40}>
                    <Checkbox
                      aria-label={t('subscribers.bulk.selectAll')}
                      checked={allShown}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        list.items.forEach((s) => toggle(s.id, on));
                      }}
                    />
                  </Table.Th>
                )}
                <Table.Th>{t('subscribers.form.name')}</Table.Th>
                <Table.Th>{t('subscribers.accountNumber')}</Table.Th>
                <Table.Th>{t('subscribers.phone')}</Table.Th>
                <Table.Th>{t('common.statusLabel')}</Table.Th>
                <Table.Th>{t('subscribers.form.organization')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.length === 0 && <EmptyRow columns={canBulk ? 6 : 5} />}
              {list.items.map((s) => (
                <Table.Tr key={s.id}>
                  {canBulk && (
                    <Table.Td>
                      <Checkbox aria-label={t('subscribers.bulk.select', { name: name(s) })} checked={selected.has(s.id)} onChange={(e) => toggle(s.id, e.currentTarget.checked)} />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Stack gap={0}>
                      <Button variant="subtle" size="compact-sm" px={0} onClick={() => setOpenId(s.id)} style={{ alignSelf: 'flex-start' }}>
                        {name(s)}
                      </Button>
                      {s.companyName && (
                        <Text size="xs" c="dimmed">
                          {s.name}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td dir="ltr">{s.accountNumber}</Table.Td>
                  <Table.Td dir="ltr">{s.phone ?? ''}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <StatusLabel status={s.status} />
                      {s.suspendOn && (
                        <Badge color="orange" variant="outline">
                          {t('subscribers.suspendOnBadge', { date: s.suspendOn })}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{options.organizationName(s.organizationId)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {editing && <SubscriberForm onClose={() => setEditing(null)} onSaved={(s) => setOpenId(s.id)} />}
      <SubscriberDrawer id={openId} onClose={() => setOpenId(null)} />
      {bulk && <BulkModal action={bulk} ids={[...selected]} onClose={() => setBulk(null)} onApplied={() => setSelected(new Set())} />}
      {importing && <ImportModal onClose={() => setImporting(false)} />}
      {numbering && <NumberingModal onClose={() => setNumbering(false)} />}
    </>
  );
}
