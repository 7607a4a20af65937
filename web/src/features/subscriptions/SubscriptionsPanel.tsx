import { Badge, Button, Group, Menu, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { ConfirmModal, useNotify } from '../../components/feedback.tsx';
import { LoadMore, RowActions, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { AddSubscriptionModal } from './AddSubscriptionModal.tsx';
import { CredentialsModal } from './CredentialsModal.tsx';
import { HistoryModal } from './HistoryModal.tsx';
import { LifecycleModal } from './LifecycleModal.tsx';
import { scheduledChanges, statusColors, subscriptionActions, type ScheduledChange, type Subscription, type SubscriptionAction } from './model.ts';
import { PlanChangeModal } from './PlanChangeModal.tsx';

export function SubscriptionStatusBadge({ subscription: s }: { subscription: Pick<Subscription, 'status' | 'statusReason'> }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColors[s.status]} variant="light">
      {t(`subscriptions.status.${s.status}`)}
      {s.statusReason ? ` · ${t(`subscriptions.reason.${s.statusReason}`, { defaultValue: s.statusReason })}` : ''}
    </Badge>
  );
}

function Detail({ label, value }: { label: string; value: string | null }) {
  if (!value) return null;
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" dir="ltr" ta="start" style={{ wordBreak: 'break-all' }}>
        {value}
      </Text>
    </div>
  );
}

function SubscriptionCard({ s, onAction }: { s: Subscription; onAction: (action: SubscriptionAction, s: Subscription) => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const cancel = async (change: ScheduledChange) => {
    try {
      await unwrap(api.POST('/api/subscriptions/{id}/cancel-scheduled', { params: { path: { id: s.id } }, body: { change } }));
      notify.success(t('subscriptions.cancelled'));
      await queryClient.invalidateQueries({ queryKey: ['subscriptions'] });
    } catch (err) {
      notify.failure(err);
    }
  };
  return (
    <Paper withBorder p="sm" aria-label={s.plan.name}>
      <Group justify="space-between" wrap="nowrap" align="start">
        <Stack gap={2}>
          <Text fw={600}>{s.plan.name}</Text>
          <Group gap={4}>
            <SubscriptionStatusBadge subscription={s} />
            <Badge variant="outline">{t(`subscriptions.billingModel.${s.plan.billingModel}`, { defaultValue: s.plan.billingModel })}</Badge>
          </Group>
        </Stack>
        <RowActions label={t('common.actionsFor', { name: s.plan.name })}>
          {subscriptionActions(s, can).map((a) => (
            <Menu.Item key={a} color={a === 'terminate' || a === 'delete' ? 'red' : undefined} onClick={() => onAction(a, s)}>
              {t(`subscriptions.action.${a}`)}
            </Menu.Item>
          ))}
        </RowActions>
      </Group>
      <SimpleGrid cols={{ base: 2, xs: 3 }} mt="xs" spacing="xs">
        <Detail label={t('subscriptions.username')} value={s.username} />
        <Detail label={t('subscriptions.macAddress')} value={s.macAddress} />
        <Detail label={t('subscriptions.staticIpv4')} value={s.staticIpv4} />
        <Detail label={t('subscriptions.staticIpv6Prefix')} value={s.staticIpv6Prefix} />
        <Detail label={t('subscriptions.startsAt')} value={format.date(s.startsAt)} />
        <Detail label={t('subscriptions.billedThrough')} value={s.billedThrough && format.date(s.billedThrough)} />
        <Detail label={t('subscriptions.nextBillAt')} value={s.nextBillAt && format.date(s.nextBillAt)} />
        <Detail label={t('subscriptions.graceUntil')} value={s.graceUntil && format.date(s.graceUntil)} />
      </SimpleGrid>
      {scheduledChanges(s).map(({ change, at }) => (
        <Group key={change} gap="xs" mt={4}>
          <Text size="sm" c="orange">
            {at ? t(`subscriptions.scheduled.${change}`, { date: format.dateTime(at) }) : t('subscriptions.scheduled.plan_change')}
          </Text>
          {can('subscriptions.update') && (
            <Button size="compact-xs" variant="subtle" onClick={() => void cancel(change)}>
              {t('subscriptions.cancelScheduled')}
            </Button>
          )}
        </Group>
      ))}
    </Paper>
  );
}

/** A subscriber's subscriptions with their lifecycle actions, plan changes, credentials and history. */
export function SubscriptionsPanel({ subscriberId }: { subscriberId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [open, setOpen] = useState<{ action: SubscriptionAction; s: Subscription } | null>(null);
  const list = useCursorList(['subscriptions', 'of', subscriberId], (cursor) =>
    unwrap(api.GET('/api/subscribers/{id}/subscriptions', { params: { path: { id: subscriberId }, query: { limit: 50, cursor } } })),
  );
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['subscriptions'] });
    await queryClient.invalidateQueries({ queryKey: ['subscribers'] });
    await queryClient.invalidateQueries({ queryKey: ['invoices'] });
    await queryClient.invalidateQueries({ queryKey: ['wallet'] });
  };
  const activate = async (s: Subscription) => {
    try {
      await unwrap(api.POST('/api/subscriptions/{id}/activate', { params: { path: { id: s.id } }, body: { note: '' } }));
      notify.success(t('subscriptions.activated', { plan: s.plan.name }));
      await refresh();
    } catch (err) {
      notify.failure(err);
    }
  };
  const remove = async (s: Subscription) => {
    await unwrap(api.DELETE('/api/subscriptions/{id}', { params: { path: { id: s.id } } }));
    notify.success(t('subscriptions.deleted', { plan: s.plan.name }));
    await refresh();
  };
  const onAction = (action: SubscriptionAction, s: Subscription) => {
    if (action === 'activate') void activate(s);
    else setOpen({ action, s });
  };
  const close = () => setOpen(null);
  return (
    <Stack>
      {can('subscriptions.create') && (
        <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)} style={{ alignSelf: 'flex-end' }}>
          {t('subscriptions.add')}
        </Button>
      )}
      {list.isPending ? null : list.items.length === 0 && <Text c="dimmed">{t('subscriptions.none')}</Text>}
      {list.items.map((s) => (
        <SubscriptionCard key={s.id} s={s} onAction={onAction} />
      ))}
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {adding && <AddSubscriptionModal subscriberId={subscriberId} onClose={() => setAdding(false)} onSaved={refresh} />}
      {open && (open.action === 'suspend' || open.action === 'resume' || open.action === 'terminate') && <LifecycleModal action={open.action} subscription={open.s} onClose={close} onDone={refresh} />}
      {open?.action === 'changePlan' && <PlanChangeModal subscription={open.s} onClose={close} onDone={refresh} />}
      {open?.action === 'credentials' && <CredentialsModal subscription={open.s} onClose={close} />}
      {open?.action === 'history' && <HistoryModal subscription={open.s} onClose={close} />}
      <ConfirmModal
        opened={open?.action === 'delete'}
        title={t('subscriptions.deleteTitle')}
        message={t('subscriptions.deleteConfirm', { plan: open?.s.plan.name ?? '' })}
        confirmLabel={t('common.delete')}
        onConfirm={() => remove(open!.s)}
        onClose={close}
      />
    </Stack>
  );
}
