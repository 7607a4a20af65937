import { Badge, Button, Group, Menu, Modal, SegmentedControl, SimpleGrid, Stack, Switch, Table, Text, TextInput, NumberInput } from '@mantine/core';
import { IconEdit, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ConfirmModal, FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { ListTable, LoadMore, RowActions, useCursorList } from '../../components/lists.tsx';
import { useCan, useMe } from '../auth/session.ts';
import { describePenalty, type PenaltyClass } from './model.ts';

function PenaltyClassForm({ penaltyClass, onClose }: { penaltyClass?: PenaltyClass; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [name, setName] = useState(penaltyClass?.name ?? '');
  const [kind, setKind] = useState<PenaltyClass['kind']>(penaltyClass?.kind ?? 'percentage');
  const [amount, setAmount] = useState(penaltyClass?.amount ?? '');
  const [percent, setPercent] = useState(penaltyClass?.percent ?? '');
  const [minimum, setMinimum] = useState(penaltyClass?.minimum ?? '');
  const [currency, setCurrency] = useState(penaltyClass?.currency ?? me.organization.currency);
  const [daysAfterDue, setDaysAfterDue] = useState<number | ''>(penaltyClass?.daysAfterDue ?? 0);
  const [penaltyOnPenalty, setPenaltyOnPenalty] = useState(penaltyClass?.penaltyOnPenalty ?? false);
  const save = useMutation({
    mutationFn: () => {
      const fixed = kind === 'fixed';
      const common = { name, kind, currency, daysAfterDue: daysAfterDue === '' ? 0 : daysAfterDue, penaltyOnPenalty };
      if (penaltyClass)
        return unwrap(
          api.PATCH('/api/billing/penalty-classes/{id}', {
            params: { path: { id: penaltyClass.id } },
            body: { ...common, amount: fixed ? amount : null, percent: fixed ? null : percent, minimum: fixed || !minimum.trim() ? null : minimum },
          }),
        );
      return unwrap(
        api.POST('/api/billing/penalty-classes', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { ...common, amount: fixed ? amount : undefined, percent: fixed ? undefined : percent, minimum: fixed || !minimum.trim() ? undefined : minimum },
        }),
      );
    },
    onSettled: renewKey,
    onSuccess: async (saved) => {
      notify.success(t('billing.penalties.saved', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: ['billing', 'penalty-classes'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={penaltyClass ? t('billing.penalties.edit') : t('billing.penalties.create')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <TextInput label={t('billing.penalties.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} required data-autofocus />
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as PenaltyClass['kind'])}
            data={[
              { value: 'percentage', label: t('billing.penalties.kind.percentage') },
              { value: 'fixed', label: t('billing.penalties.kind.fixed') },
            ]}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {kind === 'fixed' ? (
              <TextInput label={t('billing.penalties.amount')} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={fieldError(save.error, 'amount')} inputMode="decimal" dir="ltr" required />
            ) : (
              <>
                <TextInput label={t('billing.penalties.percent')} value={percent} onChange={(e) => setPercent(e.currentTarget.value)} error={fieldError(save.error, 'percent')} inputMode="decimal" dir="ltr" required />
                <TextInput label={t('billing.penalties.minimum')} value={minimum} onChange={(e) => setMinimum(e.currentTarget.value)} error={fieldError(save.error, 'minimum')} inputMode="decimal" dir="ltr" />
              </>
            )}
            <TextInput label={t('billing.penalties.currency')} value={currency} onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())} error={fieldError(save.error, 'currency')} maxLength={3} dir="ltr" />
            <NumberInput
              label={t('billing.penalties.daysAfterDue')}
              value={daysAfterDue}
              onChange={(v) => setDaysAfterDue(typeof v === 'number' ? v : '')}
              min={0}
              max={365}
              allowDecimal={false}
              error={fieldError(save.error, 'daysAfterDue')}
            />
          </SimpleGrid>
          <Switch label={t('billing.penalties.penaltyOnPenalty')} checked={penaltyOnPenalty} onChange={(e) => setPenaltyOnPenalty(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {penaltyClass ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Late-payment penalty classes: what an overdue invoice costs the subscribers assigned to a class. */
export function PenaltyClassesTab() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<PenaltyClass | 'new' | null>(null);
  const [deleting, setDeleting] = useState<PenaltyClass | null>(null);
  const list = useCursorList(['billing', 'penalty-classes'], (cursor) => unwrap(api.GET('/api/billing/penalty-classes', { params: { query: { limit: 50, cursor } } })));
  const remove = async (p: PenaltyClass) => {
    await unwrap(api.DELETE('/api/billing/penalty-classes/{id}', { params: { path: { id: p.id } } }));
    notify.success(t('billing.penalties.deleted', { name: p.name }));
    await queryClient.invalidateQueries({ queryKey: ['billing', 'penalty-classes'] });
  };
  const editable = (p: PenaltyClass) => !p.readOnly && can('billing.update');
  return (
    <>
      <Group justify="space-between" mb="md">
        <Text size="sm" c="dimmed">
          {t('billing.penalties.help')}
        </Text>
        {can('billing.update') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('billing.penalties.create')}
          </Button>
        )}
      </Group>
      <ListTable list={list} minWidth={620} count={list.items.length} headers={[t('billing.penalties.name'), t('billing.penalties.charge'), t('billing.penalties.penaltyOnPenalty')]} withActions>
        {list.items.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Group gap={4}>
                <Text fw={500}>{p.name}</Text>
                {p.readOnly && <Badge variant="light" color="grape">{t('billing.penalties.inherited')}</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>{describePenalty(p, t, i18n.language)}</Table.Td>
            <Table.Td>{p.penaltyOnPenalty ? t('billing.yes') : t('billing.no')}</Table.Td>
            <Table.Td>
              {editable(p) && (
                <RowActions label={t('common.actionsFor', { name: p.name })}>
                  <Menu.Item leftSection={<IconEdit size={16} />} onClick={() => setEditing(p)}>
                    {t('common.edit')}
                  </Menu.Item>
                  <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(p)}>
                    {t('common.delete')}
                  </Menu.Item>
                </RowActions>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {editing && <PenaltyClassForm penaltyClass={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      <ConfirmModal
        opened={!!deleting}
        title={t('billing.penalties.deleteTitle')}
        message={t('billing.penalties.deleteConfirm', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        onConfirm={() => remove(deleting!)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
