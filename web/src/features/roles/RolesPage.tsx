import { Badge, Button, Card, Grid, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { IconDeviceFloppy, IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ConfirmModal, FormError, Loading, PageHeader, QueryError, useNotify } from '../../components/feedback.tsx';
import { useCan, useMe } from '../auth/session.ts';
import { PermissionMatrix } from './PermissionMatrix.tsx';
import { RoleForm } from './RoleForm.tsx';

export default function RolesPage() {
  const { t } = useTranslation();
  const me = useMe();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/api/roles')) });
  const catalogue = useQuery({ queryKey: ['permissions'], queryFn: () => unwrap(api.GET('/api/permissions')) });
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [draft, setDraft] = useState<Set<string> | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState(false);

  if (roles.isPending || catalogue.isPending) return <Loading />;
  if (roles.isError || catalogue.isError) return <QueryError error={roles.error ?? catalogue.error} />;

  const role = roles.data.find((r) => r.key === selectedKey) ?? roles.data[0];
  const roleName = (r: { key: string; name: string }) => t(`roles.names.${r.key}`, { defaultValue: r.name });
  const selected = draft ?? new Set(role?.permissions ?? []);
  const editable = !!role && can('roles.update') && role.key !== me.user.role;
  const dirty = draft !== null;

  const select = (key: string) => {
    setSelectedKey(key);
    setDraft(null);
    setSaveError(null);
  };

  const save = async () => {
    if (!role) return;
    setSaving(true);
    setSaveError(null);
    try {
      // The description is sent back unchanged: the API resets an omitted one to ''.
      await unwrap(api.PATCH('/api/roles/{key}', { params: { path: { key: role.key } }, body: { description: role.description, permissions: [...selected].sort() } }));
      await queryClient.invalidateQueries({ queryKey: ['roles'] });
      setDraft(null);
      notify.success(t('roles.saved', { name: roleName(role) }));
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!role) return;
    await unwrap(api.DELETE('/api/roles/{key}', { params: { path: { key: role.key } } }));
    notify.success(t('roles.deleted', { name: roleName(role) }));
    setSelectedKey(null);
    await queryClient.invalidateQueries({ queryKey: ['roles'] });
  };

  return (
    <>
      <PageHeader title={t('roles.title')}>
        {can('roles.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('roles.create')}
          </Button>
        )}
      </PageHeader>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder p="xs" component="nav" aria-label={t('roles.list')}>
            {roles.data.map((r) => (
              <NavLink
                key={r.key}
                component="button"
                label={roleName(r)}
                description={r.builtin ? t('roles.builtin') : t('roles.custom')}
                active={r.key === role?.key}
                onClick={() => select(r.key)}
              />
            ))}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {role && (
            <Card withBorder>
              <Stack>
                <Group justify="space-between" align="start">
                  <div>
                    <Group gap="xs">
                      <Title order={3}>{roleName(role)}</Title>
                      <Badge variant="light" color={role.builtin ? 'gray' : 'teal'}>
                        {role.builtin ? t('roles.builtin') : t('roles.custom')}
                      </Badge>
                    </Group>
                    <Text c="dimmed" size="sm">
                      {t(`roles.descriptions.${role.key}`, { defaultValue: role.description })}
                    </Text>
                  </div>
                  {!role.builtin && can('roles.delete') && (
                    <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
                      {t('common.delete')}
                    </Button>
                  )}
                </Group>
                {role.key === me.user.role && <Text size="sm">{t('roles.ownRole')}</Text>}
                <FormError error={saveError} />
                <PermissionMatrix
                  catalogue={catalogue.data.map((p) => p.key)}
                  selected={selected}
                  onChange={editable ? setDraft : undefined}
                />
                {editable && (
                  <Group justify="flex-end">
                    <Button variant="default" disabled={!dirty} onClick={() => setDraft(null)}>
                      {t('common.reset')}
                    </Button>
                    <Button leftSection={<IconDeviceFloppy size={16} />} disabled={!dirty} loading={saving} onClick={() => void save()}>
                      {t('common.save')}
                    </Button>
                  </Group>
                )}
              </Stack>
            </Card>
          )}
        </Grid.Col>
      </Grid>
      {creating && (
        <RoleForm
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            select(key);
          }}
        />
      )}
      <ConfirmModal
        opened={deleting}
        title={t('roles.deleteTitle')}
        message={t('roles.deleteConfirm', { name: role ? roleName(role) : '' })}
        confirmLabel={t('common.delete')}
        onConfirm={remove}
        onClose={() => setDeleting(false)}
      />
    </>
  );
}
