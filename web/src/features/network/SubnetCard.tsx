import { ActionIcon, Button, Card, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconTrash, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client.ts';
import { ConfirmModal, FormError } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import { UtilizationBar } from './PoolsPage.tsx';

type Subnet = Schemas['IpSubnet'];

function ReserveForm({ subnet }: { subnet: Subnet }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [v, setV] = useState({ first: '', last: '', reason: '' });
  const reserve = useMutation({
    mutationFn: () => network.reserve(subnet.id, { first: v.first, last: v.last || undefined, reason: v.reason }),
    onSuccess: async () => {
      setV({ first: '', last: '', reason: '' });
      await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
    },
  });
  return (
    <form
      aria-label={t('network.pools.reserveIn', { cidr: subnet.cidr })}
      onSubmit={(e) => {
        e.preventDefault();
        reserve.mutate();
      }}
    >
      <Stack gap="xs">
        <FormError error={reserve.error} />
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          <TextInput label={t('network.pools.first')} value={v.first} onChange={(e) => setV({ ...v, first: e.currentTarget.value })} error={fieldError(reserve.error, 'first')} required dir="ltr" />
          <TextInput label={t('network.pools.last')} description={t('network.pools.lastHelp')} value={v.last} onChange={(e) => setV({ ...v, last: e.currentTarget.value })} error={fieldError(reserve.error, 'last')} dir="ltr" />
          <TextInput label={t('network.pools.reason')} value={v.reason} onChange={(e) => setV({ ...v, reason: e.currentTarget.value })} error={fieldError(reserve.error, 'reason')} />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button type="submit" variant="light" loading={reserve.isPending}>
            {t('network.pools.reserve')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * One subnet of a pool: its utilization, its reserved ranges (never handed out) with add and
 * remove, and removal of the subnet itself, which the API refuses while an address of it is
 * assigned; the refusal is shown in the confirmation.
 */
export function SubnetCard({ subnet }: { subnet: Subnet }) {
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const unreserve = useMutation({
    mutationFn: (id: string) => network.unreserve(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['ip-pools'] }),
  });
  const range = (r: Subnet['reservations'][number]) => (r.first === r.last ? r.first : `${r.first} – ${r.last}`);
  return (
    <Card withBorder padding="sm" data-subnet={subnet.cidr}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Stack gap={0}>
            <Text fw={500} dir="ltr">
              {subnet.cidr}
            </Text>
            {subnet.gateway && (
              <Text size="xs" c="dimmed">
                {t('network.pools.gateway')}: <span dir="ltr">{subnet.gateway}</span>
              </Text>
            )}
          </Stack>
          {can('ipam.delete') && (
            <ActionIcon variant="subtle" color="red" aria-label={t('network.pools.deleteSubnet', { cidr: subnet.cidr })} onClick={() => setDeleting(true)}>
              <IconTrash size={18} />
            </ActionIcon>
          )}
        </Group>
        <UtilizationBar u={subnet.utilization} />
        <Text size="sm" fw={600}>
          {t('network.pools.reservations')}
        </Text>
        {subnet.reservations.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('network.pools.noReservations')}
          </Text>
        )}
        {subnet.reservations.map((r) => (
          <Group key={r.id} justify="space-between" wrap="nowrap" gap="xs" data-reservation={range(r)}>
            <div>
              <Text size="sm" dir="ltr">
                {range(r)}
              </Text>
              {r.reason && (
                <Text size="xs" c="dimmed">
                  {r.reason}
                </Text>
              )}
            </div>
            {can('ipam.update') && (
              <ActionIcon variant="subtle" color="gray" aria-label={t('network.pools.unreserve', { range: range(r) })} loading={unreserve.isPending && unreserve.variables === r.id} onClick={() => unreserve.mutate(r.id)}>
                <IconX size={16} />
              </ActionIcon>
            )}
          </Group>
        ))}
        <FormError error={unreserve.error} />
        {can('ipam.update') && <ReserveForm subnet={subnet} />}
      </Stack>
      <ConfirmModal
        opened={deleting}
        title={t('network.pools.deleteSubnetTitle', { cidr: subnet.cidr })}
        message={t('network.pools.deleteSubnetMessage')}
        confirmLabel={t('common.delete')}
        onConfirm={async () => {
          await network.deleteSubnet(subnet.id);
          await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
        }}
        onClose={() => setDeleting(false)}
      />
    </Card>
  );
}
