import { Modal, Text, Timeline } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import type { Subscription, SubscriptionEvent } from './model.ts';

function title(e: SubscriptionEvent, t: TFunction): string {
  const kind = t(`subscriptions.event.${e.kind}`, { defaultValue: e.kind });
  if (!e.from || !e.to || e.from === e.to) return kind;
  return `${kind}: ${t(`subscriptions.status.${e.from}`)} → ${t(`subscriptions.status.${e.to}`)}`;
}

/** The subscription's lifecycle, newest first: who changed what, when and why. */
export function HistoryModal({ subscription: s, onClose }: { subscription: Subscription; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const events = useQuery({ queryKey: ['subscriptions', 'events', s.id], queryFn: () => unwrap(api.GET('/api/subscriptions/{id}/events', { params: { path: { id: s.id } } })) });
  return (
    <Modal opened onClose={onClose} title={t('subscriptions.historyTitle', { plan: s.plan.name })} size="lg">
      {events.isPending ? (
        <Loading />
      ) : events.isError ? (
        <QueryError error={events.error} />
      ) : (
        <Timeline bulletSize={14} lineWidth={2}>
          {events.data.map((e) => (
            <Timeline.Item key={e.id} title={title(e, t)}>
              {(e.reason || (e.details.note as string | undefined)) && (
                <Text size="sm">{[e.reason && t(`subscriptions.reason.${e.reason}`, { defaultValue: e.reason }), e.details.note as string | undefined].filter(Boolean).join(' · ')}</Text>
              )}
              <Text size="xs" c="dimmed">
                {format.dateTime(e.at)} · {e.by?.name ?? t('subscriptions.system')}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Modal>
  );
}
