import { Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import { IconDownload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, downloadCsv, unwrap } from '../../api/client.ts';
import { Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { calendarDate } from '../invoices/model.ts';
import { nowrap, useMoney } from '../invoices/InvoiceParts.tsx';
import { channelLabel, thisMonth, type PaymentReport } from './model.ts';

type Row = { key: string; label: ReactNode; count: number; amount: string; refunded: string };

function Figures({ title, rows, currency }: { title: string; rows: Row[]; currency: string }) {
  const { t } = useTranslation();
  const money = useMoney();
  const format = useFormat();
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {title}
      </Title>
      <Table.ScrollContainer minWidth={320}>
        <Table aria-label={title}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              <Table.Th ta="end">{t('payments.report.count')}</Table.Th>
              <Table.Th ta="end">{t('payments.amount')}</Table.Th>
              <Table.Th ta="end">{t('payments.report.refunded')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text size="sm" c="dimmed">
                    {t('common.nothingFound')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows.map((r) => (
              <Table.Tr key={r.key}>
                <Table.Td>{r.label}</Table.Td>
                <Table.Td ta="end">{format.number(r.count)}</Table.Td>
                <Table.Td ta="end" style={nowrap}>
                  {money(r.amount, currency)}
                </Table.Td>
                <Table.Td ta="end" style={nowrap}>
                  {money(r.refunded, currency)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** What came in over a day range: by method and gateway, by collector, by day, with totals; CSV export. */
export function ReportsPanel() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const money = useMoney();
  const notify = useNotify();
  const [range, setRange] = useState<DatesRangeValue<string>>(thisMonth());
  const [currency, setCurrency] = useState('');
  const from = range[0];
  const to = range[1] ?? range[0];
  const query = { from: from ?? '', to: to ?? '', currency: /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : undefined };
  const report = useQuery({
    queryKey: ['payments', 'report', query],
    queryFn: () => unwrap(api.GET('/api/payments/report', { params: { query } })),
    enabled: !!from,
    placeholderData: keepPreviousData,
  });
  const r: PaymentReport | undefined = report.data;
  return (
    <Stack>
      <Group align="end" gap="sm">
        <DatePickerInput type="range" allowSingleDateInRange valueFormat="D MMM YYYY" label={t('payments.receivedBetween')} value={range} onChange={setRange} w={{ base: '100%', xs: 280 }} />
        <TextInput label={t('payments.currency')} placeholder={r?.currency ?? ''} value={currency} onChange={(e) => setCurrency(e.currentTarget.value)} maxLength={3} w={100} dir="ltr" />
        {can('payments.export') && (
          <Button variant="default" leftSection={<IconDownload size={16} />} disabled={!from} onClick={() => downloadCsv('/api/payments/report.csv', query, `payments-report-${query.from}-${query.to}.csv`).catch(notify.failure)}>
            {t('payments.exportCsv')}
          </Button>
        )}
      </Group>
      {report.isPending && from ? (
        <Loading />
      ) : report.isError ? (
        <QueryError error={report.error} />
      ) : (
        r && (
          <>
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <Card withBorder>
                <Text size="xs" c="dimmed" fw={600}>
                  {t('payments.report.total')}
                </Text>
                <Text size="xl" fw={700} style={nowrap} data-testid="report-total">
                  {money(r.total.amount, r.currency)}
                </Text>
                <Text size="sm">{t('payments.report.payments', { count: r.total.count })}</Text>
              </Card>
              <Card withBorder>
                <Text size="xs" c="dimmed" fw={600}>
                  {t('payments.report.refunded')}
                </Text>
                <Text size="xl" fw={700} style={nowrap}>
                  {money(r.total.refunded, r.currency)}
                </Text>
              </Card>
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Figures title={t('payments.report.byMethod')} currency={r.currency} rows={r.byMethod.map((m) => ({ key: m.channel, label: channelLabel(m.channel, t), ...m }))} />
              <Figures title={t('payments.report.byCollector')} currency={r.currency} rows={r.byCollector.map((c) => ({ key: c.collectorId ?? '-', label: c.collectorName ?? t('payments.report.noCollector'), ...c }))} />
            </SimpleGrid>
            <Figures title={t('payments.report.byDay')} currency={r.currency} rows={r.byDay.map((d) => ({ key: d.date, label: calendarDate(d.date, i18n.language), ...d }))} />
          </>
        )
      )}
    </Stack>
  );
}
