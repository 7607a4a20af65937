import { Badge, Button, Group, Menu, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconEdit, IconLink, IconLockOpen, IconPlayerPause, IconPlayerPlay, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type User } from '../../api/client.ts';
import { ConfirmModal, PageHeader, useNotify } from '../../components/feedback.tsx';
import { ExportButton, ListTable, LoadMore, RowActions, StatusBadge, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan, useMe } from '../auth/session.ts';
import { useUserOptions } from './options.ts';
import { PasswordLinkModal, UserForm } from './UserForm.tsx';

type Status = 'active' | 'disabled';

export default function UsersPage() {
  const { t } = useTranslation();
  const me = useMe();
  const can = useCan();
  const notify = useNotify();
  const format = useFormat();
  const options = useUserOptions();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [role, setRole] = useState<string | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const filters = { q: q || undefined, role: role ?? undefined, status: status ?? undefined, organizationId: organizationId ?? undefined };

  const list = useCursorList(['users', 'list', filters], (cursor) =>
    unwrap(api.GET('/api/users', { params: { query: { ...filters, limit: 50, cursor, sort: 'name' } } })),
  );

  const act = async (work: () => Promise<unknown>, message: string) => {
    try {
      await work();
      notify.success(message);
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    } catch (err) {
      notify.failure(err);
    }
  };
  const setUserStatus = (u: User, next: Status) =>
    act(
      () => unwrap(api.PATCH('/api/users/{id}', { params: { path: { id: u.id } }, body: { status: next } })),
      t(next === 'disabled' ? 'users.disabled' : 'users.enabled', { name: u.name }),
    );
  const unlock = (u: User) => act(() => unwrap(api.POST('/api/users/{id}/unlock', { params: { path: { id: u.id } } })), t('users.unlocked', { name: u.name }));
  const issueLink = async (u: User) => {
    try {
      setLink(await unwrap(api.POST('/api/users/{id}/password-link', { params: { path: { id: u.id } } })));
    } catch (err) {
      notify.failure(err);
    }
  };
  const remove = async (u: User) => {
    await unwrap(api.DELETE('/api/users/{id}', { params: { path: { id: u.id } } }));
    notify.success(t('users.deleted', { name: u.name }));
    await queryClient.invalidateQueries({ queryKey: ['users'] });
  };
  const locked = (u: User) => !!u.lockedUntil && new Date(u.lockedUntil) > new Date();

  return (
    <>
      <PageHeader title={t('users.title')}>
        {can('users.export') && <ExportButton path="/api/users/export" query={filters} fileName="users.csv" />}
        {can('users.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('users.create')}
          </Button>
        )}
      </PageHeader>
      <Group mb="md" gap="sm" align="end">
        <TextInput
          label={t('common.search')}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', sm: 220 }}
        />
        <Select label={t('users.form.role')} placeholder={t('common.all')} data={options.roleOptions} value={role} onChange={setRole} clearable w={{ base: '100%', xs: 170 }} />
        <Select
          label={t('common.statusLabel')}
          placeholder={t('common.all')}
          data={(['active', 'disabled'] as const).map((s) => ({ value: s, label: t(`common.status.${s}`) }))}
          value={status}
          onChange={(v) => setStatus(v as Status | null)}
          clearable
          w={{ base: '100%', xs: 150 }}
        />
        {options.organizationOptions.length > 1 && (
          <Select
            label={t('users.form.organization')}
            placeholder={t('common.all')}
            data={options.organizationOptions}
            value={organizationId}
            onChange={setOrganizationId}
            searchable
            clearable
            w={{ base: '100%', xs: 200 }}
          />
        )}
      </Group>
      <ListTable list={list} minWidth={720} count={list.items.length} headers={[t('users.form.name'), t('users.form.role'), t('users.form.organization'), t('common.statusLabel'), t('users.lastLogin')]} withActions>
        {list.items.map((u) => (
          <Table.Tr key={u.id}>
            <Table.Td>
              <Stack gap={0}>
                <Text fw={500}>{u.name}</Text>
                <Text size="xs" c="dimmed" dir="ltr" ta="start">
                  {u.email}
                </Text>
              </Stack>
            </Table.Td>
            <Table.Td>{options.roleName(u.role)}</Table.Td>
            <Table.Td>{options.organizationName(u.organizationId) || (u.organizationId === me.organization.id ? me.organization.name : '')}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                <StatusBadge status={u.status} />
                {locked(u) && <Badge color="orange" variant="light">{t('users.locked')}</Badge>}
                {u.totpEnabled && <Badge color="blue" variant="light">{t('users.twoFactor')}</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>{u.lastLoginAt ? format.dateTime(u.lastLoginAt) : t('common.never')}</Table.Td>
            <Table.Td>
              {u.id !== me.user.id && (can('users.update') || can('users.delete')) && (
                <RowActions label={t('common.actionsFor', { name: u.name })}>
                  {can('users.update') && (
                    <>
                      <Menu.Item leftSection={<IconEdit size={16} />} onClick={() => setEditing(u)}>
                        {t('common.edit')}
                      </Menu.Item>
                      <Menu.Item leftSection={<IconLink size={16} />} onClick={() => void issueLink(u)}>
                        {t('users.issueLink')}
                      </Menu.Item>
                      {locked(u) && (
                        <Menu.Item leftSection={<IconLockOpen size={16} />} onClick={() => void unlock(u)}>
                          {t('users.unlock')}
                        </Menu.Item>
                      )}
                      {u.status === 'active' ? (
                        <Menu.Item leftSection={<IconPlayerPause size={16} />} onClick={() => void setUserStatus(u, 'disabled')}>
                          {t('common.disable')}
                        </Menu.Item>
                      ) : (
                        <Menu.Item leftSection={<IconPlayerPlay size={16} />} onClick={() => void setUserStatus(u, 'active')}>
                          {t('common.enable')}
                        </Menu.Item>
                      )}
                    </>
                  )}
                  {can('users.delete') && (
                    <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(u)}>
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
      {editing && <UserForm user={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      {link && <PasswordLinkModal link={link} onClose={() => setLink(null)} />}
      <ConfirmModal
        opened={!!deleting}
        title={t('users.deleteTitle')}
        message={t('users.deleteConfirm', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        onConfirm={() => remove(deleting!)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
