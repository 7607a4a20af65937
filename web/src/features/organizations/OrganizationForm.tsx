import { Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Organization } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useFormValues, useIdempotencyKey } from '../../components/forms.ts';
import { languages } from '../../i18n/languages.ts';
import { useMe } from '../auth/session.ts';
import { allowedChildKinds, type OrganizationKind } from './tree.ts';

const currencies = Intl.supportedValuesOf('currency');
const timeZones = Intl.supportedValuesOf('timeZone');
const orNull = (s: string) => (s.trim() ? s.trim() : null);

/** Creates an organization under one of the user's, or edits one (`organization` given). */
export function OrganizationForm({ organization, onClose }: { organization?: Organization; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const editing = !!organization;
  const form = useFormValues({
    parentId: me.organization.id,
    kind: '' as string,
    name: organization?.name ?? '',
    currency: organization?.currency ?? '',
    timezone: organization?.timezone ?? '',
    locale: organization?.locale ?? '',
    contactEmail: organization?.contactEmail ?? '',
    contactPhone: organization?.contactPhone ?? '',
    address: organization?.address ?? '',
    taxId: organization?.taxId ?? '',
  });

  const parents = useQuery({
    queryKey: ['organizations', 'parents'],
    queryFn: () => unwrap(api.GET('/api/organizations', { params: { query: { limit: 200, sort: 'depth' } } })),
    enabled: !editing,
  });
  const parentOptions = (parents.data?.items ?? [me.organization]).filter((o) => allowedChildKinds[o.kind].length > 0);
  const parent = parentOptions.find((o) => o.id === form.values.parentId);
  const kinds = parent ? allowedChildKinds[parent.kind as OrganizationKind] : [];

  const save = useMutation({
    mutationFn: async (v: typeof form.values) => {
      const contact = { contactEmail: orNull(v.contactEmail), contactPhone: orNull(v.contactPhone), address: orNull(v.address), taxId: orNull(v.taxId) };
      if (organization) {
        return unwrap(
          api.PATCH('/api/organizations/{id}', {
            params: { path: { id: organization.id } },
            body: { name: v.name, currency: v.currency, timezone: v.timezone, locale: v.locale as (typeof languages)[number]['code'], ...contact },
          }),
        );
      }
      return unwrap(
        api.POST('/api/organizations', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: {
            parentId: v.parentId,
            kind: v.kind as Exclude<OrganizationKind, 'isp'>,
            name: v.name,
            currency: v.currency || undefined,
            timezone: v.timezone || undefined,
            ...contact,
          },
        }),
      );
    },
    onSettled: renewKey,
    onSuccess: async (org) => {
      notify.success(editing ? t('organizations.updated', { name: org.name }) : t('organizations.created', { name: org.name }));
      await queryClient.invalidateQueries({ queryKey: ['organizations'] });
      onClose();
    },
  });

  return (
    <Modal opened onClose={onClose} title={editing ? t('organizations.edit') : t('organizations.create')} size="lg">
      <form onSubmit={form.submit((v) => save.mutate(v))}>
        <Stack>
          <FormError error={save.error} />
          {!editing && (
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label={t('organizations.form.parent')}
                data={parentOptions.map((o) => ({ value: o.id, label: o.name }))}
                value={form.values.parentId}
                onChange={(v) => {
                  form.set('parentId', v ?? me.organization.id);
                  form.set('kind', '');
                }}
                error={fieldError(save.error, 'parentId')}
                searchable
                allowDeselect={false}
                required
              />
              <Select
                label={t('organizations.form.kind')}
                data={kinds.map((k) => ({ value: k, label: t(`organizations.kind.${k}`) }))}
                value={form.values.kind || null}
                onChange={(v) => form.set('kind', v ?? '')}
                error={fieldError(save.error, 'kind')}
                allowDeselect={false}
                required
              />
            </SimpleGrid>
          )}
          <TextInput label={t('organizations.form.name')} {...form.text('name')} error={fieldError(save.error, 'name')} required data-autofocus />
          <SimpleGrid cols={{ base: 1, sm: editing ? 3 : 2 }}>
            <Select
              label={t('organizations.form.currency')}
              placeholder={t('organizations.form.sameAsParent')}
              data={currencies}
              value={form.values.currency || null}
              onChange={(v) => form.set('currency', v ?? '')}
              error={fieldError(save.error, 'currency')}
              searchable
              clearable={!editing}
            />
            <Select
              label={t('organizations.form.timezone')}
              placeholder={t('organizations.form.sameAsParent')}
              data={timeZones}
              value={form.values.timezone || null}
              onChange={(v) => form.set('timezone', v ?? '')}
              error={fieldError(save.error, 'timezone')}
              searchable
              clearable={!editing}
            />
            {editing && (
              <Select
                label={t('organizations.form.locale')}
                data={languages.map((l) => ({ value: l.code, label: l.label }))}
                value={form.values.locale}
                onChange={(v) => form.set('locale', v ?? '')}
                allowDeselect={false}
              />
            )}
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('organizations.form.contactEmail')} type="email" {...form.text('contactEmail')} error={fieldError(save.error, 'contactEmail')} />
            <TextInput label={t('organizations.form.contactPhone')} type="tel" {...form.text('contactPhone')} error={fieldError(save.error, 'contactPhone')} />
            <TextInput label={t('organizations.form.address')} {...form.text('address')} error={fieldError(save.error, 'address')} />
            <TextInput label={t('organizations.form.taxId')} {...form.text('taxId')} error={fieldError(save.error, 'taxId')} />
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
