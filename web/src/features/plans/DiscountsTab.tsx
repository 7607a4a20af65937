import { Badge, Button, Group, Menu, Modal, MultiSelect, NumberInput, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconEdit, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ConfirmModal, FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { ListTable, LoadMore, RowActions, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan, useMe } from '../auth/session.ts';
import { formatAmount, type Discount } from './model.ts';

/** An instant as the value of a datetime-local input, in the browser's time, and back. */
const toLocalInput = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : null);

function DiscountForm({ discount, onClose }: { discount?: Discount; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const plans = useQuery({ queryKey: ['plans', 'options'], queryFn: () => unwrap(api.GET('/api/plans', { params: { query: { limit: 200, status: 'active' } } })) });
  const [name, setName] = useState(discount?.name ?? '');
  const [couponCode, setCouponCode] = useState(discount?.couponCode ?? '');
  const [kind, setKind] = useState<Discount['kind']>(discount?.kind ?? 'percentage');
  const [percent, setPercent] = useState(discount?.percent ?? '');
  const [amount, setAmount] = useState(discount?.amount ?? '');
  const [currency, setCurrency] = useState(discount?.currency ?? me.organization.currency);
  const [startsAt, setStartsAt] = useState(toLocalInput(discount?.startsAt ?? null));
  const [endsAt, setEndsAt] = useState(toLocalInput(discount?.endsAt ?? null));
  const [maxRedemptions, setMaxRedemptions] = useState<number | ''>(discount?.maxRedemptions ?? '');
  const [planIds, setPlanIds] = useState<string[]>(discount?.planIds ?? []);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name,
        couponCode: couponCode.trim() || null,
        kind,
        percent: kind === 'percentage' ? percent : null,
        amount: kind === 'fixed' ? amount : null,
        currency: kind === 'fixed' ? currency : null,
        startsAt: fromLocalInput(startsAt),
        endsAt: fromLocalInput(endsAt),
        maxRedemptions: maxRedemptions === '' ? null : maxRedemptions,
        planIds,
      };
      return discount
        ? unwrap(api.PATCH('/api/discounts/{id}', { params: { path: { id: discount.id } }, body }))
        : unwrap(api.POST('/api/discounts', { headers: { 'Idempotency-Key': idempotencyKey }, body }));
    },
    onSettled: renewKey,
    onSuccess: async (saved) => {
      notify.success(t(discount ? 'plans.discount.updated' : 'plans.discount.created', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: ['discounts'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={discount ? t('plans.discount.edit') : t('plans.discount.create')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('plans.form.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} required data-autofocus />
            <TextInput label={t('plans.discount.couponCode')} description={t('plans.discount.couponHelp')} value={couponCode} onChange={(e) => setCouponCode(e.currentTarget.value.toUpperCase())} error={fieldError(save.error, 'couponCode')} dir="ltr" />
          </SimpleGrid>
          <SegmentedControl
            data={(['percentage', 'fixed'] as const).map((k) => ({ value: k, label: t(`plans.discount.kind.${k}`) }))}
            value={kind}
            onChange={(v) => setKind(v as Discount['kind'])}
          />
          {kind === 'percentage' ? (
            <TextInput label={t('plans.discount.percent')} value={percent} onChange={(e) => setPercent(e.currentTarget.value)} error={fieldError(save.error, 'percent')} required />
          ) : (
            <Group grow align="start">
              <TextInput label={t('plans.discount.amount')} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={fieldError(save.error, 'amount')} required />
              <TextInput label={t('plans.price.currency')} value={currency} onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())} error={fieldError(save.error, 'currency')} maxLength={3} required />
            </Group>
          )}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput type="datetime-local" label={t('plans.discount.startsAt')} value={startsAt} onChange={(e) => setStartsAt(e.currentTarget.value)} error={fieldError(save.error, 'startsAt')} />
            <TextInput type="datetime-local" label={t('plans.discount.endsAt')} value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} error={fieldError(save.error, 'endsAt')} />
            <NumberInput label={t('plans.discount.maxRedemptions')} value={maxRedemptions} onChange={(v) => setMaxRedemptions(typeof v === 'number' ? v : '')} min={1} allowDecimal={false} error={fieldError(save.error, 'maxRedemptions')} />
          </SimpleGrid>
          <MultiSelect
            label={t('plans.discount.plans')}
            placeholder={planIds.length ? undefined : t('plans.discount.allPlans')}
            data={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.code})` }))}
            value={planIds}
            onChange={setPlanIds}
            error={fieldError(save.error, 'planIds', 'planIds.0')}
            searchable
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {discount ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function DiscountsTab() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Discount | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Discount | null>(null);
  const list = useCursorList(['discounts', 'list'], (cursor) => unwrap(api.GET('/api/discounts', { params: { query: { limit: 50, cursor } } })));
  const remove = async (d: Discount) => {
    await unwrap(api.DELETE('/api/discounts/{id}', { params: { path: { id: d.id } } }));
    notify.success(t('plans.discount.deleted', { name: d.name }));
    await queryClient.invalidateQueries({ queryKey: ['discounts'] });
  };
  const value = (d: Discount) => (d.kind === 'percentage' ? `${d.percent}%` : formatAmount(d.amount!, d.currency!, i18n.language));
  const promotionWindow = (d: Discount) =>
    [d.startsAt && t('plans.discount.from', { date: format.dateTime(d.startsAt) }), d.endsAt && t('plans.discount.until', { date: format.dateTime(d.endsAt) })].filter(Boolean).join(' ') ||
    t('plans.discount.always');
  return (
    <>
      <Group justify="flex-end" mb="md">
        {can('plans.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('plans.discount.create')}
          </Button>
        )}
      </Group>
      <ListTable list={list} minWidth={640} count={list.items.length} headers={[t('plans.form.name'), t('plans.discount.value'), t('plans.discount.window'), t('plans.discount.uses')]} withActions>
        {list.items.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>
              <Text fw={500}>{d.name}</Text>
              {d.couponCode && (
                <Badge variant="outline" dir="ltr">
                  {d.couponCode}
                </Badge>
              )}
            </Table.Td>
            <Table.Td>{value(d)}</Table.Td>
            <Table.Td>{promotionWindow(d)}</Table.Td>
            <Table.Td>{d.maxRedemptions ? t('plans.discount.usesOf', { used: d.redemptions, max: d.maxRedemptions }) : d.redemptions}</Table.Td>
            <Table.Td>
              {(can('plans.update') || can('plans.delete')) && (
                <RowActions label={t('common.actionsFor', { name: d.name })}>
                  {can('plans.update') && (
                    <Menu.Item leftSection={<IconEdit size={16} />} onClick={() => setEditing(d)}>
                      {t('common.edit')}
                    </Menu.Item>
                  )}
                  {can('plans.delete') && (
                    <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(d)}>
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
      {editing && <DiscountForm discount={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
      <ConfirmModal
        opened={!!deleting}
        title={t('plans.discount.deleteTitle')}
        message={t('plans.discount.deleteConfirm', { name: deleting?.name ?? '' })}
        confirmLabel={t('common.delete')}
        onConfirm={() => remove(deleting!)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
