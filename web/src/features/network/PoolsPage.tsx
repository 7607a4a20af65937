import { Button, Group, Modal, NumberInput, Progress, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { FormError, PageHeader, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import type { Utilization } from './model.ts';

export function UtilizationBar({ u }: { u: Utilization }) {
  const { t } = useTranslation();
  const percent = Number(u.percent);
  return (
    <Stack gap={2}>
      <Progress value={percent} color={percent >= 90 ? 'red' : percent >= 75 ? 'orange' : 'blue'} aria-label={t('network.pools.utilization')} />
      <Text size="xs" c="dimmed" dir="ltr" ta="start">
        {t('network.pools.usage', { used: u.used, free: u.free, percent: u.percent })}
      </Text>
    </Stack>
  );
}

function PoolForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [shape, setShape] = useState('4');
  const [prefixLength, setPrefixLength] = useState<number>(56);
  const save = useMutation({
    mutationFn: () => network.createPool(shape === 'pd' ? { name, family: 6, kind: 'prefix', prefixLength, nasId: null, description: '' } : { name, family: shape === '6' ? 6 : 4, kind: 'address', nasId: null, description: '' }),
    onSuccess: async (pool) => {
      notify.success(t('network.pools.created', { name: pool.name }));
      await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('network.pools.create')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <TextInput label={t('network.pools.name')} description={t('network.pools.nameHelp')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} required dir="ltr" data-autofocus />
          <Select label={t('network.pools.kind')} data={[{ value: '4', label: t('network.pools.ipv4') }, { value: '6', label: t('network.pools.ipv6') }, { value: 'pd', label: t('network.pools.prefix') }]} value={shape} onChange={(s) => s && setShape(s)} allowDeselect={false} />
          {shape === 'pd' && <NumberInput label={t('network.pools.prefixLength')} value={prefixLength} onChange={(n) => setPrefixLength(Number(n))} min={16} max={128} error={fieldError(save.error, 'prefixLength')} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export default function PoolsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [creating, setCreating] = useState(false);
  const list = useCursorList(['ip-pools', 'list'], (cursor) => network.listPools({ limit: 50, cursor }));
  return (
    <>
      <PageHeader title={t('network.pools.title')}>
        {can('ipam.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('network.pools.create')}
          </Button>
        )}
      </PageHeader>
      <ListTable list={list} minWidth={480} count={list.items.length} headers={[t('network.pools.name'), t('network.pools.kind'), t('network.pools.utilization')]}>
        {list.items.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Text component={Link} to={`/ip-pools/${p.id}`} fw={500} c="blue" dir="ltr">
                {p.name}
              </Text>
              <Text size="xs" c="dimmed">
                {p.nasName ?? p.organizationName}
              </Text>
            </Table.Td>
            <Table.Td>{p.kind === 'prefix' ? `${t('network.pools.prefix')} /${p.prefixLength}` : t(p.family === 4 ? 'network.pools.ipv4' : 'network.pools.ipv6')}</Table.Td>
            <Table.Td miw={160}>
              <UtilizationBar u={p.utilization} />
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {creating && <PoolForm onClose={() => setCreating(false)} />}
    </>
  );
}
