import { Alert, Anchor, Button, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { FormError } from '../../components/feedback.tsx';
import { fieldError, useFormValues } from '../../components/forms.ts';
import { useHashParam } from '../../lib/location-hash.ts';
import { PublicLayout } from './PublicLayout.tsx';
import { PasswordField } from '../../components/PasswordField.tsx';

/** Sets a new password with a one-time link (`/reset-password#token=…`) issued by an administrator. */
export default function ResetPasswordPage() {
  const { t } = useTranslation();
  const token = useHashParam('token');
  const form = useFormValues({ password: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);

  const reset = useMutation({
    mutationFn: (password: string) => unwrap(api.POST('/api/auth/password-reset', { body: { token: token ?? '', newPassword: password } })),
  });

  const submit = form.submit((v) => {
    setMismatch(v.password !== v.confirm);
    if (v.password === v.confirm) reset.mutate(v.password);
  });

  return (
    <PublicLayout title={t('auth.reset.title')}>
      {reset.isSuccess ? (
        <Stack>
          <Alert color="teal">{t('auth.reset.done')}</Alert>
          <Anchor component={Link} to="/login">
            {t('auth.reset.toLogin')}
          </Anchor>
        </Stack>
      ) : !token ? (
        <Alert color="yellow">{t('auth.reset.noToken')}</Alert>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <FormError error={reset.error} />
            <PasswordField
              label={t('auth.reset.newPassword')}
              autoComplete="new-password"
              {...form.text('password')}
              error={fieldError(reset.error, 'newPassword', 'token')}
              required
            />
            <PasswordField
              label={t('auth.reset.confirm')}
              autoComplete="new-password"
              {...form.text('confirm')}
              error={mismatch ? t('auth.reset.mismatch') : undefined}
              required
            />
            <Button type="submit" loading={reset.isPending}>
              {t('auth.reset.submit')}
            </Button>
          </Stack>
        </form>
      )}
    </PublicLayout>
  );
}
