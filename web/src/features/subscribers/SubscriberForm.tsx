import { ActionIcon, Button, Checkbox, Fieldset, Group, Modal, SegmentedControl, Select, SimpleGrid, Stack, TagsInput, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { useMe } from '../auth/session.ts';
import { customFieldRecord, customFieldRows, type CustomField } from './custom-fields.ts';
import { useSubscriberOptions, type SubscriberDetail } from './options.ts';

type Contact = Schemas['EditSubscriberContactInput'];
type Address = Omit<Schemas['EditSubscriberAddressInput'], 'latitude' | 'longitude'> & { latitude: string; longitude: string };
const contactKinds = ['phone', 'email', 'whatsapp'] as const;

function toAddress(a: Schemas['SubscriberAddress']): Address {
  return { ...a, latitude: a.latitude ?? '', longitude: a.longitude ?? '' };
}

/** Creates a subscriber or edits one: identity, tags, staff, the contacts and addresses as lists, and the ISP's own fields. */
export function SubscriberForm({ subscriber, onClose, onSaved }: { subscriber?: SubscriberDetail; onClose: () => void; onSaved?: (s: SubscriberDetail) => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const options = useSubscriberOptions();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [kind, setKind] = useState<'person' | 'company'>(subscriber?.kind ?? 'person');
  const [name, setName] = useState(subscriber?.name ?? '');
  const [companyName, setCompanyName] = useState(subscriber?.companyName ?? '');
  const [nationalId, setNationalId] = useState(subscriber?.nationalId ?? '');
  const [organizationId, setOrganizationId] = useState(subscriber?.organizationId ?? me.organization.id);
  const [assignedUserId, setAssignedUserId] = useState<string | null>(subscriber?.assignedUserId ?? null);
  const [tags, setTags] = useState<string[]>(subscriber?.tags ?? []);
  const [contacts, setContacts] = useState<Contact[]>(subscriber?.contacts ?? [{ kind: 'phone', value: '', primary: true }]);
  const [addresses, setAddresses] = useState<Address[]>(subscriber?.addresses.map(toAddress) ?? []);
  const [customFields, setCustomFields] = useState<CustomField[]>(customFieldRows(subscriber?.customFields));

  const editContact = (i: number, patch: Partial<Contact>) => setContacts((cs) => cs.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const editAddress = (i: number, patch: Partial<Address>) => setAddresses((as) => as.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  const editField = (i: number, patch: Partial<CustomField>) => setCustomFields((fs) => fs.map((f, j) => (j === i ? { ...f, ...patch } : f)));

  const save = useMutation({
    mutationFn: async () => {
      const body = {
        kind,
        name,
        companyName: kind === 'company' ? companyName : null,
        nationalId: nationalId || null,
        assignedUserId,
        tags,
        contacts: contacts.filter((c) => c.value.trim()),
        addresses: addresses.map((a) => ({ ...a, latitude: a.latitude || null, longitude: a.longitude || null })),
        customFields: customFieldRecord(customFields),
      };
      if (subscriber) return unwrap(api.PATCH('/api/subscribers/{id}', { params: { path: { id: subscriber.id } }, body }));
      return unwrap(api.POST('/api/subscribers', { headers: { 'Idempotency-Key': idempotencyKey }, body: { ...body, organizationId, status: 'lead' } }));
    },
    onSettled: renewKey,
    onSuccess: async (s) => {
      notify.success(t(subscriber ? 'subscribers.updated' : 'subscribers.created', { name: s.companyName ?? s.name, accountNumber: s.accountNumber }));
      await queryClient.invalidateQueries({ queryKey: ['subscribers'] });
      onSaved?.(s);
      onClose();
    },
  });

  return (
    <Modal opened onClose={onClose} title={subscriber ? t('subscribers.edit') : t('subscribers.create')} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as 'person' | 'company')}
            data={[
              { value: 'person', label: t('subscribers.kind.person') },
              { value: 'company', label: t('subscribers.kind.company') },
            ]}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {kind === 'company' && <TextInput label={t('subscribers.form.companyName')} value={companyName} onChange={(e) => setCompanyName(e.currentTarget.value)} error={fieldError(save.error, 'companyName')} required />}
            <TextInput
              label={kind === 'company' ? t('subscribers.form.contactPerson') : t('subscribers.form.name')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(save.error, 'name')}
              required
              data-autofocus
            />
            <TextInput label={t('subscribers.form.nationalId')} value={nationalId} onChange={(e) => setNationalId(e.currentTarget.value)} error={fieldError(save.error, 'nationalId')} />
            {!subscriber && options.organizationOptions.length > 1 && (
              <Select label={t('subscribers.form.organization')} data={options.organizationOptions} value={organizationId} onChange={(v) => setOrganizationId(v ?? me.organization.id)} error={fieldError(save.error, 'organizationId')} searchable allowDeselect={false} />
            )}
            <Select label={t('subscribers.form.assignedTo')} placeholder={t('subscribers.nobody')} data={options.staffOptions} value={assignedUserId} onChange={setAssignedUserId} searchable clearable />
            <TagsInput label={t('subscribers.form.tags')} value={tags} onChange={setTags} error={fieldError(save.error, 'tags')} />
          </SimpleGrid>
          <Fieldset legend={t('subscribers.contacts')}>
            <Stack gap="xs">
              {contacts.map((c, i) => (
                <Group key={i} gap="xs" align="end" wrap="wrap">
                  <Select
                    label={t('subscribers.form.contactKind')}
                    data={contactKinds.map((k) => ({ value: k, label: t(`subscribers.contactKind.${k}`) }))}
                    value={c.kind}
                    onChange={(v) => editContact(i, { kind: (v ?? 'phone') as Contact['kind'] })}
                    allowDeselect={false}
                    w={130}
                  />
                  <TextInput label={t('subscribers.form.contactValue')} value={c.value} onChange={(e) => editContact(i, { value: e.currentTarget.value })} error={fieldError(save.error, `contacts.${i}.value`)} dir="ltr" style={{ flex: 1, minWidth: 180 }} />
                  <Checkbox label={t('subscribers.form.primary')} checked={!!c.primary} onChange={(e) => editContact(i, { primary: e.currentTarget.checked })} mb={8} />
                  <ActionIcon variant="subtle" color="red" aria-label={t('subscribers.form.removeContact')} onClick={() => setContacts((cs) => cs.filter((_, j) => j !== i))} mb={4}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              ))}
              <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setContacts((cs) => [...cs, { kind: 'phone', value: '', primary: false }])} style={{ alignSelf: 'flex-start' }}>
                {t('subscribers.form.addContact')}
              </Button>
            </Stack>
          </Fieldset>
          <Fieldset legend={t('subscribers.addresses')}>
            <Stack gap="md">
              {addresses.map((a, i) => (
                <Stack key={i} gap="xs">
                  <SimpleGrid cols={{ base: 1, sm: 3 }}>
                    <TextInput label={t('subscribers.form.line1')} value={a.line1} onChange={(e) => editAddress(i, { line1: e.currentTarget.value })} error={fieldError(save.error, `addresses.${i}.line1`)} required />
                    <TextInput label={t('subscribers.form.city')} value={a.city ?? ''} onChange={(e) => editAddress(i, { city: e.currentTarget.value })} />
                    <TextInput label={t('subscribers.form.region')} value={a.region ?? ''} onChange={(e) => editAddress(i, { region: e.currentTarget.value })} />
                    <TextInput label={t('subscribers.form.latitude')} value={a.latitude} onChange={(e) => editAddress(i, { latitude: e.currentTarget.value })} error={fieldError(save.error, `addresses.${i}.latitude`)} dir="ltr" />
                    <TextInput label={t('subscribers.form.longitude')} value={a.longitude} onChange={(e) => editAddress(i, { longitude: e.currentTarget.value })} error={fieldError(save.error, `addresses.${i}.longitude`)} dir="ltr" />
                    <TextInput label={t('subscribers.form.country')} value={a.country ?? ''} onChange={(e) => editAddress(i, { country: e.currentTarget.value })} error={fieldError(save.error, `addresses.${i}.country`)} maxLength={2} />
                  </SimpleGrid>
                  <Group justify="space-between">
                    <Checkbox label={t('subscribers.form.installation')} checked={!!a.installation} onChange={(e) => editAddress(i, { installation: e.currentTarget.checked })} />
                    <Button variant="subtle" color="red" size="xs" leftSection={<IconTrash size={14} />} onClick={() => setAddresses((as) => as.filter((_, j) => j !== i))}>
                      {t('subscribers.form.removeAddress')}
                    </Button>
                  </Group>
                </Stack>
              ))}
              <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setAddresses((as) => [...as, { line1: '', latitude: '', longitude: '', installation: as.length === 0 }])} style={{ alignSelf: 'flex-start' }}>
                {t('subscribers.form.addAddress')}
              </Button>
            </Stack>
          </Fieldset>
          <Fieldset legend={t('subscribers.form.customFields')}>
            <Stack gap="xs">
              {customFields.map((f, i) => (
                <Group key={i} gap="xs" align="end" wrap="wrap">
                  <TextInput label={t('subscribers.form.fieldName')} value={f.name} onChange={(e) => editField(i, { name: e.currentTarget.value })} error={fieldError(save.error, 'customFields')} w={200} />
                  <TextInput label={t('subscribers.form.fieldValue')} value={f.value} onChange={(e) => editField(i, { value: e.currentTarget.value })} style={{ flex: 1, minWidth: 180 }} />
                  <ActionIcon variant="subtle" color="red" aria-label={t('subscribers.form.removeField')} onClick={() => setCustomFields((fs) => fs.filter((_, j) => j !== i))} mb={4}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              ))}
              <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => setCustomFields((fs) => [...fs, { name: '', value: '' }])} style={{ alignSelf: 'flex-start' }}>
                {t('subscribers.form.addField')}
              </Button>
            </Stack>
          </Fieldset>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {subscriber ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
