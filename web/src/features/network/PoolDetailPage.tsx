import { Button, Card, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { ConfirmModal, FormError, Loading, PageHeader, QueryError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import type { IpPoolDetail } from './model.ts';
import { PoolActions } from './PoolActions.tsx';
import { UtilizationBar } from './PoolsPage.tsx';
import { SubnetCard } from './SubnetCard.tsx';
import { SubscriptionPicker } from './SubscriptionPicker.tsx';

type Assignment = IpPoolDetail['assignments'][number];

function AddSubnetForm({ poolId }: { poolId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [cidr, setCidr] = useState('');
  const [gateway, setGateway] = useState('');
  const add = useMutation({
    mutationFn: () => network.addSubnet(poolId, { cidr, gateway: gateway || null, description: '' }),
    onSuccess: async () => {
      setCidr('');
      setGateway('');
      await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Stack gap="xs">
        <FormError error={add.error} />
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          <TextInput label={t('network.pools.cidr')} value={cidr} onChange={(e) => setCidr(e.currentTarget.value)} error={fieldError(add.error, 'cidr')} required dir="ltr" />
          <TextInput label={t('network.pools.gateway')} value={gateway} onChange={(e) => setGateway(e.currentTarget.value)} error={fieldError(add.error, 'gateway')} dir="ltr" />
          <Button type="submit" loading={add.isPending} mt={{ base: 0, xs: 25 }}>
            {t('network.pools.addSubnet')}
          </Button>
        </SimpleGrid>
      </Stack>
    </form>
  );
}

/** Gives a subscription the pool's next free address, or the one typed in; it becomes the subscription's static address. */
function AssignForm({ pool }: { pool: IpPoolDetail }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [subscriptionId, setSubscriptionId] = useState<string | null>(null);
  const [address, setAddress] = useState('');
  const assign = useMutation({
    mutationFn: () => network.assign(pool.id, { subscriptionId: subscriptionId!, address: address.trim() || undefined, note: '' }),
    onSuccess: async (a) => {
      notify.success(t('network.pools.assigned', { address: a.address, user: a.username ?? '' }));
      setAddress('');
      setSubscriptionId(null);
      await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
    },
  });
  return (
    <form
      aria-label={t('network.pools.assign')}
      onSubmit={(e) => {
        e.preventDefault();
        if (subscriptionId) assign.mutate();
      }}
    >
      <Stack gap="xs">
        <FormError error={assign.error} />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <SubscriptionPicker value={subscriptionId} onChange={setSubscriptionId} error={fieldError(assign.error, 'subscriptionId')} />
          <TextInput
            label={pool.kind === 'prefix' ? t('network.pools.chosenPrefix') : t('network.pools.chosenAddress')}
            placeholder={t('network.pools.nextFree')}
            value={address}
            onChange={(e) => setAddress(e.currentTarget.value)}
            error={fieldError(assign.error, 'address')}
            dir="ltr"
          />
          <Button type="submit" loading={assign.isPending} disabled={!subscriptionId} mt={{ base: 0, sm: 25 }}>
            {t('network.pools.assign')}
          </Button>
        </SimpleGrid>
      </Stack>
    </form>
  );
}

export default function PoolDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const [releasing, setReleasing] = useState<Assignment | null>(null);
  const pool = useQuery({ queryKey: ['ip-pools', 'detail', id], queryFn: () => network.getPool(id) });
  if (pool.isPending) return <Loading />;
  if (pool.isError) return <QueryError error={pool.error} />;
  const p = pool.data;
  return (
    <>
      <PageHeader title={p.name}>
        <PoolActions pool={p} />
      </PageHeader>
      <Stack>
        <Card withBorder>
          <Text size="sm" fw={600}>
            {t('network.pools.utilization')}
          </Text>
          <UtilizationBar u={p.utilization} />
        </Card>
        <Text fw={600}>{t('network.pools.subnets')}</Text>
        {p.subnets.length === 0 && <Text c="dimmed">{t('network.pools.noSubnets')}</Text>}
        {p.subnets.map((s) => (
          <SubnetCard key={s.id} subnet={s} />
        ))}
        {can('ipam.create') && <AddSubnetForm poolId={p.id} />}
        <Text fw={600}>{t('network.pools.assignments')}</Text>
        {can('ipam.create') && p.subnets.length > 0 && <AssignForm pool={p} />}
        {p.assignments.length === 0 && <Text c="dimmed">{t('network.pools.noAssignments')}</Text>}
        {p.assignments.length > 0 && (
          <Table.ScrollContainer minWidth={320}>
            <Table>
              <Table.Tbody>
                {p.assignments.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td dir="ltr">{a.address}</Table.Td>
                    <Table.Td>{a.username ?? '—'}</Table.Td>
                    <Table.Td>{t(`network.pools.assignment.${a.kind}`)}</Table.Td>
                    <Table.Td ta="end">
                      {can('ipam.delete') && (
                        <Button size="compact-sm" variant="light" color="red" onClick={() => setReleasing(a)}>
                          {t('network.pools.release')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      <ConfirmModal
        opened={releasing !== null}
        title={t('network.pools.releaseTitle', { address: releasing?.address ?? '' })}
        message={t('network.pools.releaseMessage', { user: releasing?.username ?? '—' })}
        confirmLabel={t('network.pools.release')}
        onConfirm={async () => {
          if (releasing) await network.release(releasing.id);
          await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
        }}
        onClose={() => setReleasing(null)}
      />
    </>
  );
}
