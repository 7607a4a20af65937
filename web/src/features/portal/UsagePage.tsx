import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { PortalUsageGraph } from '../usage-graphs/index.tsx';
import { useProfile, useSubscriptions } from './api.ts';
import { formatQuantity, serviceStatusColors } from './model.ts';
import { usePortalFormat } from './parts.tsx';

export default function UsagePage() {
  const { t, i18n } = useTranslation();
  const format = usePortalFormat();
  const profile = useProfile();
  const subscriptions = useSubscriptions();
  if (subscriptions.isPending) return <Loading />;
  if (subscriptions.isError) return <QueryError error={subscriptions.error} />;
  const timeZone = profile.data?.organization.timezone;
  return (
    <Stack>
      <Title order={2}>{t('portal.usage.title')}</Title>
      {subscriptions.data.items.length === 0 && <Text c="dimmed">{t('portal.home.noService')}</Text>}
      {subscriptions.data.items.map((s) => (
        <Card key={s.id} withBorder>
          <Group justify="space-between" wrap="nowrap" mb={4}>
            <Text fw={600} truncate>
              {s.planName}
            </Text>
            <Badge color={serviceStatusColors[s.status]} variant="light">
              {t(`portal.serviceStatus.${s.status}`)}
            </Badge>
          </Group>
          {s.username && (
            <Text size="sm" c="dimmed">
              {t('portal.usage.login', { username: s.username })}
            </Text>
          )}
          {s.currentPeriod ? (
            <>
              <Text size="sm" c="dimmed" mb="xs">
                {t('portal.usage.period', { start: format.instant(s.currentPeriod.start, timeZone), end: format.instant(s.currentPeriod.end, timeZone) })}
              </Text>
              {s.usage.length === 0 && <Text size="sm">{t('portal.usage.none')}</Text>}
              {s.usage.map((u) => (
                <Group key={u.unit} justify="space-between">
                  <Text size="sm">{u.unit}</Text>
                  <Text fw={600}>{formatQuantity(u.quantity, i18n.language)}</Text>
                </Group>
              ))}
            </>
          ) : (
            <Text size="sm" c="dimmed">
              {t('portal.usage.noPeriod')}
            </Text>
          )}
          {s.status !== 'pending' && (
            <Stack mt="sm">
              <PortalUsageGraph subscriptionId={s.id} />
            </Stack>
          )}
        </Card>
      ))}
    </Stack>
  );
}
