import { Badge, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { components } from '../../api/schema.d.ts';
import { formatBytes, formatDuration, quotaPeriodLabel, usedPercent } from './model.ts';

type UsageQuota = components['schemas']['UsageQuota'];

function Meter({ label, used, quota, left, format }: { label: string; used: number; quota: number; left: number; format: (v: number) => string }) {
  const { t } = useTranslation();
  const percent = usedPercent(used, quota);
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap={4}>
        <Text size="sm">{label}</Text>
        <Text size="sm" fw={600}>
          {t('usageGraphs.quota.left', { left: format(left) })}
        </Text>
      </Group>
      <Progress value={percent} color={percent >= 100 ? 'red' : percent >= 80 ? 'orange' : 'blue'} aria-label={label} />
      <Text size="xs" c="dimmed">
        {t('usageGraphs.quota.used', { used: format(used), quota: format(quota) })}
      </Text>
    </Stack>
  );
}

/** The plan's fair-usage quota: the billing period it counts over, what is used and left, and the line's state. */
export function QuotaSummary({ quota, timeZone }: { quota: UsageQuota; timeZone: string }) {
  const { t, i18n } = useTranslation();
  const period = quotaPeriodLabel(quota.periodStart, quota.periodEnd, timeZone, i18n.language);
  return (
    <Paper withBorder p="sm" radius="md" role="group" aria-label={t('usageGraphs.quota.title')}>
      <Stack gap="xs">
        <Group justify="space-between" gap={4}>
          <Text fw={600} size="sm">
            {t('usageGraphs.quota.title')}
          </Text>
          {quota.state !== 'full' && (
            <Badge color={quota.state === 'cut' ? 'red' : 'orange'} variant="light">
              {t(`usageGraphs.quota.state.${quota.state}`)}
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          {t('usageGraphs.quota.period', period)}
        </Text>
        {quota.data && (
          <Meter label={t('usageGraphs.quota.data')} used={quota.data.usedBytes} quota={quota.data.quotaBytes} left={quota.data.leftBytes} format={(v) => formatBytes(v, i18n.language)} />
        )}
        {quota.time && (
          <Meter label={t('usageGraphs.quota.time')} used={quota.time.usedSeconds} quota={quota.time.quotaSeconds} left={quota.time.leftSeconds} format={(v) => formatDuration(v, i18n.language)} />
        )}
      </Stack>
    </Paper>
  );
}
