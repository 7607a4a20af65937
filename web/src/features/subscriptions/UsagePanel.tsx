import '@mantine/dates/styles.css';
import { Badge, Button, Group, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider, DateTimePicker, type DatesRangeValue } from '@mantine/dates';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useDatesLocale } from '../../lib/dates-locale.ts';
import { useFormat } from '../../lib/use-format.ts';
import { useCan, useMe } from '../auth/session.ts';
import { SubscriptionUsageGraph } from '../usage-graphs/index.tsx';
import { dayIn, instantIn, monthOf, nextDay } from './model.ts';

function AddReading({ subscriptionId }: { subscriptionId: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [unit, setUnit] = useState('GB');
  const [quantity, setQuantity] = useState('');
  const [occurredAt, setOccurredAt] = useState<string | null>(null);
  const [reference, setReference] = useState('');
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/subscriptions/{id}/usage', {
          params: { path: { id: subscriptionId } },
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { unit: unit.trim(), quantity: quantity.trim(), occurredAt: occurredAt ? instantIn(occurredAt, me.organization.timezone) : '', reference: reference.trim() || undefined },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async () => {
      notify.success(t('subscriptions.usage.added'));
      setQuantity('');
      setReference('');
      await queryClient.invalidateQueries({ queryKey: ['usage', subscriptionId] });
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Stack gap="xs">
        <FormError error={add.error} />
        <SimpleGrid cols={{ base: 1, xs: 2, sm: 4 }} spacing="xs">
          <TextInput label={t('subscriptions.usage.unit')} value={unit} onChange={(e) => setUnit(e.currentTarget.value)} error={fieldError(add.error, 'unit')} required dir="ltr" />
          <TextInput label={t('subscriptions.usage.quantity')} value={quantity} onChange={(e) => setQuantity(e.currentTarget.value)} error={fieldError(add.error, 'quantity')} inputMode="decimal" required dir="ltr" />
          <DateTimePicker label={t('subscriptions.usage.occurredAt')} value={occurredAt} onChange={setOccurredAt} error={fieldError(add.error, 'occurredAt')} required />
          <TextInput label={t('subscriptions.usage.reference')} value={reference} onChange={(e) => setReference(e.currentTarget.value)} error={fieldError(add.error, 'reference')} dir="ltr" />
        </SimpleGrid>
        <Button type="submit" size="xs" loading={add.isPending} disabled={!quantity.trim() || !occurredAt} style={{ alignSelf: 'flex-end' }}>
          {t('subscriptions.usage.add')}
        </Button>
      </Stack>
    </form>
  );
}

function Readings({ subscriptionId, range }: { subscriptionId: string; range: { from: string; to: string } }) {
  const { t } = useTranslation();
  const format = useFormat();
  const totals = useQuery({
    queryKey: ['usage', subscriptionId, 'totals', range],
    queryFn: () => unwrap(api.GET('/api/subscriptions/{id}/usage/totals', { params: { path: { id: subscriptionId }, query: range } })),
  });
  const list = useCursorList(['usage', subscriptionId, 'list', range], (cursor) =>
    unwrap(api.GET('/api/subscriptions/{id}/usage', { params: { path: { id: subscriptionId }, query: { ...range, limit: 50, cursor } } })),
  );
  return (
    <Stack gap="xs">
      <Group gap="xs" aria-label={t('subscriptions.usage.totals')}>
        <Text size="sm" fw={500}>
          {t('subscriptions.usage.totals')}:
        </Text>
        {Object.entries(totals.data?.totals ?? {}).map(([unit, sum]) => (
          <Badge key={unit} variant="light">
            <span dir="ltr">
              {sum} {unit}
            </span>
          </Badge>
        ))}
        {totals.data && Object.keys(totals.data.totals).length === 0 && <Text size="sm">—</Text>}
      </Group>
      <ListTable list={list} minWidth={480} count={list.items.length} headers={[t('subscriptions.usage.occurredAt'), t('subscriptions.usage.quantity'), t('subscriptions.usage.source'), t('subscriptions.usage.reference')]}>
        {list.items.map((r) => (
          <Table.Tr key={r.id}>
            <Table.Td>{format.dateTime(r.occurredAt)}</Table.Td>
            <Table.Td dir="ltr">
              {r.quantity} {r.unit}
            </Table.Td>
            <Table.Td>{t(`subscriptions.usage.sources.${r.source}`)}</Table.Td>
            <Table.Td dir="ltr">{r.reference ?? ''}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </Stack>
  );
}

/** Consumption readings of one of the subscriber's subscriptions over a range of days, with exact totals per unit. */
export function UsagePanel({ subscriberId }: { subscriberId: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const can = useCan();
  const datesLocale = useDatesLocale();
  const tz = me.organization.timezone;
  const subscriptions = useQuery({
    queryKey: ['subscriptions', 'of', subscriberId, 'options'],
    queryFn: () => unwrap(api.GET('/api/subscribers/{id}/subscriptions', { params: { path: { id: subscriberId }, query: { limit: 200 } } })),
  });
  const items = subscriptions.data?.items ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const subscriptionId = chosen ?? items[0]?.id ?? null;
  const [days, setDays] = useState<DatesRangeValue<string>>(() => monthOf(dayIn(new Date(), tz)));
  const range = days[0] && days[1] ? { from: instantIn(days[0], tz), to: instantIn(nextDay(days[1]), tz) } : null;
  if (subscriptions.isSuccess && items.length === 0) return <Text c="dimmed">{t('subscriptions.none')}</Text>;
  return (
    <DatesProvider settings={{ locale: datesLocale }}>
      <Stack>
        <Group align="end" gap="sm">
          <Select
            label={t('subscriptions.usage.subscription')}
            data={items.map((s) => ({ value: s.id, label: s.username ? `${s.plan.name} · ${s.username}` : s.plan.name }))}
            value={subscriptionId}
            onChange={setChosen}
            allowDeselect={false}
            w={{ base: '100%', xs: 260 }}
          />
          <DatePickerInput type="range" valueFormat="D MMM YYYY" label={t('subscriptions.usage.period')} value={days} onChange={setDays} w={{ base: '100%', xs: 260 }} />
        </Group>
        {subscriptionId && <SubscriptionUsageGraph subscriptionId={subscriptionId} />}
        {subscriptionId && can('subscriptions.update') && <AddReading subscriptionId={subscriptionId} />}
        {subscriptionId && range && <Readings subscriptionId={subscriptionId} range={range} />}
      </Stack>
    </DatesProvider>
  );
}
