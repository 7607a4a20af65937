import { Button, Card, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError } from '../../components/feedback.tsx';
import { useCan } from '../auth/session.ts';

/* Simple queues for the router's static-IP subscribers: preview what would change, then apply. */

export function QueuesPush({ id }: { id: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<Schemas['PushQueuesResult'] | null>(null);
  const push = useMutation({
    mutationFn: (dryRun: boolean) => unwrap(api.POST('/api/nas/{id}/router/push-queues', { params: { path: { id } }, body: { dryRun } })),
    onSuccess: async (r) => {
      setResult(r);
      await queryClient.invalidateQueries({ queryKey: ['router', id, 'commands'] });
    },
  });
  if (!can('nas.update')) return <Text c="dimmed">{t('routers.push.notAllowed')}</Text>;
  const pending = result ? result.summary.create + result.summary.update + result.summary.remove : 0;
  return (
    <Stack>
      <Text size="sm">{t('routers.queues.explain')}</Text>
      <Group>
        <Button variant="light" loading={push.isPending && push.variables} onClick={() => push.mutate(true)}>
          {t('routers.queues.preview')}
        </Button>
        <Button loading={push.isPending && !push.variables} disabled={!result?.dryRun || pending === 0} onClick={() => push.mutate(false)}>
          {t('routers.queues.apply')}
        </Button>
      </Group>
      <FormError error={push.error} />
      {result && (
        <Card withBorder>
          <Text fw={500} data-testid="queues-message">
            {result.message}
          </Text>
          {result.queues.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('routers.queues.none')}
            </Text>
          )}
          {result.queues.length > 0 && (
            <ScrollArea>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('routers.queues.queue')}</Table.Th>
                    <Table.Th>{t('routers.push.action')}</Table.Th>
                    <Table.Th>{t('routers.push.changes')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {result.queues.map((q) => (
                    <Table.Tr key={`${q.action}${q.name}${q.subscriptionId}`}>
                      <Table.Td>
                        {q.name}
                        <Text size="xs" c="dimmed" dir="ltr">
                          {q.target}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {t(`routers.queues.actions.${q.action}`)}
                        {q.reason && (
                          <Text size="xs" c="dimmed">
                            {q.reason}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {q.changes.map((c) => (
                          <Text size="xs" key={c.property} dir="ltr">
                            {c.property}: {c.from ?? '∅'} → {c.to || '∅'}
                          </Text>
                        ))}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          )}
          {result.skipped.map((s) => (
            <Text size="xs" c="orange" key={s.subscriptionId}>
              {s.reason}
            </Text>
          ))}
        </Card>
      )}
    </Stack>
  );
}
