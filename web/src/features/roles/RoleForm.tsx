import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useFormValues, useIdempotencyKey } from '../../components/forms.ts';

/** Creates a custom role with no permissions; they are then granted in the matrix. */
export function RoleForm({ onCreated, onClose }: { onCreated: (key: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const form = useFormValues({ key: '', name: '', description: '' });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(api.POST('/api/roles', { headers: { 'Idempotency-Key': idempotencyKey }, body: { ...v, permissions: [] } })),
    onSettled: renewKey,
    onSuccess: async (role) => {
      notify.success(t('roles.created', { name: role.name }));
      await queryClient.invalidateQueries({ queryKey: ['roles'] });
      onCreated(role.key);
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('roles.create')}>
      <form onSubmit={form.submit((v) => save.mutate(v))}>
        <Stack>
          <FormError error={save.error} />
          <TextInput label={t('roles.form.name')} {...form.text('name')} error={fieldError(save.error, 'name')} required data-autofocus />
          <TextInput
            label={t('roles.form.key')}
            description={t('roles.form.keyHelp')}
            {...form.text('key')}
            error={fieldError(save.error, 'key')}
            dir="ltr"
            required
          />
          <Textarea label={t('roles.form.description')} {...form.text('description')} error={fieldError(save.error, 'description')} autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
