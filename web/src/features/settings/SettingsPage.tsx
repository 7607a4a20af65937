import { Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, Loading, PageHeader, QueryError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useFormValues } from '../../components/forms.ts';
import { isLanguage, languages } from '../../i18n/languages.ts';
import { useCan } from '../auth/session.ts';

type Settings = Schemas['SystemSettings'];

function SettingsForm({ settings }: { settings: Settings }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const readOnly = !can('settings.update');
  const form = useFormValues<Settings>(settings);
  const save = useMutation({
    mutationFn: (v: Settings) => unwrap(api.PATCH('/api/settings', { body: v })),
    onSuccess: (saved) => {
      queryClient.setQueryData(['settings'], saved);
      queryClient.setQueryData(['setup'], (s: { needed: boolean } | undefined) => s && { ...s, platformName: saved.platformName });
      form.setValues(saved);
      notify.success(t('settings.saved'));
    },
  });
  const number = (key: 'passwordMinLength' | 'loginMaxFailures' | 'lockoutMinutes', min: number, max: number) => (
    <NumberInput
      label={t(`settings.form.${key}`)}
      min={min}
      max={max}
      allowDecimal={false}
      value={form.values[key]}
      onChange={(v) => typeof v === 'number' && form.set(key, v)}
      error={fieldError(save.error, key)}
      readOnly={readOnly}
    />
  );
  return (
    <form onSubmit={form.submit((v) => save.mutate(v))}>
      <Card withBorder maw={720}>
        <Stack>
          {readOnly && <Text c="dimmed">{t('settings.readOnly')}</Text>}
          <FormError error={save.error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('settings.form.platformName')} {...form.text('platformName')} error={fieldError(save.error, 'platformName')} readOnly={readOnly} required />
            <Select
              label={t('settings.form.defaultLocale')}
              data={languages.map((l) => ({ value: l.code, label: l.label }))}
              value={form.values.defaultLocale}
              onChange={(v) => isLanguage(v) && form.set('defaultLocale', v)}
              readOnly={readOnly}
              allowDeselect={false}
            />
            {number('passwordMinLength', 8, 128)}
            {number('loginMaxFailures', 3, 50)}
            {number('lockoutMinutes', 1, 1440)}
          </SimpleGrid>
          {!readOnly && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending}>
                {t('common.save')}
              </Button>
            </Group>
          )}
        </Stack>
      </Card>
    </form>
  );
}

export default function SettingsPage() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => unwrap(api.GET('/api/settings')) });
  return (
    <>
      <PageHeader title={t('settings.title')} />
      {settings.isPending ? <Loading /> : settings.isError ? <QueryError error={settings.error} /> : <SettingsForm settings={settings.data} />}
    </>
  );
}
