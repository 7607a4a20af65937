import { Alert, Button, Divider, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { FormError, Loading } from '../../components/feedback.tsx';
import { fieldError, useFormValues } from '../../components/forms.ts';
import { languages, isLanguage } from '../../i18n/languages.ts';
import { useHashParam } from '../../lib/location-hash.ts';
import { PublicLayout } from './PublicLayout.tsx';
import { signedIn, useSetupStatus } from './session.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

const currencies = Intl.supportedValuesOf('currency');
const timeZones = Intl.supportedValuesOf('timeZone');

/** First run: creates the ISP's root organization and the first (developer) account. */
export default function SetupPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const setup = useSetupStatus();
  const token = useHashParam('token');
  const form = useFormValues({
    orgName: '',
    currency: 'USD',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    locale: isLanguage(i18n.language) ? i18n.language : 'en',
    name: '',
    email: '',
    password: '',
  });

  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST('/api/setup', {
          body: {
            token: token ?? '',
            organization: { name: v.orgName, currency: v.currency, timezone: v.timezone, locale: v.locale },
            admin: { name: v.name, email: v.email, password: v.password },
          },
        }),
      ),
    onSuccess: async (result) => {
      if (result.status !== 'signed-in') return;
      await signedIn(queryClient, result.me);
      queryClient.setQueryData(['setup'], { needed: false, platformName: setup.data?.platformName ?? 'Uplink' });
      navigate('/', { replace: true });
    },
  });

  if (setup.isPending) return <Loading />;
  if (setup.data && !setup.data.needed && !save.isSuccess) return <Navigate to="/login" replace />;

  return (
    <PublicLayout title={t('setup.title')} width={640}>
      {!token ? (
        <Alert color="yellow" title={t('setup.noToken.title')}>
          {t('setup.noToken.body')}
        </Alert>
      ) : (
        <form onSubmit={form.submit((v) => save.mutate(v))}>
          <Stack>
            <Text c="dimmed" size="sm">
              {t('setup.intro')}
            </Text>
            <FormError error={save.error} />
            <Divider label={t('setup.organizationSection')} labelPosition="left" />
            <TextInput label={t('setup.orgName')} {...form.text('orgName')} error={fieldError(save.error, 'organization.name')} required />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select
                label={t('setup.currency')}
                data={currencies}
                searchable
                value={form.values.currency}
                onChange={(v) => form.set('currency', v ?? '')}
                error={fieldError(save.error, 'organization.currency')}
                allowDeselect={false}
                required
              />
              <Select
                label={t('setup.timezone')}
                data={timeZones}
                searchable
                value={form.values.timezone}
                onChange={(v) => form.set('timezone', v ?? '')}
                error={fieldError(save.error, 'organization.timezone')}
                allowDeselect={false}
                required
              />
              <Select
                label={t('setup.language')}
                data={languages.map((l) => ({ value: l.code, label: l.label }))}
                value={form.values.locale}
                onChange={(v) => isLanguage(v) && form.set('locale', v)}
                allowDeselect={false}
              />
            </SimpleGrid>
            <Divider label={t('setup.adminSection')} labelPosition="left" />
            <TextInput label={t('setup.adminName')} {...form.text('name')} error={fieldError(save.error, 'admin.name')} required />
            <TextInput label={t('setup.adminEmail')} type="email" {...form.text('email')} error={fieldError(save.error, 'admin.email')} required />
            <PasswordField
              label={t('setup.adminPassword')}
              autoComplete="new-password"
              {...form.text('password')}
              error={fieldError(save.error, 'admin.password')}
              required
            />
            <Button type="submit" loading={save.isPending}>
              {t('setup.submit')}
            </Button>
          </Stack>
        </form>
      )}
    </PublicLayout>
  );
}
