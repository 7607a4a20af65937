import { Group, SegmentedControl, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { useDailyUsage, type UsageRange, type UsageSource } from './api.ts';
import { chartDays, formatBytes, formatDay, formatDuration, totalsOf, type ChartDay } from './model.ts';
import { QuotaSummary } from './QuotaSummary.tsx';

interface Series {
  key: 'download' | 'upload' | 'metered' | 'seconds';
  color: string;
}

const dataSeries: Series[] = [
  { key: 'download', color: 'var(--mantine-color-blue-6)' },
  { key: 'upload', color: 'var(--mantine-color-teal-5)' },
  { key: 'metered', color: 'var(--mantine-color-grape-5)' },
];
const timeSeries: Series[] = [{ key: 'seconds', color: 'var(--mantine-color-orange-5)' }];

const WIDTH = 600;

/**
 * Stacked daily bars in plain SVG (no chart library: a few rectangles are all it takes). The SVG
 * stretches to the card's width on any screen; labels stay in HTML so they never scale with it.
 * Each bar has a <title> (a tooltip on hover and long-press); the figure is labelled by its totals,
 * and the table below says the same for screen readers and for reading exact values.
 */
function Bars({ days, series, height, label, format }: { days: ChartDay[]; series: Series[]; height: number; label: string; format: (v: number) => string }) {
  const { i18n } = useTranslation();
  const captionId = useId();
  const totalOf = (d: ChartDay) => series.reduce((s, x) => s + d[x.key], 0);
  const max = Math.max(1, ...days.map(totalOf));
  const slot = WIDTH / Math.max(days.length, 1);
  return (
    <figure style={{ margin: 0 }}>
      <Group justify="space-between" gap={4}>
        <Text size="xs" c="dimmed" id={captionId}>
          {label}
        </Text>
        <Text size="xs" c="dimmed" dir="ltr">
          {format(max)}
        </Text>
      </Group>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} preserveAspectRatio="none" width="100%" height={height} role="img" aria-labelledby={captionId} style={{ display: 'block', borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        {days.map((d, i) => {
          let y = height;
          return (
            <g key={d.date}>
              <title>{`${formatDay(d.date, i18n.language)}: ${format(totalOf(d))}`}</title>
              {series.map((s) => {
                const h = (d[s.key] / max) * (height - 2);
                y -= h;
                return h > 0 ? <rect key={s.key} x={i * slot + slot * 0.15} y={y} width={slot * 0.7} height={h} fill={s.color} /> : null;
              })}
            </g>
          );
        })}
      </svg>
      <Group justify="space-between" gap={4}>
        <Text size="xs" c="dimmed">
          {days[0] && formatDay(days[0].date, i18n.language)}
        </Text>
        <Text size="xs" c="dimmed">
          {days.at(-1) && formatDay(days.at(-1)!.date, i18n.language)}
        </Text>
      </Group>
    </figure>
  );
}

function Legend({ series, totals, format }: { series: Series[]; totals: Record<Series['key'], number>; format: (v: number) => string }) {
  const { t } = useTranslation();
  return (
    <Group gap="md" wrap="wrap">
      {series.map((s) => (
        <Group key={s.key} gap={6} wrap="nowrap">
          <span aria-hidden style={{ width: 10, height: 10, borderRadius: 2, background: s.color, display: 'inline-block' }} />
          <Text size="sm">
            {t(`usageGraphs.series.${s.key}`)}: <b dir="ltr">{format(totals[s.key])}</b>
          </Text>
        </Group>
      ))}
    </Group>
  );
}

function DaysTable({ days }: { days: ChartDay[] }) {
  const { t, i18n } = useTranslation();
  const bytes = (v: number) => formatBytes(v, i18n.language);
  const withMetered = days.some((d) => d.metered > 0);
  return (
    <Table.ScrollContainer minWidth={320}>
      <Table striped fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('usageGraphs.table.day')}</Table.Th>
            <Table.Th>{t('usageGraphs.series.download')}</Table.Th>
            <Table.Th>{t('usageGraphs.series.upload')}</Table.Th>
            {withMetered && <Table.Th>{t('usageGraphs.series.metered')}</Table.Th>}
            <Table.Th>{t('usageGraphs.series.seconds')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {days.map((d) => (
            <Table.Tr key={d.date}>
              <Table.Td>{formatDay(d.date, i18n.language)}</Table.Td>
              <Table.Td dir="ltr">{bytes(d.download)}</Table.Td>
              <Table.Td dir="ltr">{bytes(d.upload)}</Table.Td>
              {withMetered && <Table.Td dir="ltr">{bytes(d.metered)}</Table.Td>}
              <Table.Td dir="ltr">{formatDuration(d.seconds, i18n.language)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** A subscription's daily data (down, up) and time online, for the range the reader picks, under its fair-usage quota. */
export function UsageGraph({ source }: { source: UsageSource }) {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useState<UsageRange>('current');
  const [table, setTable] = useState(false);
  const query = useDailyUsage(source, range);
  const bytes = (v: number) => formatBytes(v, i18n.language);
  const duration = (v: number) => formatDuration(v, i18n.language);
  const days = query.data ? chartDays(query.data.days) : [];
  const totals = totalsOf(days);
  // Readings alone (no accounting in the range): only their series, not two empty ones beside it.
  const countedOnly = totals.download + totals.upload > 0 || totals.metered === 0;
  const shownData = dataSeries.filter((s) => (s.key === 'metered' ? totals.metered > 0 : countedOnly));
  return (
    <Stack gap="sm" aria-label={t('usageGraphs.title')} role="region">
      {query.data?.quota && <QuotaSummary quota={query.data.quota} timeZone={query.data.timezone} />}
      <SegmentedControl
        size="xs"
        value={range}
        onChange={(v) => setRange(v as UsageRange)}
        data={(['current', 'last30', 'last90'] as const).map((r) => ({ value: r, label: t(`usageGraphs.range.${r}`) }))}
        fullWidth
      />
      {query.isPending && <Loading />}
      {query.isError && <QueryError error={query.error} />}
      {query.data && (
        <>
          <Legend series={shownData} totals={totals} format={bytes} />
          <Bars days={days} series={shownData} height={140} label={t('usageGraphs.dataChart', { total: bytes(totals.download + totals.upload + totals.metered) })} format={bytes} />
          <Legend series={timeSeries} totals={totals} format={duration} />
          <Bars days={days} series={timeSeries} height={70} label={t('usageGraphs.timeChart', { total: duration(totals.seconds) })} format={duration} />
          <UnstyledButton onClick={() => setTable((v) => !v)} aria-expanded={table} c="blue" fz="sm">
            {table ? t('usageGraphs.table.hide') : t('usageGraphs.table.show')}
          </UnstyledButton>
          {table && <DaysTable days={days} />}
        </>
      )}
    </Stack>
  );
}
