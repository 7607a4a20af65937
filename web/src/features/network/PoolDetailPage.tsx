import { Button, Card, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { FormError, Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import { UtilizationBar } from './PoolsPage.tsx';

export default function PoolDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const [cidr, setCidr] = useState('');
  const [gateway, setGateway] = useState('');
  const pool = useQuery({ queryKey: ['ip-pools', 'detail', id], queryFn: () => network.getPool(id) });
  const add = useMutation({
    mutationFn: () => network.addSubnet(id, { cidr, gateway: gateway || null, description: '' }),
    onSuccess: async () => {
      setCidr('');
      setGateway('');
      await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
    },
  });
  if (pool.isPending) return <Loading />;
  if (pool.isError) return <QueryError error={pool.error} />;
  const p = pool.data;
  return (
    <>
      <PageHeader title={p.name} />
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
          <Card key={s.id} withBorder padding="sm">
            <Group justify="space-between" mb={4}>
              <Text fw={500} dir="ltr">
                {s.cidr}
              </Text>
              {s.gateway && (
                <Text size="xs" c="dimmed" dir="ltr">
                  {t('network.pools.gateway')}: {s.gateway}
                </Text>
              )}
            </Group>
            <UtilizationBar u={s.utilization} />
          </Card>
        ))}
        {can('ipam.create') && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              add.mutate();
            }}
          >
            <Stack gap="xs">
              <FormError error={add.error} />
              <Group align="end" wrap="wrap">
                <TextInput label={t('network.pools.cidr')} value={cidr} onChange={(e) => setCidr(e.currentTarget.value)} error={fieldError(add.error, 'cidr')} required dir="ltr" />
                <TextInput label={t('network.pools.gateway')} value={gateway} onChange={(e) => setGateway(e.currentTarget.value)} error={fieldError(add.error, 'gateway')} dir="ltr" />
                <Button type="submit" loading={add.isPending}>
                  {t('network.pools.addSubnet')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        <Text fw={600}>{t('network.pools.assignments')}</Text>
        <Table.ScrollContainer minWidth={320}>
          <Table>
            <Table.Tbody>
              {p.assignments.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td dir="ltr">{a.address}</Table.Td>
                  <Table.Td>{a.username ?? '—'}</Table.Td>
                  <Table.Td>{t(`network.pools.assignment.${a.kind}`)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </>
  );
}
