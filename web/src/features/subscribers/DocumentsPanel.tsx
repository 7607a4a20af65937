import { Anchor, Button, FileInput, Group, Select, Stack, Table, Text } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';

type Kind = Schemas['SubscriberDocument']['kind'];
const kinds: Kind[] = ['national_id', 'passport', 'business_registration', 'other'];

/** KYC documents on file: download each, upload a new one (PDF, JPEG or PNG up to 10 MB). */
export function DocumentsPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const format = useFormat();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<Kind>('national_id');
  const documents = useQuery({ queryKey: ['subscribers', 'documents', id], queryFn: () => unwrap(api.GET('/api/subscribers/{id}/documents', { params: { path: { id } } })) });
  const upload = useMutation({
    mutationFn: () => {
      const form = new FormData();
      form.append('kind', kind);
      form.append('file', file!);
      return unwrap(api.POST('/api/subscribers/{id}/documents', { params: { path: { id } }, body: {} as never, bodySerializer: () => form }));
    },
    onSuccess: async (d) => {
      notify.success(t('subscribers.documents.uploaded', { filename: d.filename }));
      setFile(null);
      await queryClient.invalidateQueries({ queryKey: ['subscribers', 'documents', id] });
    },
  });
  const kindOptions = kinds.map((k) => ({ value: k, label: t(`subscribers.documents.kind.${k}`) }));
  return (
    <Stack>
      {can('subscribers.update') && (
        <Stack gap="xs">
          <FormError error={upload.error} />
          <Group align="end" gap="xs">
            <Select label={t('subscribers.documents.kindLabel')} data={kindOptions} value={kind} onChange={(v) => setKind((v ?? 'other') as Kind)} allowDeselect={false} w={{ base: '100%', xs: 200 }} />
            <FileInput label={t('subscribers.documents.file')} accept="application/pdf,image/jpeg,image/png" value={file} onChange={setFile} clearable style={{ flex: 1, minWidth: 180 }} />
            <Button leftSection={<IconUpload size={16} />} disabled={!file} loading={upload.isPending} onClick={() => upload.mutate()}>
              {t('subscribers.documents.upload')}
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            {t('subscribers.documents.help')}
          </Text>
        </Stack>
      )}
      {documents.isPending ? (
        <Loading />
      ) : documents.isError ? (
        <QueryError error={documents.error} />
      ) : documents.data.length === 0 ? (
        <Text c="dimmed">{t('common.nothingFound')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={360}>
          <Table>
            <Table.Tbody>
              {documents.data.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    <Anchor href={`/api/subscribers/${id}/documents/${d.id}`} download={d.filename}>
                      {d.filename}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{t(`subscribers.documents.kind.${d.kind}`)}</Table.Td>
                  <Table.Td>{format.dateTime(d.uploadedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
