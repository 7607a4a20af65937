import { Alert, Button, FileInput, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { reconciliation, type ImportReport, type StatementSource } from './http.ts';

/** Upload a statement: a preview of its first rows as read and as the mapping reads them, then the import. */
export function ImportPanel({ source, onImported }: { source: StatementSource; onImported: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const run = useMutation({
    mutationFn: (dryRun: boolean) => reconciliation.importStatement(source.id, file!, dryRun),
    onSuccess: async (r) => {
      setReport(r);
      if (!r.dryRun && r.errorCount === 0) {
        notify.success(t('reconciliation.import.done', { imported: r.imported, known: r.alreadyImported }));
        await queryClient.invalidateQueries({ queryKey: ['reconciliation'] });
        onImported();
      }
    },
  });
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('reconciliation.import.help')}
      </Text>
      <FormError error={run.error} />
      <FileInput
        label={t('reconciliation.import.file')}
        accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        value={file}
        onChange={(f) => {
          setFile(f);
          setReport(null);
        }}
        maw={480}
      />
      <Group>
        <Button variant="light" disabled={!file} loading={run.isPending && run.variables === true} onClick={() => run.mutate(true)}>
          {t('reconciliation.import.preview')}
        </Button>
        <Button disabled={!file} loading={run.isPending && run.variables === false} onClick={() => run.mutate(false)}>
          {t('reconciliation.import.run')}
        </Button>
      </Group>
      {report && report.errorCount > 0 && (
        <Alert color="red" title={t('reconciliation.import.refused', { count: report.errorCount })}>
          <Table.ScrollContainer minWidth={320}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('reconciliation.import.line')}</Table.Th>
                  <Table.Th>{t('reconciliation.import.column')}</Table.Th>
                  <Table.Th>{t('reconciliation.import.problem')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.errors.map((e, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{e.line}</Table.Td>
                    <Table.Td dir="ltr">{e.field}</Table.Td>
                    <Table.Td>{e.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Alert>
      )}
      {report && report.errorCount === 0 && (
        <Alert color="teal">
          {t('reconciliation.import.summary', { total: report.total, skipped: report.skipped, from: report.periodFrom ?? '', to: report.periodTo ?? '' })}
        </Alert>
      )}
      {report && report.preview.length > 0 && (
        <>
          <Title order={4}>{t('reconciliation.import.mapped')}</Title>
          <Table.ScrollContainer minWidth={640}>
            <Table striped aria-label={t('reconciliation.import.mapped')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('reconciliation.import.line')}</Table.Th>
                  <Table.Th>{t('reconciliation.line.date')}</Table.Th>
                  <Table.Th>{t('reconciliation.line.kind')}</Table.Th>
                  <Table.Th>{t('reconciliation.line.amount')}</Table.Th>
                  <Table.Th>{t('reconciliation.line.transaction')}</Table.Th>
                  <Table.Th>{t('reconciliation.line.reference')}</Table.Th>
                  <Table.Th>{t('reconciliation.line.payer')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.preview.map((l) => (
                  <Table.Tr key={l.line}>
                    <Table.Td>{l.line}</Table.Td>
                    <Table.Td>{new Date(l.postedAt).toLocaleString()}</Table.Td>
                    <Table.Td>{t(`reconciliation.kind.${l.kind}`)}</Table.Td>
                    <Table.Td dir="ltr">{l.amount}</Table.Td>
                    <Table.Td dir="ltr">{l.transactionId}</Table.Td>
                    <Table.Td dir="ltr">{l.reference}</Table.Td>
                    <Table.Td>{[l.payerName, l.payerPhone].filter(Boolean).join(' · ')}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
      {report && report.rows.length > 0 && (
        <>
          <Title order={4}>{t('reconciliation.import.raw', { line: report.headerLine })}</Title>
          <Table.ScrollContainer minWidth={640}>
            <Table fz="xs">
              <Table.Tbody>
                {report.rows.map((r) => (
                  <Table.Tr key={r.line} fw={r.line === report.headerLine ? 700 : undefined}>
                    <Table.Td c="dimmed">{r.line}</Table.Td>
                    {r.cells.map((c, i) => (
                      <Table.Td key={i}>{c}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}
