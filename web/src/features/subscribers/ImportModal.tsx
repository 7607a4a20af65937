import { Alert, Button, Code, FileInput, Group, Modal, Select, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { useMe } from '../auth/session.ts';
import { useSubscriberOptions } from './options.ts';

type Report = Schemas['SubscriberImportReport'];
const columns = 'name,phone,email,whatsapp,kind,companyName,nationalId,status,accountNumber,address,city,region,country,latitude,longitude,tags,assignedTo,custom.<name>';

/** CSV or XLSX import: check first (dry run), then import every row or none; bad rows are listed by line and column. */
export function ImportModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const options = useSubscriberOptions();
  const [file, setFile] = useState<File | null>(null);
  const [organizationId, setOrganizationId] = useState(me.organization.id);
  const [report, setReport] = useState<Report | null>(null);
  const run = useMutation({
    mutationFn: (dryRun: boolean) => {
      const form = new FormData();
      form.append('organizationId', organizationId);
      form.append('dryRun', String(dryRun));
      form.append('file', file!);
      return unwrap(api.POST('/api/subscribers/import', { body: {} as never, bodySerializer: () => form }));
    },
    onSuccess: async (r) => {
      setReport(r);
      if (r.imported > 0) {
        notify.success(t('subscribers.import.done', { count: r.imported }));
        await queryClient.invalidateQueries({ queryKey: ['subscribers'] });
        onClose();
      }
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('subscribers.import.title')} size="xl">
      <Stack>
        <Text size="sm">{t('subscribers.import.help')}</Text>
        <Code block dir="ltr" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {columns}
        </Code>
        <FormError error={run.error} />
        <Group align="end" gap="xs">
          <FileInput
            label={t('subscribers.import.file')}
            accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            value={file}
            onChange={(f) => {
              setFile(f);
              setReport(null);
            }}
            style={{ flex: 1, minWidth: 200 }}
          />
          {options.organizationOptions.length > 1 && (
            <Select label={t('subscribers.form.organization')} data={options.organizationOptions} value={organizationId} onChange={(v) => setOrganizationId(v ?? me.organization.id)} searchable allowDeselect={false} w={{ base: '100%', xs: 220 }} />
          )}
        </Group>
        {report && report.errorCount === 0 && report.dryRun && (
          <Alert color="teal">{t('subscribers.import.checked', { count: report.total })}</Alert>
        )}
        {report && report.errorCount > 0 && (
          <Alert color="red" title={t('subscribers.import.refused', { count: report.errorCount })}>
            <Table.ScrollContainer minWidth={360}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('subscribers.import.line')}</Table.Th>
                    <Table.Th>{t('subscribers.import.column')}</Table.Th>
                    <Table.Th>{t('subscribers.import.problem')}</Table.Th>
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
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button variant="light" disabled={!file} loading={run.isPending && run.variables === true} onClick={() => run.mutate(true)}>
            {t('subscribers.import.check')}
          </Button>
          <Button disabled={!file} loading={run.isPending && run.variables === false} onClick={() => run.mutate(false)}>
            {t('subscribers.import.run')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
