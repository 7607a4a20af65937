import { Box, Button, Group, Menu, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconEdit, IconPlayerPause, IconPlayerPlay, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Organization } from '../../api/client.ts';
import { ConfirmModal, PageHeader, useNotify } from '../../components/feedback.tsx';
import { ExportButton, ListTable, LoadMore, RowActions, StatusBadge, useCursorList } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import { OrganizationForm } from './OrganizationForm.tsx';
import { treeOrder } from './tree.ts';

const kinds = ['isp', 'reseller', 'sub_reseller', 'card_partner'] as const;
type Kind = (typeof kinds)[number];
type Status = 'active' | 'disabled';

export default function OrganizationsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [kind, setKind] = useState<Kind | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [editing, setEditing] = useState<Organization | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Organization | null>(null);
  const filters = { q: q || undefined, kind: kind ?? undefined, status: status ?? undefined };

  const list = useCursorList(['organizations', 'list', filters], (cursor) =>
    unwrap(api.GET('/api/organizations', { params: { query: { ...filters, limit: 200, cursor, sort: 'depth' } } })),
  );
  const rows = treeOrder(list.items);

  const setOrgStatus = async (org: Organization, next: Status) => {
    try {
      await unwrap(api.PATCH('/api/organizations/{id}', { params: { path: { id: org.id } }, body: { status: next } }));
      notify.success(t(next === 'disabled' ? 'organizations.disabled' : 'organizations.enabled', { name: org.name }));
      await queryClient.invalidateQueries({ queryKey: ['organizations'] });
    } catch (err) {
      notify.failure(err);
    }
  };

  const remove = async (org: Organization) => {
    await unwrap(api.DELETE('/api/organizations/{id}', { params: { path: { id: org.id } } }));
    notify.success(t('organizations.deleted', { name: org.name }));
    await queryClient.invalidateQueries({ queryKey: ['organizations'] });
  };

  return (
    <>
      <PageHeader title={t('organizations.title')}>
        {can('organizations.export') && <ExportButton path="/api/organizations/export" query={filters} fileName="organizations.csv" />}
        {can('organizations.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('organizations.create')}
          </Button>
        )}
      </PageHeader>
      <Group mb="md" gap="sm" align="end">
        <TextInput
          label={t('common.search')}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', sm: 240 }}
        />
        <Select
          label={t('organizations.form.kind')}
          placeholder={t('common.all')}
          data={kinds.map((k) => ({ value: k, label: t(`organizations.kind.${k}`) }))}
          value={kind}
          onChange={(v) => setKind(v as Kind | null)}
          clearable
          w={{ base: '100%', xs: 180 }}
        />
        <Select
          label={t('common.statusLabel')}
          placeholder={t('common.all')}
          data={(['active', 'disabled'] as const).map((s) => ({ value: s, label: t(`common.status.${s}`) }))}
          value={status}
          onChange={(v) => setStatus(v as Status | null)}
          clearable
          w={{ base: '100%', xs: 160 }}
        />
      </Group>
      <ListTable list={list} minWidth={640} count={rows.length} headers={[t('organizations.form.name'), t('organizations.form.kind'), t('common.statusLabel'), t('organizations.form.currency'), t('organizations.form.timezone')]} withActions>
        {rows.map(({ item: org, level }) => (
          <Table.Tr key={org.id}>
            <Table.Td>
              <Box style={{ paddingInlineStart: `calc(${level} * var(--mantine-spacing-lg))` }}>
                <Text fw={level === 0 ? 600 : 400}>{org.name}</Text>
              </Box>
            </Table.Td>
            <Table.Td>{t(`organizations.kind.${org.kind}`)}</Table.Td>
            <Table.Td>
              <StatusBadge status={org.status} />
            </Table.Td>
            <Table.Td>{org.currency}</Table.Td>
            <Table.Td>{org.timezone}</Table.Td>
            <Table.Td>
              {(can('organizations.update') || can('organizations.delete')) && (
                <RowActions label={t('common.actionsFor', { name: org.name })}>
                  {can('organizations.update') && (
                    <>
                      <Menu.Item leftSection={<IconEdit size={16} />} onClick={() => setEditing(org)}>
                        {t('common.edit')}
                      </Menu.Item>
                      {org.status === 'active' ? (
                        <Menu.Item leftSection={<IconPlayerPause size={16} />} onClick={() => void setOrgStatus(org, 'disabled')}>
                          {t('common.disable')}
                        </Menu.Item>
                      ) : (
                        <Menu.Item leftSection={<IconPlayerPlay size={16} />} onClick={() => void setOrgStatus(org, 'active')}>
                          {t('common.enable')}
                        </Menu.Item>
                      )}
                    </>
                  )}
                  {can('organizations.delete') && org.parentId && (
                    <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(org)}>
                      {t('common.delete')}
                    </Menu.Item>
                  )}
                </RowActions>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {editing && <OrganizationForm organization={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      <ConfirmModal
        opened={!!deleting}
        title={t('organizations.deleteTitle')}
        message={t('organizations.deleteConfirm', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        onConfirm={() => remove(deleting!)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
