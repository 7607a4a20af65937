import { Button, Card, Group, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, PageHeader, useNotify } from '../../components/feedback.tsx';
import { fieldError, useFormValues } from '../../components/forms.ts';
import { setLanguage } from '../../i18n/index.ts';
import { isLanguage, languages } from '../../i18n/languages.ts';
import { applyMe, useMe } from '../auth/session.ts';
import { SessionsCard } from './SessionsCard.tsx';
import { TwoFactorCard } from './TwoFactorCard.tsx';
import { PasswordField } from '../../components/PasswordField.tsx';

function ProfileCard() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const form = useFormValues({ name: me.user.name, locale: isLanguage(me.user.locale) ? me.user.locale : i18n.language });
  const save = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.PATCH('/api/auth/me', { body: { name: v.name, locale: isLanguage(v.locale) ? v.locale : null } })),
    onSuccess: async (next) => {
      applyMe(queryClient, next);
      if (isLanguage(next.user.locale)) await setLanguage(next.user.locale);
      notify.success(t('account.profile.saved'));
    },
  });
  return (
    <Card withBorder>
      <form onSubmit={form.submit((v) => save.mutate(v))}>
        <Stack>
          <Title order={4}>{t('account.profile.title')}</Title>
          <FormError error={save.error} />
          <TextInput label={t('users.form.name')} {...form.text('name')} error={fieldError(save.error, 'name')} required />
          <TextInput label={t('users.form.email')} value={me.user.email} readOnly />
          <Select
            label={t('users.form.language')}
            data={languages.map((l) => ({ value: l.code, label: l.label }))}
            value={form.values.locale}
            onChange={(v) => v && form.set('locale', v)}
            allowDeselect={false}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PasswordCard() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const form = useFormValues({ currentPassword: '', newPassword: '' });
  const save = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.POST('/api/auth/password', { body: v })),
    onSuccess: (result) => {
      // The server ends every session and hands this browser a new one with a new CSRF token.
      if (result.status === 'signed-in') applyMe(queryClient, result.me);
      form.reset();
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
      notify.success(t('account.password.changed'));
    },
  });
  return (
    <Card withBorder>
      <form onSubmit={form.submit((v) => save.mutate(v))}>
        <Stack>
          <Title order={4}>{t('account.password.title')}</Title>
          <FormError error={save.error} />
          <PasswordField
            label={t('account.password.current')}
            autoComplete="current-password"
            {...form.text('currentPassword')}
            error={fieldError(save.error, 'currentPassword')}
            required
          />
          <PasswordField
            label={t('account.password.new')}
            autoComplete="new-password"
            {...form.text('newPassword')}
            error={fieldError(save.error, 'newPassword')}
            required
          />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              {t('account.password.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export default function AccountPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('account.title')} />
      <Stack>
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <ProfileCard />
          <PasswordCard />
        </SimpleGrid>
        <TwoFactorCard />
        <SessionsCard />
      </Stack>
    </>
  );
}
