import { Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { reconciliation, type StatementSource } from './http.ts';
import { lastDays } from './model.ts';

/** The daily reconciliation report of the source and, for a gateway, its settlement report. */
export function ReportsPanel({ source }: { source: StatementSource }) {
  const { t } = useTranslation();
  const [range, setRange] = useState(() => lastDays(7));
  const daily = useQuery({ queryKey: ['reconciliation', 'daily', source.id, range], queryFn: () => reconciliation.daily(source.id, range.from, range.to) });
  const settlement = useQuery({
    queryKey: ['reconciliation', 'settlement', source.gateway, range],
    queryFn: () => reconciliation.settlement(source.gateway!, range.from, range.to),
    enabled: !!source.gateway,
  });
  return (
    <Stack>
      <Group>
        <TextInput type="date" label={t('reconciliation.report.from')} value={range.from} onChange={(e) => e.currentTarget.value && setRange({ ...range, from: e.currentTarget.value })} />
        <TextInput type="date" label={t('reconciliation.report.to')} value={range.to} onChange={(e) => e.currentTarget.value && setRange({ ...range, to: e.currentTarget.value })} />
      </Group>
      <Title order={4}>{t('reconciliation.report.daily')}</Title>
      {daily.isPending && <Loading />}
      {daily.isError && <QueryError error={daily.error} />}
      {daily.data && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped aria-label={t('reconciliation.report.daily')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('reconciliation.report.day')}</Table.Th>
                <Table.Th>{t('reconciliation.report.lines')}</Table.Th>
                <Table.Th>{t('reconciliation.report.matched')}</Table.Th>
                <Table.Th>{t('reconciliation.report.unmatchedLines')}</Table.Th>
                <Table.Th>{t('reconciliation.report.unmatchedPayments')}</Table.Th>
                <Table.Th>{t('reconciliation.report.statementAmount')}</Table.Th>
                <Table.Th>{t('reconciliation.report.unmatchedPaymentsAmount')}</Table.Th>
                <Table.Th>{t('reconciliation.report.difference')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {daily.data.days.map((d) => (
                <Table.Tr key={d.day}>
                  <Table.Td dir="ltr">{d.day}</Table.Td>
                  <Table.Td>{d.lines}</Table.Td>
                  <Table.Td>{d.matched}</Table.Td>
                  <Table.Td>{d.unmatchedLines}</Table.Td>
                  <Table.Td>{d.unmatchedPayments}</Table.Td>
                  <Table.Td dir="ltr">{d.statementAmount}</Table.Td>
                  <Table.Td dir="ltr">{d.unmatchedPaymentsAmount}</Table.Td>
                  <Table.Td dir="ltr">{d.difference}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {source.gateway && (
        <>
          <Title order={4}>{t('reconciliation.report.settlement', { gateway: source.gateway })}</Title>
          {settlement.isError && <QueryError error={settlement.error} />}
          {settlement.data && (
            <Table.ScrollContainer minWidth={560}>
              <Table striped aria-label={t('reconciliation.report.settlement', { gateway: source.gateway })}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('reconciliation.report.day')}</Table.Th>
                    <Table.Th>{t('reconciliation.report.payments')}</Table.Th>
                    <Table.Th>{t('reconciliation.report.received')}</Table.Th>
                    <Table.Th>{t('reconciliation.report.fees')}</Table.Th>
                    <Table.Th>{t('reconciliation.report.settled')}</Table.Th>
                    <Table.Th>{t('reconciliation.report.clearing')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {settlement.data.days.map((d) => (
                    <Table.Tr key={d.day}>
                      <Table.Td dir="ltr">{d.day}</Table.Td>
                      <Table.Td>{d.payments}</Table.Td>
                      <Table.Td dir="ltr">{d.received}</Table.Td>
                      <Table.Td dir="ltr">{d.fees}</Table.Td>
                      <Table.Td dir="ltr">{d.settled}</Table.Td>
                      <Table.Td dir="ltr">{d.clearingBalance}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <Text size="xs" c="dimmed">
            {t('reconciliation.report.settlementHelp')}
          </Text>
        </>
      )}
    </Stack>
  );
}
