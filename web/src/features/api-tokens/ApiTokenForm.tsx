import { Alert, Button, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { CopyField, FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useFormValues, useIdempotencyKey } from '../../components/forms.ts';
import { useMe } from '../auth/session.ts';
import { PermissionMatrix } from '../roles/PermissionMatrix.tsx';

/** Creates a scoped API token (scopes ⊆ the user's permissions) and shows its secret once. */
export function ApiTokenForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const form = useFormValues({ name: '', expiresInDays: '' as number | string });
  const [scopes, setScopes] = useState<Set<string>>(new Set());
  const [secret, setSecret] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/api-tokens', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { name: v.name, scopes: [...scopes].sort(), expiresInDays: typeof v.expiresInDays === 'number' ? v.expiresInDays : undefined },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (created) => {
      notify.success(t('apiTokens.created', { name: created.apiToken.name }));
      setSecret(created.token);
      await queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
    },
  });

  if (secret)
    return (
      <Modal opened onClose={onClose} title={t('apiTokens.secretTitle')} size="lg">
        <Stack>
          <Alert color="yellow">{t('apiTokens.secretHelp')}</Alert>
          <CopyField label={t('apiTokens.secretLabel')} value={secret} />
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('common.done')}</Button>
          </Group>
        </Stack>
      </Modal>
    );

  return (
    <Modal opened onClose={onClose} title={t('apiTokens.create')} size="xl">
      <form onSubmit={form.submit((v) => save.mutate(v))}>
        <Stack>
          <FormError error={save.error} />
          <Group grow align="start">
            <TextInput label={t('apiTokens.form.name')} {...form.text('name')} error={fieldError(save.error, 'name')} required data-autofocus />
            <NumberInput
              label={t('apiTokens.form.expiresInDays')}
              description={t('apiTokens.form.expiresHelp')}
              min={1}
              max={3650}
              allowDecimal={false}
              value={form.values.expiresInDays}
              onChange={(v) => form.set('expiresInDays', v)}
              error={fieldError(save.error, 'expiresInDays')}
            />
          </Group>
          <Text fw={500} size="sm">
            {t('apiTokens.form.scopes')}
          </Text>
          <PermissionMatrix catalogue={me.permissions} selected={scopes} onChange={setScopes} />
          {fieldError(save.error, 'scopes') && (
            <Text c="red" size="sm">
              {fieldError(save.error, 'scopes')}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={scopes.size === 0}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
