import { Badge, Button, Group, Paper, Select, Stack, Switch, Table, Text } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan, useMe } from '../auth/session.ts';
import { formatAmount } from '../plans/model.ts';
import { useUserOptions } from '../users/options.ts';
import { RunDetailModal } from './RunDetailModal.tsx';
import { runStatusColors, type BillingRun } from './model.ts';

function StartRun({ onStarted }: { onStarted: (run: BillingRun) => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const { organizationOptions } = useUserOptions();
  const [organizationId, setOrganizationId] = useState(me.organization.id);
  const [dryRun, setDryRun] = useState(true);
  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/api/billing/runs', { body: { organizationId, dryRun } })),
    onSuccess: async (run) => {
      notify.success(t(run.dryRun ? 'billing.runs.dryRunStarted' : 'billing.runs.started'));
      await queryClient.invalidateQueries({ queryKey: ['billing', 'runs'] });
      onStarted(run);
    },
  });
  return (
    <Paper withBorder p="sm" mb="md">
      <Stack gap="xs">
        <FormError error={start.error} />
        <Group align="end" gap="sm">
          {organizationOptions.length > 1 && (
            <Select label={t('billing.runs.organization')} data={organizationOptions} value={organizationId} onChange={(v) => setOrganizationId(v ?? me.organization.id)} searchable allowDeselect={false} w={{ base: '100%', sm: 260 }} />
          )}
          <Switch label={t('billing.runs.dryRun')} description={t('billing.runs.dryRunHelp')} checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
          <Button leftSection={<IconPlayerPlay size={16} />} loading={start.isPending} onClick={() => start.mutate()} color={dryRun ? undefined : 'orange'}>
            {t(dryRun ? 'billing.runs.startDryRun' : 'billing.runs.start')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** Billing runs: start one (a dry run first shows what would be billed), follow its progress, read its totals. */
export function RunsTab() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const { organizationName } = useUserOptions();
  const [openId, setOpenId] = useState<string | null>(null);
  const list = useCursorList(['billing', 'runs'], (cursor) => unwrap(api.GET('/api/billing/runs', { params: { query: { limit: 50, cursor } } })));
  const running = list.items.some((r) => r.status === 'running');
  const { refetch } = list;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void refetch(), 2000);
    return () => clearInterval(timer);
  }, [running, refetch]);
  return (
    <>
      {can('billing.create') && <StartRun onStarted={(run) => setOpenId(run.id)} />}
      <ListTable
        list={list}
        minWidth={760}
        count={list.items.length}
        headers={[t('billing.runs.startedAt'), t('billing.runs.organization'), t('common.statusLabel'), t('billing.runs.subscriptions'), t('billing.runs.invoices'), t('billing.runs.totals')]}
      >
        {list.items.map((r) => (
          <Table.Tr key={r.id}>
            <Table.Td>
              <Button variant="subtle" size="compact-sm" px={0} onClick={() => setOpenId(r.id)}>
                {format.dateTime(r.startedAt)}
              </Button>
            </Table.Td>
            <Table.Td>{organizationName(r.organizationId) || '—'}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                <Badge color={runStatusColors[r.status]} variant="light">
                  {t(`billing.runs.status.${r.status}`)}
                </Badge>
                {r.dryRun && <Badge variant="outline">{t('billing.runs.dryRunBadge')}</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>{format.number(r.subscriptionsBilled)}</Table.Td>
            <Table.Td>{format.number(r.invoicesCreated)}</Table.Td>
            <Table.Td>
              {r.totals.length === 0 ? (
                '—'
              ) : (
                r.totals.map((x) => (
                  <Text key={x.currency} size="sm">
                    {formatAmount(x.total, x.currency, i18n.language)}
                  </Text>
                ))
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {openId && <RunDetailModal id={openId} onClose={() => setOpenId(null)} />}
    </>
  );
}
