import { Fieldset, NumberInput, Select, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { fieldError } from '../../components/forms.ts';
import { cycles, type NetworkForm, type TaxClass, type VersionForm } from './model.ts';
import { PriceEditor } from './PriceEditor.tsx';

type Props = { form: VersionForm; onChange: (f: VersionForm) => void; taxClasses: TaxClass[]; error: unknown; prefix: string };

/** Billing, prices, tax class and network profile: what a version of a plan sells. */
export function VersionFields({ form, onChange, taxClasses, error, prefix }: Props) {
  const { t } = useTranslation();
  const set = (patch: Partial<VersionForm>) => onChange({ ...form, ...patch });
  const net = (patch: Partial<NetworkForm>) => set({ network: { ...form.network, ...patch } });
  const err = (...fields: string[]) => fieldError(error, ...fields.map((f) => prefix + f));
  const n = form.network;
  const speed = (label: string, key: keyof NetworkForm, field: string) => (
    <NumberInput label={t(label)} value={n[key] as number | ''} onChange={(v) => net({ [key]: typeof v === 'number' ? v : '' })} min={0} decimalScale={3} error={err(field)} />
  );
  const monthly = form.cycle === 'monthly' || form.cycle === 'quarterly' || form.cycle === 'yearly';
  return (
    <Stack>
      <Fieldset legend={t('plans.form.billing')}>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Select
            label={t('plans.form.cycle')}
            data={cycles.map((c) => ({ value: c, label: t(`plans.cycle.${c}`) }))}
            value={form.cycle}
            onChange={(v) => v && set({ cycle: v as VersionForm['cycle'], timing: v === 'validity' || v === 'one_time' ? 'in_advance' : form.timing })}
            error={err('billing.cycle')}
            allowDeselect={false}
          />
          {monthly && (
            <Select
              label={t('plans.form.alignment')}
              data={(['anniversary', 'calendar'] as const).map((a) => ({ value: a, label: t(`plans.alignment.${a}`) }))}
              value={form.alignment}
              onChange={(v) => v && set({ alignment: v as VersionForm['alignment'] })}
              allowDeselect={false}
            />
          )}
          {form.cycle === 'validity' && (
            <>
              <NumberInput label={t('plans.form.validityLength')} value={form.validityLength} onChange={(v) => set({ validityLength: typeof v === 'number' ? v : '' })} min={1} allowDecimal={false} error={err('billing.validityLength')} />
              <Select
                label={t('plans.form.validityUnit')}
                data={(['hours', 'days'] as const).map((u) => ({ value: u, label: t(`plans.validityUnit.${u}`) }))}
                value={form.validityUnit}
                onChange={(v) => v && set({ validityUnit: v as VersionForm['validityUnit'] })}
                allowDeselect={false}
              />
            </>
          )}
          <Select
            label={t('plans.form.timing')}
            data={(['in_advance', 'in_arrears'] as const).map((v) => ({ value: v, label: t(`plans.timing.${v}`) }))}
            value={form.timing}
            onChange={(v) => v && set({ timing: v as VersionForm['timing'] })}
            error={err('billing.timing')}
            allowDeselect={false}
          />
          <NumberInput label={t('plans.form.graceDays')} value={form.graceDays} onChange={(v) => set({ graceDays: typeof v === 'number' ? v : '' })} min={0} max={365} allowDecimal={false} error={err('billing.graceDays')} />
          <Select
            label={t('plans.form.taxClass')}
            placeholder={t('plans.form.noTax')}
            data={taxClasses.map((c) => ({ value: c.id, label: `${c.name} (${c.code})` }))}
            value={form.taxClassId}
            onChange={(v) => set({ taxClassId: v })}
            error={err('taxClassId')}
            clearable
          />
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend={t('plans.form.prices')}>
        <PriceEditor prices={form.prices} onChange={(prices) => set({ prices })} error={error} prefix={prefix} />
      </Fieldset>
      <Fieldset legend={t('plans.form.network')}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            {speed('plans.network.downloadMbps', 'downloadMbps', 'network.download.rateKbps')}
            {speed('plans.network.uploadMbps', 'uploadMbps', 'network.upload.rateKbps')}
            <TextInput label={t('plans.network.ipPool')} value={n.ipPool} onChange={(e) => net({ ipPool: e.currentTarget.value })} error={err('network.ipPool')} />
            <TextInput label={t('plans.network.addressList')} value={n.addressList} onChange={(e) => net({ addressList: e.currentTarget.value })} error={err('network.addressList')} />
          </SimpleGrid>
          <Switch label={t('plans.network.burst')} checked={n.burst} onChange={(e) => net({ burst: e.currentTarget.checked })} />
          {n.burst && (
            <SimpleGrid cols={{ base: 2, sm: 5 }}>
              {speed('plans.network.downloadBurstMbps', 'downloadBurstMbps', 'network.download.burst.rateKbps')}
              {speed('plans.network.uploadBurstMbps', 'uploadBurstMbps', 'network.upload.burst.rateKbps')}
              {speed('plans.network.downloadThresholdMbps', 'downloadThresholdMbps', 'network.download.burst.thresholdKbps')}
              {speed('plans.network.uploadThresholdMbps', 'uploadThresholdMbps', 'network.upload.burst.thresholdKbps')}
              <NumberInput label={t('plans.network.burstSeconds')} value={n.burstSeconds} onChange={(v) => net({ burstSeconds: typeof v === 'number' ? v : '' })} min={1} max={3600} allowDecimal={false} />
            </SimpleGrid>
          )}
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <TextInput label={t('plans.network.dataQuotaGb')} value={n.dataQuotaGb} onChange={(e) => net({ dataQuotaGb: e.currentTarget.value })} error={err('network.dataQuotaBytes')} />
            <NumberInput label={t('plans.network.timeQuotaHours')} value={n.timeQuotaHours} onChange={(v) => net({ timeQuotaHours: typeof v === 'number' ? v : '' })} min={0} decimalScale={2} error={err('network.timeQuotaSeconds')} />
          </SimpleGrid>
          <Switch label={t('plans.network.throttle')} checked={n.throttle} onChange={(e) => net({ throttle: e.currentTarget.checked })} error={err('network.throttle')} />
          {n.throttle && (
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              {speed('plans.network.throttleDownloadMbps', 'throttleDownloadMbps', 'network.throttle.downloadKbps')}
              {speed('plans.network.throttleUploadMbps', 'throttleUploadMbps', 'network.throttle.uploadKbps')}
            </SimpleGrid>
          )}
        </Stack>
      </Fieldset>
    </Stack>
  );
}
