import { Alert, Anchor, Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { CopyField, FormError, Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import { NasStatusBadge } from './NasPage.tsx';

export default function NasDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const queryClient = useQueryClient();
  const nas = useQuery({ queryKey: ['nas', 'detail', id], queryFn: () => network.getNas(id) });
  const rotate = useMutation({ mutationFn: () => network.rotateSecret(id) });
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
      </PageHeader>
      <Stack>
        {n.warning && <Alert color="orange">{t('network.nas.blastRadiusWarning')}</Alert>}
        <Card withBorder>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {fact(t('network.nas.address'), n.address)}
            {fact(t('network.nas.type'), t(`network.type.${n.type}`))}
            {fact(t('network.nas.coaPort'), String(n.coaPort))}
            {fact(t('network.nas.location'), n.location || '—')}
            {fact(t('network.nas.secret'), n.secretSet ? t('network.nas.secretSet') : '—')}
            {fact(t('network.nas.lastSeen'), n.lastSeenAt ? format.dateTime(n.lastSeenAt) : '—')}
          </SimpleGrid>
        </Card>
        <Group>
          <Anchor component={Link} to={`/nas/${n.id}/router`}>
            {t('network.nas.routerManagement')}
          </Anchor>
          {can('nas.update') && (
            <>
              <Button variant="light" onClick={() => rotate.mutate()} loading={rotate.isPending}>
                {t('network.nas.rotateSecret')}
              </Button>
              <Button variant="default" onClick={() => toggle.mutate(!n.active)} loading={toggle.isPending}>
                {n.active ? t('network.nas.deactivate') : t('network.nas.activate')}
              </Button>
            </>
          )}
        </Group>
        <FormError error={rotate.error ?? toggle.error} />
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
