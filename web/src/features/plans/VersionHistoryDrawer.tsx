import { Badge, Card, Drawer, Group, Stack, Text, Title, useDirection } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { describeBilling, describeNetwork, describePrices } from './describe.ts';
import type { Plan } from './model.ts';

/** Every version of a plan, newest first: what it sold and from when. Past versions never change. */
export function VersionHistoryDrawer({ plan, onClose }: { plan: Plan | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { dir } = useDirection();
  const versions = useQuery({
    queryKey: ['plans', 'versions', plan?.id],
    queryFn: () => unwrap(api.GET('/api/plans/{id}/versions', { params: { path: { id: plan!.id } } })),
    enabled: !!plan,
  });
  return (
    <Drawer opened={!!plan} onClose={onClose} title={t('plans.history.title', { name: plan?.name ?? '' })} position={dir === 'rtl' ? 'left' : 'right'} size="lg">
      {versions.isPending ? (
        <Loading />
      ) : versions.isError ? (
        <QueryError error={versions.error} />
      ) : (
        <Stack>
          {versions.data.items.map((v) => (
            <Card key={v.id} withBorder padding="sm" aria-label={t('plans.history.version', { version: v.version })}>
              <Group justify="space-between" mb={4}>
                <Title order={5}>{t('plans.history.version', { version: v.version })}</Title>
                {v.id === plan?.currentVersion.id && <Badge variant="light">{t('plans.history.current')}</Badge>}
              </Group>
              <Text size="sm">{t('plans.history.validFrom', { date: format.dateTime(v.validFrom) })}</Text>
              {describePrices(v, t, i18n.language).map((line, i) => (
                <Text key={i} size="sm" fw={500}>
                  {line}
                </Text>
              ))}
              <Text size="sm" c="dimmed">
                {describeBilling(v, t)} · {describeNetwork(v, t)}
              </Text>
            </Card>
          ))}
        </Stack>
      )}
    </Drawer>
  );
}
