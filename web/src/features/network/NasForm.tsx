import { Alert, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { PasswordField } from '../../components/PasswordField.tsx';
import { network } from './http.ts';
import { apiKinds, nasTypeLabel, nasTypes, type ApiKind, type Nas, type NasType } from './model.ts';

type Coordinate = number | string;

/** The form's values from a stored NAS (edit) or the defaults the API uses (create). */
function initialValues(nas?: Nas) {
  return {
    name: nas?.name ?? '',
    type: nas?.type ?? ('mikrotik' as NasType),
    address: nas?.address ?? '',
    secret: '',
    coaPort: nas?.coaPort ?? 3799,
    location: nas?.location ?? '',
    latitude: (nas?.coordinates?.latitude ?? '') as Coordinate,
    longitude: (nas?.coordinates?.longitude ?? '') as Coordinate,
    description: nas?.description ?? '',
    requireMessageAuthenticator: nas?.requireMessageAuthenticator ?? true,
    api: {
      kind: nas?.managementApi.kind ?? ('none' as ApiKind),
      port: (nas?.managementApi.port ?? '') as number | string,
      tls: nas?.managementApi.tls ?? false,
      username: nas?.managementApi.username ?? '',
      password: '',
    },
  };
}
type Values = ReturnType<typeof initialValues>;

/** Both coordinates or neither: half a position is a typing slip, caught before it is sent. */
function coordinatesOf(v: Values) {
  if (v.latitude === '' && v.longitude === '') return null;
  return { latitude: Number(v.latitude), longitude: Number(v.longitude) };
}

/** The management API as the API takes it; the stored password is kept when the field is left empty. */
function managementApiOf(v: Values) {
  if (v.type !== 'mikrotik' || v.api.kind === 'none') return { kind: 'none' as const, tls: false };
  return { kind: v.api.kind, port: v.api.port === '' ? null : Number(v.api.port), tls: v.api.tls, username: v.api.username, ...(v.api.password && { password: v.api.password }) };
}

/**
 * Add or edit a NAS. The shared secret is asked only when adding (rotation replaces it later);
 * the API password is write-only: on edit an empty field keeps the stored one. The server's
 * 400/409 answers (a taken name or address, a missing API user) land on their fields.
 */
export function NasForm({ nas, onClose }: { nas?: Nas; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const phone = useMediaQuery('(max-width: 48em)');
  const [v, setV] = useState(() => initialValues(nas));
  const [halfPosition, setHalfPosition] = useState(false);
  const set = <K extends keyof Values>(key: K, value: Values[K]) => setV((old) => ({ ...old, [key]: value }));
  const setApi = <K extends keyof Values['api']>(key: K, value: Values['api'][K]) => setV((old) => ({ ...old, api: { ...old.api, [key]: value } }));
  const managed = v.type === 'mikrotik' && v.api.kind !== 'none';
  const save = useMutation({
    mutationFn: () => {
      const common = {
        name: v.name,
        type: v.type,
        address: v.address,
        coaPort: v.coaPort,
        location: v.location,
        coordinates: coordinatesOf(v),
        description: v.description,
        requireMessageAuthenticator: v.requireMessageAuthenticator,
      };
      if (nas) return network.updateNas(nas.id, { ...common, managementApi: managementApiOf(v) });
      return network.createNas({ ...common, secret: v.secret, ...(managed && { managementApi: managementApiOf(v) }) });
    },
    onSuccess: async (saved) => {
      notify.success(t(nas ? 'network.nas.saved' : 'network.nas.created', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: ['nas'] });
      onClose();
    },
  });
  const submit = () => {
    const half = (v.latitude === '') !== (v.longitude === '');
    setHalfPosition(half);
    if (!half) save.mutate();
  };
  const err = (...fields: string[]) => fieldError(save.error, ...fields);
  return (
    <Modal opened onClose={onClose} title={nas ? t('network.nas.editTitle', { name: nas.name }) : t('network.nas.create')} size="lg" fullScreen={phone}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <TextInput label={t('network.nas.name')} value={v.name} onChange={(e) => set('name', e.currentTarget.value)} error={err('name')} required data-autofocus />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Select label={t('network.nas.type')} data={nasTypes.map((value) => ({ value, label: nasTypeLabel(value, t) }))} value={v.type} onChange={(type) => type && set('type', type as NasType)} allowDeselect={false} error={err('type')} />
            <TextInput label={t('network.nas.address')} value={v.address} onChange={(e) => set('address', e.currentTarget.value)} error={err('address')} required dir="ltr" />
          </SimpleGrid>
          {!nas && <PasswordField label={t('network.nas.secret')} description={t('network.nas.secretHelp')} value={v.secret} onChange={(e) => set('secret', e.currentTarget.value)} error={err('secret')} required />}
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <NumberInput label={t('network.nas.coaPort')} value={v.coaPort} onChange={(n) => set('coaPort', Number(n))} min={1} max={65535} error={err('coaPort')} />
            <TextInput label={t('network.nas.location')} value={v.location} onChange={(e) => set('location', e.currentTarget.value)} error={err('location')} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <NumberInput
              label={t('network.nas.latitude')}
              value={v.latitude}
              onChange={(n) => set('latitude', n)}
              min={-90}
              max={90}
              decimalScale={6}
              error={err('coordinates.latitude', 'coordinates') ?? (halfPosition ? t('network.nas.bothCoordinates') : undefined)}
            />
            <NumberInput label={t('network.nas.longitude')} value={v.longitude} onChange={(n) => set('longitude', n)} min={-180} max={180} decimalScale={6} error={err('coordinates.longitude')} />
          </SimpleGrid>
          <Textarea label={t('network.nas.description')} value={v.description} onChange={(e) => set('description', e.currentTarget.value)} error={err('description')} autosize minRows={2} />
          {v.type === 'mikrotik' && (
            <Select
              label={t('network.api.kind')}
              description={t('network.api.kindHelp')}
              data={apiKinds.map((value) => ({ value, label: t(`network.api.kinds.${value}`) }))}
              value={v.api.kind}
              onChange={(kind) => kind && setApi('kind', kind as ApiKind)}
              allowDeselect={false}
              error={err('managementApi.kind')}
            />
          )}
          {managed && (
            <>
              <SimpleGrid cols={{ base: 1, xs: 2 }}>
                <TextInput label={t('network.api.username')} value={v.api.username} onChange={(e) => setApi('username', e.currentTarget.value)} error={err('managementApi.username')} required dir="ltr" autoComplete="off" />
                <PasswordField
                  label={t('network.api.password')}
                  description={nas?.managementApi.passwordSet ? t('network.api.passwordKept') : undefined}
                  value={v.api.password}
                  onChange={(e) => setApi('password', e.currentTarget.value)}
                  error={err('managementApi.password')}
                  required={!nas?.managementApi.passwordSet}
                  autoComplete="new-password"
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, xs: 2 }}>
                <NumberInput label={t('network.api.port')} placeholder={t('network.api.portDefault')} value={v.api.port} onChange={(port) => setApi('port', port)} min={1} max={65535} error={err('managementApi.port')} />
                <Switch label={t('network.api.tls')} checked={v.api.tls} onChange={(e) => setApi('tls', e.currentTarget.checked)} mt={{ base: 0, xs: 32 }} />
              </SimpleGrid>
            </>
          )}
          <Switch label={t('network.nas.requireMessageAuthenticator')} checked={v.requireMessageAuthenticator} onChange={(e) => set('requireMessageAuthenticator', e.currentTarget.checked)} />
          {!v.requireMessageAuthenticator && <Alert color="orange">{t('network.nas.blastRadiusWarning')}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {nas ? t('common.save') : t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
