import { ActionIcon, Badge, Button, Checkbox, Group, Menu, Modal, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { IconEdit, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ConfirmModal, FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { ListTable, LoadMore, RowActions, useCursorList } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import type { TaxClass } from './model.ts';

type Rate = TaxClass['rates'][number];

function TaxClassForm({ taxClass, onClose }: { taxClass?: TaxClass; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [code, setCode] = useState(taxClass?.code ?? '');
  const [name, setName] = useState(taxClass?.name ?? '');
  const [inclusive, setInclusive] = useState(taxClass?.inclusive ?? true);
  const [rates, setRates] = useState<Rate[]>(taxClass?.rates ?? [{ code: 'VAT', percent: '', compound: false }]);
  const editRate = (i: number, patch: Partial<Rate>) => setRates(rates.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = useMutation({
    mutationFn: () =>
      taxClass
        ? unwrap(api.PATCH('/api/tax-classes/{id}', { params: { path: { id: taxClass.id } }, body: { name, inclusive, rates } }))
        : unwrap(api.POST('/api/tax-classes', { headers: { 'Idempotency-Key': idempotencyKey }, body: { code, name, inclusive, rates } })),
    onSettled: renewKey,
    onSuccess: async (saved) => {
      notify.success(t(taxClass ? 'plans.tax.updated' : 'plans.tax.created', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: ['tax-classes'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={taxClass ? t('plans.tax.edit') : t('plans.tax.create')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <Group grow align="start">
            <TextInput label={t('plans.form.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} required data-autofocus />
            <TextInput label={t('plans.form.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} error={fieldError(save.error, 'code')} disabled={!!taxClass} required dir="ltr" />
          </Group>
          <Switch label={t('plans.tax.inclusive')} description={t('plans.tax.inclusiveHelp')} checked={inclusive} onChange={(e) => setInclusive(e.currentTarget.checked)} />
          {rates.map((rate, i) => (
            <Group key={i} gap="xs" align="end" wrap="nowrap">
              <TextInput label={t('plans.tax.rateCode')} value={rate.code} onChange={(e) => editRate(i, { code: e.currentTarget.value.toUpperCase() })} error={fieldError(save.error, `rates.${i}.code`)} w={110} />
              <TextInput label={t('plans.tax.percent')} value={rate.percent} onChange={(e) => editRate(i, { percent: e.currentTarget.value })} error={fieldError(save.error, `rates.${i}.percent`)} style={{ flex: 1 }} />
              <Checkbox label={t('plans.tax.compound')} checked={rate.compound} onChange={(e) => editRate(i, { compound: e.currentTarget.checked })} mb={8} />
              <ActionIcon variant="subtle" color="red" aria-label={t('plans.tax.removeRate')} onClick={() => setRates(rates.filter((_, j) => j !== i))} disabled={rates.length === 1} mb={4}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setRates([...rates, { code: '', percent: '', compound: true }])} w="fit-content">
            {t('plans.tax.addRate')}
          </Button>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {taxClass ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function TaxClassesTab() {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<TaxClass | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TaxClass | null>(null);
  const list = useCursorList(['tax-classes', 'list'], (cursor) => unwrap(api.GET('/api/tax-classes', { params: { query: { limit: 50, cursor } } })));
  const remove = async (c: TaxClass) => {
    await unwrap(api.DELETE('/api/tax-classes/{id}', { params: { path: { id: c.id } } }));
    notify.success(t('plans.tax.deleted', { name: c.name }));
    await queryClient.invalidateQueries({ queryKey: ['tax-classes'] });
  };
  return (
    <>
      <Group justify="flex-end" mb="md">
        {can('plans.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('plans.tax.create')}
          </Button>
        )}
      </Group>
      <ListTable list={list} minWidth={560} count={list.items.length} headers={[t('plans.form.name'), t('plans.tax.rates'), t('plans.tax.kind')]} withActions>
        {list.items.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>
              <Text fw={500}>{c.name}</Text>
              <Text size="xs" c="dimmed" dir="ltr" ta="start">
                {c.code}
              </Text>
            </Table.Td>
            <Table.Td dir="ltr">{c.rates.map((r) => `${r.code} ${r.percent}%${r.compound ? ' ⊕' : ''}`).join(' + ')}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                <Badge variant="light">{t(c.inclusive ? 'plans.tax.inclusiveShort' : 'plans.tax.exclusiveShort')}</Badge>
                {c.readOnly && <Badge variant="light" color="grape">{t('plans.tax.inherited')}</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>
              {!c.readOnly && (can('plans.update') || can('plans.delete')) && (
                <RowActions label={t('common.actionsFor', { name: c.name })}>
                  {can('plans.update') && (
                    <Menu.Item leftSection={<IconEdit size={16} />} onClick={() => setEditing(c)}>
                      {t('common.edit')}
                    </Menu.Item>
                  )}
                  {can('plans.delete') && (
                    <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(c)}>
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
      {editing && <TaxClassForm taxClass={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      <ConfirmModal
        opened={!!deleting}
        title={t('plans.tax.deleteTitle')}
        message={t('plans.tax.deleteConfirm', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        onConfirm={() => remove(deleting!)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
