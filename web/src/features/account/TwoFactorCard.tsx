import { Badge, Button, Card, Code, Group, Image, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { renderSVG } from 'uqr';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useFormValues } from '../../components/forms.ts';
import { applyMe, useMe } from '../auth/session.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

function qrDataUrl(text: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(text, { border: 2 }))}`;
}

/** Two-factor sign-in: set up with a QR code and a confirming code, or turn off with the password. */
export function TwoFactorCard() {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [pending, setPending] = useState<{ secret: string; uri: string } | null>(null);
  const form = useFormValues({ code: '', password: '' });
  const enabled = me.user.totpEnabled;

  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/api/auth/totp/setup')),
    onSuccess: (s) => setPending(s),
  });
  const enable = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/auth/totp/enable', { body: { code } })),
    onSuccess: (next) => {
      applyMe(queryClient, next);
      setPending(null);
      form.reset();
      notify.success(t('account.twoFactor.enabled'));
    },
  });
  const disable = useMutation({
    mutationFn: (password: string) => unwrap(api.POST('/api/auth/totp/disable', { body: { password } })),
    onSuccess: (next) => {
      applyMe(queryClient, next);
      form.reset();
      notify.success(t('account.twoFactor.disabled'));
    },
  });

  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={4}>{t('account.twoFactor.title')}</Title>
          <Badge color={enabled ? 'teal' : 'gray'} variant="light">
            {enabled ? t('account.twoFactor.on') : t('account.twoFactor.off')}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          {t('account.twoFactor.intro')}
        </Text>
        {enabled ? (
          <form onSubmit={form.submit((v) => disable.mutate(v.password))}>
            <Stack>
              <FormError error={disable.error} />
              <PasswordField
                label={t('account.twoFactor.passwordToDisable')}
                autoComplete="current-password"
                {...form.text('password')}
                error={fieldError(disable.error, 'password')}
                required
              />
              <Group justify="flex-end">
                <Button type="submit" color="red" variant="light" loading={disable.isPending}>
                  {t('account.twoFactor.disable')}
                </Button>
              </Group>
            </Stack>
          </form>
        ) : pending ? (
          <form onSubmit={form.submit((v) => enable.mutate(v.code))}>
            <Stack>
              <Text size="sm">{t('account.twoFactor.scan')}</Text>
              <Image src={qrDataUrl(pending.uri)} alt={t('account.twoFactor.qrAlt')} w={200} h={200} bg="white" />
              <Text size="sm">
                {t('account.twoFactor.manual')} <Code dir="ltr">{pending.secret}</Code>
              </Text>
              <FormError error={enable.error} />
              <TextInput
                label={t('account.twoFactor.code')}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                {...form.text('code')}
                error={fieldError(enable.error, 'code')}
                required
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setPending(null)}>
                  {t('common.cancel')}
                </Button>
                <Button type="submit" loading={enable.isPending}>
                  {t('account.twoFactor.confirm')}
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <Stack>
            <FormError error={start.error} />
            <Group justify="flex-end">
              <Button onClick={() => start.mutate()} loading={start.isPending}>
                {t('account.twoFactor.setUp')}
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
