import { Badge, Button, Group, Menu, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArchive, IconCalculator, IconEdit, IconHistory, IconPlus, IconRestore, IconSearch, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ConfirmModal, useNotify } from '../../components/feedback.tsx';
import { ExportButton, ListTable, LoadMore, RowActions, useCursorList } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import { describeBilling, describePrices } from './describe.ts';
import { serviceTypes, type Plan } from './model.ts';
import { PlanForm } from './PlanForm.tsx';
import { PricePreviewModal } from './PricePreviewModal.tsx';
import { VersionHistoryDrawer } from './VersionHistoryDrawer.tsx';

type Status = 'active' | 'archived';

export function PlansTab() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [serviceType, setServiceType] = useState<Plan['serviceType'] | null>(null);
  const [status, setStatus] = useState<Status | null>('active');
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const [history, setHistory] = useState<Plan | null>(null);
  const [previewing, setPreviewing] = useState<Plan | null>(null);
  const [deleting, setDeleting] = useState<Plan | null>(null);
  const filters = { q: q || undefined, serviceType: serviceType ?? undefined, status: status ?? undefined };
  const list = useCursorList(['plans', 'list', filters], (cursor) => unwrap(api.GET('/api/plans', { params: { query: { ...filters, limit: 50, cursor, sort: 'name' } } })));

  const setPlanStatus = async (plan: Plan, next: Status) => {
    try {
      await unwrap(api.PATCH('/api/plans/{id}', { params: { path: { id: plan.id } }, body: { status: next } }));
      notify.success(t(next === 'archived' ? 'plans.archived' : 'plans.restored', { name: plan.name }));
      await queryClient.invalidateQueries({ queryKey: ['plans'] });
    } catch (err) {
      notify.failure(err);
    }
  };
  const remove = async (plan: Plan) => {
    await unwrap(api.DELETE('/api/plans/{id}', { params: { path: { id: plan.id } } }));
    notify.success(t('plans.deleted', { name: plan.name }));
    await queryClient.invalidateQueries({ queryKey: ['plans'] });
  };

  return (
    <>
      <Group mb="md" gap="sm" align="end" justify="space-between">
        <Group gap="sm" align="end">
          <TextInput label={t('common.search')} leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={{ base: '100%', sm: 220 }} />
          <Select
            label={t('plans.form.serviceType')}
            placeholder={t('common.all')}
            data={serviceTypes.map((s) => ({ value: s, label: t(`plans.serviceType.${s}`) }))}
            value={serviceType}
            onChange={(v) => setServiceType(v as Plan['serviceType'] | null)}
            clearable
            w={{ base: '100%', xs: 170 }}
          />
          <Select
            label={t('common.statusLabel')}
            placeholder={t('common.all')}
            data={(['active', 'archived'] as const).map((s) => ({ value: s, label: t(`plans.status.${s}`) }))}
            value={status}
            onChange={(v) => setStatus(v as Status | null)}
            clearable
            w={{ base: '100%', xs: 150 }}
          />
        </Group>
        <Group gap="xs">
          {can('plans.export') && <ExportButton path="/api/plans/export" query={filters} fileName="plans.csv" />}
          {can('plans.create') && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
              {t('plans.create')}
            </Button>
          )}
        </Group>
      </Group>
      <ListTable list={list} minWidth={760} count={list.items.length} headers={[t('plans.form.name'), t('plans.form.serviceType'), t('plans.form.billing'), t('plans.form.prices'), t('plans.version'), t('common.statusLabel')]} withActions>
        {list.items.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Stack gap={0}>
                <Text fw={500}>{p.name}</Text>
                <Text size="xs" c="dimmed" dir="ltr" ta="start">
                  {p.code}
                </Text>
              </Stack>
            </Table.Td>
            <Table.Td>{t(`plans.serviceType.${p.serviceType}`)}</Table.Td>
            <Table.Td>{describeBilling(p.currentVersion, t)}</Table.Td>
            <Table.Td>
              {describePrices(p.currentVersion, t, i18n.language).map((line, i) => (
                <Text key={i} size="sm">
                  {line}
                </Text>
              ))}
            </Table.Td>
            <Table.Td>{t('plans.versionNumber', { version: p.currentVersion.version })}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                <Badge color={p.status === 'active' ? 'teal' : 'gray'} variant="light">
                  {t(`plans.status.${p.status}`)}
                </Badge>
                {p.sharedWithSubtree && !p.readOnly && <Badge variant="light">{t('plans.shared')}</Badge>}
                {p.readOnly && <Badge variant="light" color="grape">{t('plans.from', { name: p.organizationName })}</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>
              <RowActions label={t('common.actionsFor', { name: p.name })}>
                {!p.readOnly && can('plans.update') && (
                  <Menu.Item leftSection={<IconEdit size={16} />} onClick={() => setEditing(p)}>
                    {t('common.edit')}
                  </Menu.Item>
                )}
                <Menu.Item leftSection={<IconHistory size={16} />} onClick={() => setHistory(p)}>
                  {t('plans.history.open')}
                </Menu.Item>
                <Menu.Item leftSection={<IconCalculator size={16} />} onClick={() => setPreviewing(p)}>
                  {t('plans.preview.open')}
                </Menu.Item>
                {!p.readOnly && can('plans.update') && (
                  <Menu.Item
                    leftSection={p.status === 'active' ? <IconArchive size={16} /> : <IconRestore size={16} />}
                    onClick={() => void setPlanStatus(p, p.status === 'active' ? 'archived' : 'active')}
                  >
                    {t(p.status === 'active' ? 'plans.archive' : 'plans.restore')}
                  </Menu.Item>
                )}
                {!p.readOnly && can('plans.delete') && (
                  <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(p)}>
                    {t('common.delete')}
                  </Menu.Item>
                )}
              </RowActions>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {editing && <PlanForm plan={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      {previewing && <PricePreviewModal plan={previewing} onClose={() => setPreviewing(null)} />}
      <VersionHistoryDrawer plan={history} onClose={() => setHistory(null)} />
      <ConfirmModal
        opened={!!deleting}
        title={t('plans.deleteTitle')}
        message={t('plans.deleteConfirm', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        onConfirm={() => remove(deleting!)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
