import { Button, Fieldset, Group, Modal, MultiSelect, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { useMe } from '../auth/session.ts';
import { billingModels, planKinds, serviceTypes, versionBody, versionForm, type Plan } from './model.ts';
import { VersionFields } from './VersionFields.tsx';

/** Plans and tax classes the form offers: what the organization you work in may sell and charge. */
function useCatalogOptions() {
  const plans = useQuery({ queryKey: ['plans', 'options'], queryFn: () => unwrap(api.GET('/api/plans', { params: { query: { limit: 200, status: 'active' } } })) });
  const taxClasses = useQuery({ queryKey: ['tax-classes', 'options'], queryFn: () => unwrap(api.GET('/api/tax-classes', { params: { query: { limit: 200 } } })) });
  return { plans: plans.data?.items ?? [], taxClasses: taxClasses.data?.items ?? [] };
}

/**
 * Creates a plan with its first version, or edits one: the plan's own fields are changed in place,
 * and a change of billing, prices or network profile is saved as a new version.
 */
export function PlanForm({ plan, onClose }: { plan?: Plan; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const phone = useMediaQuery('(max-width: 48em)');
  const options = useCatalogOptions();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [code, setCode] = useState(plan?.code ?? '');
  const [name, setName] = useState(plan?.name ?? '');
  const [description, setDescription] = useState(plan?.description ?? '');
  const [serviceType, setServiceType] = useState<Plan['serviceType']>(plan?.serviceType ?? 'pppoe');
  const [kind, setKind] = useState<Plan['kind']>(plan?.kind ?? 'plan');
  const [billingModel, setBillingModel] = useState<Plan['billingModel']>(plan?.billingModel ?? 'prepaid');
  const [shared, setShared] = useState(plan?.sharedWithSubtree ?? false);
  const [bundleItems, setBundleItems] = useState<string[]>(plan?.bundleItems.map((i) => i.planId) ?? []);
  const [version, setVersion] = useState(() => versionForm(plan?.currentVersion, me.organization.currency));
  const prefix = plan ? '' : 'version.';

  const save = useMutation({
    mutationFn: async () => {
      const items = kind === 'bundle' ? bundleItems.map((planId) => ({ planId, quantity: 1 })) : undefined;
      if (!plan) {
        const body = { code, name, description, serviceType, kind, billingModel, sharedWithSubtree: shared, bundleItems: items, version: versionBody(version) };
        return { saved: await unwrap(api.POST('/api/plans', { headers: { 'Idempotency-Key': idempotencyKey }, body })), newVersion: false };
      }
      await unwrap(api.PATCH('/api/plans/{id}', { params: { path: { id: plan.id } }, body: { name, description, sharedWithSubtree: shared, bundleItems: items } }));
      const saved = await unwrap(api.POST('/api/plans/{id}/versions', { params: { path: { id: plan.id } }, headers: { 'Idempotency-Key': idempotencyKey }, body: versionBody(version) }));
      return { saved, newVersion: saved.currentVersion.version !== plan.currentVersion.version };
    },
    onSettled: renewKey,
    onSuccess: async ({ saved, newVersion }) => {
      const message = !plan ? 'plans.created' : newVersion ? 'plans.savedVersion' : 'plans.updated';
      notify.success(t(message, { name: saved.name, version: saved.currentVersion.version }));
      await queryClient.invalidateQueries({ queryKey: ['plans'] });
      onClose();
    },
  });

  const choices = <T extends string>(values: readonly T[], key: string) => values.map((v) => ({ value: v, label: t(`${key}.${v}`) }));
  return (
    <Modal opened onClose={onClose} title={plan ? t('plans.edit') : t('plans.create')} size="xl" fullScreen={phone}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <Fieldset legend={t('plans.form.plan')}>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label={t('plans.form.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} required data-autofocus />
              <TextInput label={t('plans.form.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} error={fieldError(save.error, 'code')} disabled={!!plan} required dir="ltr" />
              <Select label={t('plans.form.serviceType')} data={choices(serviceTypes, 'plans.serviceType')} value={serviceType} onChange={(v) => v && setServiceType(v as Plan['serviceType'])} disabled={!!plan} allowDeselect={false} />
              <Select label={t('plans.form.kind')} data={choices(planKinds, 'plans.kind')} value={kind} onChange={(v) => v && setKind(v as Plan['kind'])} disabled={!!plan} allowDeselect={false} />
              <Select
                label={t('plans.form.billingModel')}
                data={choices(billingModels, 'plans.billingModel')}
                value={billingModel}
                onChange={(v) => v && setBillingModel(v as Plan['billingModel'])}
                disabled={!!plan}
                allowDeselect={false}
              />
              <Switch label={t('plans.form.shared')} description={t('plans.form.sharedHelp')} checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} mt="md" />
            </SimpleGrid>
            <Textarea label={t('plans.form.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} mt="sm" />
            {kind === 'bundle' && (
              <MultiSelect
                label={t('plans.form.bundleItems')}
                data={options.plans.filter((p) => p.kind !== 'bundle' && p.id !== plan?.id).map((p) => ({ value: p.id, label: `${p.name} (${p.code})` }))}
                value={bundleItems}
                onChange={setBundleItems}
                error={fieldError(save.error, 'bundleItems', 'bundleItems.0.planId')}
                searchable
                mt="sm"
              />
            )}
          </Fieldset>
          {plan && (
            <Text size="sm" c="dimmed">
              {t('plans.form.versionHelp', { version: plan.currentVersion.version })}
            </Text>
          )}
          <VersionFields form={version} onChange={setVersion} taxClasses={options.taxClasses} error={save.error} prefix={prefix} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {plan ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
