import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { PushPanel } from './PushPanel.tsx';

/* Simple queues for the router's static-IP subscribers: preview what would change, then apply. */

export function QueuesPush({ id }: { id: string }) {
  const { t } = useTranslation();
  return (
    <PushPanel
      id={id}
      send={(dryRun) => unwrap(api.POST('/api/nas/{id}/router/push-queues', { params: { path: { id } }, body: { dryRun } }))}
      explain={t('routers.queues.explain')}
      previewLabel={t('routers.queues.preview')}
      applyLabel={t('routers.queues.apply')}
      nameLabel={t('routers.queues.queue')}
      messageTestId="queues-message"
      none={t('routers.queues.none')}
      rowsOf={(r) =>
        r.queues.map((q) => ({ key: `${q.action}${q.name}${q.subscriptionId}`, name: q.name, detail: q.target, action: t(`routers.queues.actions.${q.action}`), reason: q.reason, changes: q.changes }))
      }
      pendingOf={(r) => r.summary.create + r.summary.update + r.summary.remove}
      footer={(r) =>
        r.skipped.map((s) => (
          <Text size="xs" c="orange" key={s.subscriptionId}>
            {s.reason}
          </Text>
        ))
      }
    />
  );
}
