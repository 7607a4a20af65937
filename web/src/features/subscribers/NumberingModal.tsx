import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useMe } from '../auth/session.ts';
import { useSubscriberOptions } from './options.ts';

/** The account number format of an organization (e.g. KIL-{seq:6}) and the number the next subscriber gets. */
export function NumberingModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const options = useSubscriberOptions();
  const [organizationId, setOrganizationId] = useState(me.organization.id);
  const [format, setFormat] = useState('');
  const numbering = useQuery({
    queryKey: ['subscribers', 'numbering', organizationId],
    queryFn: () => unwrap(api.GET('/api/subscribers/numbering', { params: { query: { organizationId } } })),
  });
  useEffect(() => {
    if (numbering.data) setFormat(numbering.data.format);
  }, [numbering.data]);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/subscribers/numbering', { body: { organizationId, format } })),
    onSuccess: async (n) => {
      notify.success(t('subscribers.numbering.saved', { example: n.example }));
      await queryClient.invalidateQueries({ queryKey: ['subscribers', 'numbering'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('subscribers.numbering.title')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error ?? numbering.error} />
          {options.organizationOptions.length > 1 && (
            <Select label={t('subscribers.form.organization')} data={options.organizationOptions} value={organizationId} onChange={(v) => setOrganizationId(v ?? me.organization.id)} searchable allowDeselect={false} />
          )}
          <TextInput label={t('subscribers.numbering.format')} description={t('subscribers.numbering.help')} value={format} onChange={(e) => setFormat(e.currentTarget.value)} error={fieldError(save.error, 'format')} dir="ltr" required />
          {numbering.data && <Text size="sm">{t('subscribers.numbering.next', { example: numbering.data.example })}</Text>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
