import { Button, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type User } from '../../api/client.ts';
import { CopyField, FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useFormValues, useIdempotencyKey } from '../../components/forms.ts';
import { isLanguage, languages } from '../../i18n/languages.ts';
import { useFormat } from '../../lib/use-format.ts';
import { useMe } from '../auth/session.ts';
import { useUserOptions } from './options.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

/** A one-time password link with its expiry, shown once after it is issued. */
export function PasswordLinkModal({ link, onClose }: { link: { url: string; expiresAt: string }; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Modal opened onClose={onClose} title={t('users.passwordLink.title')} size="lg">
      <Stack>
        <Text size="sm">{t('users.passwordLink.help', { expiresAt: format.dateTime(link.expiresAt) })}</Text>
        <CopyField label={t('users.passwordLink.label')} value={link.url} />
        <Group justify="flex-end">
          <Button onClick={onClose}>{t('common.done')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Creates a user (a one-time password link when no password is given) or edits one. */
export function UserForm({ user, onClose }: { user?: User; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const options = useUserOptions();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const editing = !!user;
  const form = useFormValues({
    name: user?.name ?? '',
    email: user?.email ?? '',
    role: user?.role ?? '',
    organizationId: user?.organizationId ?? me.organization.id,
    locale: user?.locale ?? '',
    password: '',
  });

  const save = useMutation({
    mutationFn: async (v: typeof form.values) => {
      const locale = isLanguage(v.locale) ? v.locale : undefined;
      if (user) {
        const body = { name: v.name, email: v.email, role: v.role, organizationId: v.organizationId, locale: locale ?? null };
        return { user: await unwrap(api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body })), passwordLink: null };
      }
      return unwrap(
        api.POST('/api/users', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { name: v.name, email: v.email, role: v.role, organizationId: v.organizationId, locale, password: v.password || undefined },
        }),
      );
    },
    onSettled: renewKey,
    onSuccess: async (result) => {
      notify.success(editing ? t('users.updated', { name: result.user.name }) : t('users.created', { name: result.user.name }));
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      if (result.passwordLink) setLink(result.passwordLink);
      else onClose();
    },
  });

  if (link) return <PasswordLinkModal link={link} onClose={onClose} />;

  return (
    <Modal opened onClose={onClose} title={editing ? t('users.edit') : t('users.create')} size="lg">
      <form onSubmit={form.submit((v) => save.mutate(v))}>
        <Stack>
          <FormError error={save.error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('users.form.name')} {...form.text('name')} error={fieldError(save.error, 'name')} required data-autofocus />
            <TextInput label={t('users.form.email')} type="email" {...form.text('email')} error={fieldError(save.error, 'email')} required />
            <Select
              label={t('users.form.role')}
              data={options.roleOptions}
              value={form.values.role || null}
              onChange={(v) => form.set('role', v ?? '')}
              error={fieldError(save.error, 'role')}
              searchable
              allowDeselect={false}
              required
            />
            <Select
              label={t('users.form.organization')}
              data={options.organizationOptions.length ? options.organizationOptions : [{ value: me.organization.id, label: me.organization.name }]}
              value={form.values.organizationId}
              onChange={(v) => form.set('organizationId', v ?? me.organization.id)}
              error={fieldError(save.error, 'organizationId')}
              searchable
              allowDeselect={false}
              required
            />
            <Select
              label={t('users.form.language')}
              placeholder={t('users.form.languageDefault')}
              data={languages.map((l) => ({ value: l.code, label: l.label }))}
              value={form.values.locale || null}
              onChange={(v) => form.set('locale', v ?? '')}
              clearable
            />
            {!editing && (
              <PasswordField
                label={t('users.form.password')}
                description={t('users.form.passwordHelp')}
                autoComplete="new-password"
                {...form.text('password')}
                error={fieldError(save.error, 'password')}
              />
            )}
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {editing ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
