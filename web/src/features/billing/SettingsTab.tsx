import { ActionIcon, Button, Fieldset, Group, NumberInput, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { currencyDigits } from '../../lib/format.ts';
import { useCan, useMe } from '../auth/session.ts';
import { useUserOptions } from '../users/options.ts';
import { incrementInMajorUnits, settingsBody, settingsForm, type BillingSettings, type RoundingMode, type SettingsForm } from './model.ts';

const modes: RoundingMode[] = ['half-up', 'half-even'];

function RoundingRows({ rows, onChange, error, disabled }: { rows: SettingsForm['rounding']; onChange: (rows: SettingsForm['rounding']) => void; error: unknown; disabled: boolean }) {
  const { t } = useTranslation();
  const edit = (i: number, patch: Partial<SettingsForm['rounding'][number]>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const hint = (currency: string, increment: string) => {
    if (!/^[A-Z]{3}$/.test(currency)) return undefined;
    const major = incrementInMajorUnits(increment, currencyDigits(currency));
    return major ? t('billing.settings.roundsTo', { amount: `${major} ${currency}` }) : undefined;
  };
  return (
    <Fieldset legend={t('billing.settings.rounding')}>
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          {t('billing.settings.roundingHelp')}
        </Text>
        {rows.map((r, i) => (
          <Group key={i} gap="xs" align="start" wrap="wrap">
            <TextInput label={t('billing.settings.currency')} value={r.currency} onChange={(e) => edit(i, { currency: e.currentTarget.value.toUpperCase() })} maxLength={3} w={90} dir="ltr" disabled={disabled} />
            <Select
              label={t('billing.settings.mode')}
              data={modes.map((m) => ({ value: m, label: t(`billing.settings.modes.${m}`) }))}
              value={r.mode}
              onChange={(v) => edit(i, { mode: (v ?? 'half-up') as RoundingMode })}
              allowDeselect={false}
              w={170}
              disabled={disabled}
            />
            <TextInput
              label={t('billing.settings.increment')}
              value={r.increment}
              onChange={(e) => edit(i, { increment: e.currentTarget.value })}
              error={fieldError(error, `rounding.${r.currency}.increment`, `rounding.${r.currency}`)}
              description={hint(r.currency, r.increment)}
              w={{ base: '100%', xs: 180 }}
              inputMode="numeric"
              dir="ltr"
              disabled={disabled}
            />
            {!disabled && (
              <ActionIcon variant="subtle" color="red" mt={28} aria-label={t('billing.settings.removeRounding', { currency: r.currency })} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                <IconTrash size={16} />
              </ActionIcon>
            )}
          </Group>
        ))}
        {!disabled && (
          <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rows, { currency: '', mode: 'half-up', increment: '1' }])} style={{ alignSelf: 'flex-start' }}>
            {t('billing.settings.addRounding')}
          </Button>
        )}
      </Stack>
    </Fieldset>
  );
}

function SettingsEditor({ settings }: { settings: BillingSettings }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const readOnly = !can('billing.update');
  const [form, setForm] = useState(() => settingsForm(settings));
  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/billing/settings/{organizationId}', { params: { path: { organizationId: settings.organizationId } }, body: settingsBody(form) })),
    onSuccess: async (saved) => {
      notify.success(t('billing.settings.saved'));
      setForm(settingsForm(saved));
      await queryClient.invalidateQueries({ queryKey: ['billing', 'settings'] });
    },
  });
  const days = (key: 'dueDays' | 'graceDays') => (
    <NumberInput label={t(`billing.settings.${key}`)} description={t(`billing.settings.${key}Help`)} value={form[key]} onChange={(v) => set(key, typeof v === 'number' ? v : '')} min={0} max={365} allowDecimal={false} error={fieldError(save.error, key)} disabled={readOnly} />
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        <FormError error={save.error} />
        <Switch label={t('billing.settings.approvalRequired')} description={t('billing.settings.approvalHelp')} checked={form.approvalRequired} onChange={(e) => set('approvalRequired', e.currentTarget.checked)} disabled={readOnly} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {days('dueDays')}
          {days('graceDays')}
          <TextInput
            label={t('billing.settings.invoiceNumberFormat')}
            description={t('billing.settings.lastNumber', { number: settings.lastInvoiceNumber || '—' })}
            value={form.invoiceNumberFormat}
            onChange={(e) => set('invoiceNumberFormat', e.currentTarget.value)}
            error={fieldError(save.error, 'invoiceNumberFormat')}
            dir="ltr"
            disabled={readOnly}
          />
          <TextInput
            label={t('billing.settings.creditNoteNumberFormat')}
            description={t('billing.settings.formatHelp')}
            value={form.creditNoteNumberFormat}
            onChange={(e) => set('creditNoteNumberFormat', e.currentTarget.value)}
            error={fieldError(save.error, 'creditNoteNumberFormat')}
            dir="ltr"
            disabled={readOnly}
          />
        </SimpleGrid>
        <RoundingRows rows={form.rounding} onChange={(rows) => set('rounding', rows)} error={save.error} disabled={readOnly} />
        <Textarea label={t('billing.settings.paymentInstructions')} description={t('billing.settings.paymentInstructionsHelp')} value={form.paymentInstructions} onChange={(e) => set('paymentInstructions', e.currentTarget.value)} error={fieldError(save.error, 'paymentInstructions')} autosize minRows={3} disabled={readOnly} />
        <Textarea label={t('billing.settings.invoiceFooter')} value={form.invoiceFooter} onChange={(e) => set('invoiceFooter', e.currentTarget.value)} error={fieldError(save.error, 'invoiceFooter')} autosize minRows={2} disabled={readOnly} />
        {!readOnly && (
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

/** Billing settings of one organization of the user's tree: approval, due and grace days, rounding, numbering, texts on the invoice. */
export function SettingsTab() {
  const { t } = useTranslation();
  const me = useMe();
  const { organizationOptions } = useUserOptions();
  const [organizationId, setOrganizationId] = useState(me.organization.id);
  const settings = useQuery({
    queryKey: ['billing', 'settings', organizationId],
    queryFn: () => unwrap(api.GET('/api/billing/settings/{organizationId}', { params: { path: { organizationId } } })),
  });
  return (
    <Stack maw={820}>
      {organizationOptions.length > 1 && (
        <Select label={t('billing.settings.organization')} data={organizationOptions} value={organizationId} onChange={(v) => setOrganizationId(v ?? me.organization.id)} searchable allowDeselect={false} w={{ base: '100%', sm: 320 }} />
      )}
      {settings.isPending ? <Loading /> : settings.isError ? <QueryError error={settings.error} /> : <SettingsEditor key={organizationId} settings={settings.data} />}
    </Stack>
  );
}
