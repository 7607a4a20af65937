import { Alert, Badge, Group, Modal, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { nowrap, usePeriod } from '../invoices/InvoiceParts.tsx';
import { lineDescription } from '../invoices/model.ts';
import { formatAmount } from '../plans/model.ts';
import { runStatusColors } from './model.ts';

function Count({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </div>
  );
}

/** One run: progress while it runs, totals per currency, the subscriptions it could not bill, a dry run's sample lines. */
export function RunDetailModal({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const period = usePeriod();
  const phone = useMediaQuery('(max-width: 48em)');
  const run = useQuery({
    queryKey: ['billing', 'runs', 'detail', id],
    queryFn: () => unwrap(api.GET('/api/billing/runs/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1500 : false),
  });
  const r = run.data;
  const money = (amount: string, currency: string) => formatAmount(amount, currency, i18n.language);
  return (
    <Modal opened onClose={onClose} title={r?.dryRun ? t('billing.runs.dryRunTitle') : t('billing.runs.runTitle')} size="xl" fullScreen={phone}>
      {run.isPending ? (
        <Loading />
      ) : run.isError ? (
        <QueryError error={run.error} />
      ) : (
        r && (
          <Stack aria-label={t('billing.runs.result')}>
            <Group gap="xs">
              <Badge color={runStatusColors[r.status]} variant="light">
                {t(`billing.runs.status.${r.status}`)}
              </Badge>
              <Text size="sm">{t('billing.runs.asOf', { at: format.dateTime(r.asOf) })}</Text>
            </Group>
            {r.error && <Alert color="red">{r.error}</Alert>}
            <SimpleGrid cols={{ base: 3 }}>
              <Count label={t('billing.runs.subscriptions')} value={format.number(r.subscriptionsBilled)} />
              <Count label={t('billing.runs.invoices')} value={format.number(r.invoicesCreated)} />
              <Count label={t('billing.runs.lines')} value={format.number(r.linesCreated)} />
            </SimpleGrid>
            <Title order={5}>{t('billing.runs.totalsPerCurrency')}</Title>
            <Table.ScrollContainer minWidth={520}>
              <Table aria-label={t('billing.runs.totalsPerCurrency')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('billing.runs.currency')}</Table.Th>
                    <Table.Th>{t('billing.runs.invoices')}</Table.Th>
                    <Table.Th>{t('invoices.subtotal')}</Table.Th>
                    <Table.Th>{t('invoices.discount')}</Table.Th>
                    <Table.Th>{t('invoices.line.tax')}</Table.Th>
                    <Table.Th>{t('invoices.total')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.totals.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={6}>
                        <Text c="dimmed">{t('billing.runs.nothingDue')}</Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                  {r.totals.map((x) => (
                    <Table.Tr key={x.currency}>
                      <Table.Td>{x.currency}</Table.Td>
                      <Table.Td>{format.number(x.invoices)}</Table.Td>
                      <Table.Td style={nowrap}>{money(x.subtotal, x.currency)}</Table.Td>
                      <Table.Td style={nowrap}>{money(x.discount, x.currency)}</Table.Td>
                      <Table.Td style={nowrap}>{money(x.tax, x.currency)}</Table.Td>
                      <Table.Td fw={600} style={nowrap}>{money(x.total, x.currency)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {r.failures.length > 0 && (
              <>
                <Title order={5}>{t('billing.runs.failures')}</Title>
                {r.failures.map((f) => (
                  <Text key={f.subscriptionId} size="sm" c="red">
                    <span dir="ltr">{f.subscriptionId.slice(0, 8)}</span>: {f.message}
                  </Text>
                ))}
              </>
            )}
            {r.sample.length > 0 && (
              <>
                <Title order={5}>{t('billing.runs.sample')}</Title>
                <Table.ScrollContainer minWidth={520}>
                  <Table>
                    <Table.Tbody>
                      {r.sample.map((l, i) => (
                        <Table.Tr key={i}>
                          <Table.Td>{l.descriptionKey ? lineDescription({ description: '', descriptionKey: l.descriptionKey, details: {} }, t) : t(`invoices.lineType.${l.kind}`, { defaultValue: l.kind })}</Table.Td>
                          <Table.Td>{l.periodStart && l.periodEnd ? t('invoices.line.period', period(l.periodStart, l.periodEnd)) : ''}</Table.Td>
                          <Table.Td fw={500} style={nowrap}>{money(l.gross, l.currency)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </>
            )}
          </Stack>
        )
      )}
    </Modal>
  );
}
