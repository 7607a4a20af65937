import { Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { FormError } from '../../components/feedback.tsx';
import { fieldError, useFormValues } from '../../components/forms.ts';
import { PublicLayout } from './PublicLayout.tsx';
import { fetchMe, meQueryKey, signedIn, useSetupStatus } from './session.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

export default function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const setup = useSetupStatus();
  const me = useQuery({ queryKey: meQueryKey, queryFn: fetchMe, staleTime: Infinity });
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [showHelp, setShowHelp] = useState(false);
  const form = useFormValues({ email: '', password: '', code: '' });
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  const login = useMutation({
    mutationFn: async (v: typeof form.values) =>
      mfaToken
        ? unwrap(api.POST('/api/auth/login/mfa', { body: { mfaToken, code: v.code } }))
        : unwrap(api.POST('/api/auth/login', { body: { email: v.email, password: v.password } })),
    onSuccess: async (result) => {
      if (result.status === 'mfa-required') {
        setMfaToken(result.mfaToken);
        return;
      }
      await signedIn(queryClient, result.me);
      navigate(from, { replace: true });
    },
  });

  if (setup.data?.needed) return <Navigate to="/setup" replace />;
  if (me.data && !login.isPending) return <Navigate to={from} replace />;

  return (
    <PublicLayout title={mfaToken ? t('auth.mfa.title') : t('auth.login.title')}>
      <form onSubmit={form.submit((v) => login.mutate(v))}>
        <Stack>
          <FormError error={login.error} />
          {mfaToken ? (
            <>
              <Text size="sm" c="dimmed">
                {t('auth.mfa.help')}
              </Text>
              <TextInput
                label={t('auth.mfa.code')}
                {...form.text('code')}
                error={fieldError(login.error, 'code')}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                required
                autoFocus
              />
            </>
          ) : (
            <>
              <TextInput
                label={t('auth.login.email')}
                type="email"
                autoComplete="username"
                {...form.text('email')}
                error={fieldError(login.error, 'email')}
                required
                autoFocus
              />
              <PasswordField
                label={t('auth.login.password')}
                autoComplete="current-password"
                {...form.text('password')}
                error={fieldError(login.error, 'password')}
                required
              />
            </>
          )}
          <Button type="submit" loading={login.isPending} fullWidth>
            {mfaToken ? t('auth.mfa.submit') : t('auth.login.submit')}
          </Button>
          {mfaToken ? (
            <Anchor component="button" type="button" size="sm" onClick={() => setMfaToken(null)}>
              {t('auth.mfa.back')}
            </Anchor>
          ) : (
            <Anchor component="button" type="button" size="sm" onClick={() => setShowHelp((s) => !s)}>
              {t('auth.login.forgot')}
            </Anchor>
          )}
          {showHelp && !mfaToken && (
            <Text size="sm" c="dimmed">
              {t('auth.login.forgotHelp')}
            </Text>
          )}
        </Stack>
      </form>
    </PublicLayout>
  );
}
