import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ConfirmModal, CopyField, FormError, Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import { formatCoordinates, nasTypeLabel } from './model.ts';
import { NasForm } from './NasForm.tsx';
import { NasStatusBadge } from './NasPage.tsx';

export default function NasDetailPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const queryClient = useQueryClient();
  const nas = useQuery({ queryKey: ['nas', 'detail', id], queryFn: () => network.getNas(id) });
  const rotate = useMutation({ mutationFn: () => network.rotateSecret(id) });
  // Rotating cuts the NAS off RADIUS until the new secret is entered on it: ask first.
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const toggle = useMutation({
    mutationFn: (active: boolean) => network.updateNas(id, { active }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['nas'] }),
  });
  if (nas.isPending) return <Loading />;
  if (nas.isError) return <QueryError error={nas.error} />;
  const n = nas.data;
  const fact = (label: string, value: string) => (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value}</Text>
    </div>
  );
  return (
    <>
      <PageHeader title={n.name}>
        <NasStatusBadge status={n.status} />
        {!n.active && <Badge color="gray">{t('network.nas.inactive')}</Badge>}
      </PageHeader>
      <Stack>
        {n.warning && <Alert color="orange">{t('network.nas.blastRadiusWarning')}</Alert>}
        <Card withBorder>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {fact(t('network.nas.address'), n.address)}
            {fact(t('network.nas.type'), nasTypeLabel(n.type, t))}
            {fact(t('network.nas.coaPort'), String(n.coaPort))}
            {fact(t('network.nas.location'), n.location || '—')}
            {fact(t('network.nas.coordinates'), n.coordinates ? formatCoordinates(n.coordinates, i18n.language) : '—')}
            {fact(t('network.nas.requireMessageAuthenticator'), n.requireMessageAuthenticator ? t('network.nas.required') : t('network.nas.notRequired'))}
            {fact(t('network.nas.secret'), n.secretSet ? t('network.nas.secretSet') : '—')}
            {fact(t('network.nas.lastSeen'), n.lastSeenAt ? format.dateTime(n.lastSeenAt) : '—')}
            {fact(
              t('network.api.kind'),
              n.managementApi.kind === 'none'
                ? t('network.api.kinds.none')
                : `${t(`network.api.kinds.${n.managementApi.kind}`)} · ${n.managementApi.username ?? ''}@${n.address}:${n.managementApi.port ?? ''}${n.managementApi.tls ? ' · TLS' : ''}`,
            )}
          </SimpleGrid>
          {n.description && (
            <Text mt="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {n.description}
            </Text>
          )}
        </Card>
        <Group>
          <Anchor component={Link} to={`/nas/${n.id}/router`}>
            {t('network.nas.routerManagement')}
          </Anchor>
          <Anchor component={Link} to={`/sessions?nasId=${n.id}`}>
            {t('network.nas.onlineSessions')}
          </Anchor>
          {can('nas.update') && (
            <>
              <Button onClick={() => setEditing(true)}>{t('common.edit')}</Button>
              <Button variant="light" onClick={() => setConfirming(true)} loading={rotate.isPending}>
                {t('network.nas.rotateSecret')}
              </Button>
              <Button variant="default" onClick={() => toggle.mutate(!n.active)} loading={toggle.isPending}>
                {n.active ? t('network.nas.deactivate') : t('network.nas.activate')}
              </Button>
            </>
          )}
        </Group>
        <ConfirmModal
          opened={confirming}
          title={t('network.nas.rotateConfirmTitle', { name: n.name })}
          message={t('network.nas.rotateConfirmMessage')}
          confirmLabel={t('network.nas.rotateSecret')}
          onConfirm={() => rotate.mutateAsync()}
          onClose={() => setConfirming(false)}
        />
        {editing && <NasForm nas={n} onClose={() => setEditing(false)} />}
        <FormError error={toggle.error} />
        {rotate.data && <CopyField label={t('network.nas.newSecret')} value={rotate.data.secret} />}
        <Text fw={600}>{t('network.events.title')}</Text>
        {n.events.length === 0 && <Text c="dimmed">{t('network.events.none')}</Text>}
        {n.events.map((e) => (
          <Group key={e.id} gap="xs">
            <NasStatusBadge status={e.kind} />
            <Text size="sm">{format.dateTime(e.at)}</Text>
          </Group>
        ))}
      </Stack>
    </>
  );
}
