import { Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconCash, IconShieldDollar } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { nowrap } from '../invoices/InvoiceParts.tsx';
import { formatAmount } from '../plans/model.ts';
import { CreditLimitModal, TopUpModal } from './WalletForms.tsx';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="xs">
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </Paper>
  );
}

function PenaltyClassPicker({ subscriberId }: { subscriberId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: ['billing', 'penalty-classes', 'of', subscriberId], queryFn: () => unwrap(api.GET('/api/subscribers/{id}/penalty-class', { params: { path: { id: subscriberId } } })) });
  const classes = useQuery({ queryKey: ['billing', 'penalty-classes', 'options'], queryFn: () => unwrap(api.GET('/api/billing/penalty-classes', { params: { query: { limit: 200 } } })) });
  const assign = async (penaltyClassId: string | null) => {
    try {
      await unwrap(api.PUT('/api/subscribers/{id}/penalty-class', { params: { path: { id: subscriberId } }, body: { penaltyClassId } }));
      notify.success(t('wallet.penaltyClassSaved'));
      await queryClient.invalidateQueries({ queryKey: ['billing', 'penalty-classes', 'of', subscriberId] });
    } catch (err) {
      notify.failure(err);
    }
  };
  if (!current.data) return null;
  return (
    <Select
      label={t('wallet.penaltyClass')}
      placeholder={t('wallet.noPenalty')}
      data={(classes.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
      value={current.data.penaltyClass?.id ?? null}
      onChange={(v) => void assign(v)}
      disabled={!can('billing.update')}
      clearable
      w={{ base: '100%', xs: 280 }}
    />
  );
}

/** The subscriber's prepaid wallet: what it holds, may borrow and owes; cash top-ups, the credit limit and the statement. */
export function WalletPanel({ subscriberId }: { subscriberId: string }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const [dialog, setDialog] = useState<'topUp' | 'creditLimit' | null>(null);
  const wallet = useQuery({ queryKey: ['wallet', subscriberId], queryFn: () => unwrap(api.GET('/api/subscribers/{id}/wallet', { params: { path: { id: subscriberId } } })) });
  const statement = useCursorList(['wallet', subscriberId, 'statement'], (cursor) =>
    unwrap(api.GET('/api/subscribers/{id}/wallet/statement', { params: { path: { id: subscriberId }, query: { limit: 20, cursor } } })),
  );
  if (wallet.isPending) return <Loading />;
  if (wallet.isError) return <QueryError error={wallet.error} />;
  const w = wallet.data;
  const money = (amount: string) => formatAmount(amount, w.currency, i18n.language);
  return (
    <Stack>
      <SimpleGrid cols={{ base: 2, sm: 4 }} aria-label={t('wallet.title')}>
        <Figure label={t('wallet.balance')} value={money(w.balance)} />
        <Figure label={t('wallet.available')} value={money(w.available)} />
        <Figure label={t('wallet.owed')} value={money(w.owed)} />
        <Figure label={t('wallet.creditLimit')} value={money(w.creditLimit)} />
      </SimpleGrid>
      <Group gap="xs">
        {can('invoices.update') && (
          <Button size="xs" leftSection={<IconCash size={14} />} onClick={() => setDialog('topUp')}>
            {t('wallet.topUp')}
          </Button>
        )}
        {can('billing.update') && (
          <Button size="xs" variant="light" leftSection={<IconShieldDollar size={14} />} onClick={() => setDialog('creditLimit')}>
            {t('wallet.changeCreditLimit')}
          </Button>
        )}
      </Group>
      {can('billing.read') && <PenaltyClassPicker subscriberId={subscriberId} />}
      <Title order={5}>{t('wallet.statement')}</Title>
      <ListTable list={statement} minWidth={520} count={statement.items.length} headers={[t('wallet.when'), t('wallet.movement'), t('wallet.amount'), t('wallet.balanceAfter')]}>
        {statement.items.map((m) => (
          <Table.Tr key={m.entryId}>
            <Table.Td>{format.dateTime(m.occurredAt)}</Table.Td>
            <Table.Td>
              <Text size="sm">{t(`wallet.kind.${m.kind}`, { defaultValue: m.kind })}</Text>
              {m.memo && (
                <Text size="xs" c="dimmed">
                  {m.memo}
                </Text>
              )}
            </Table.Td>
            <Table.Td c={m.amount.startsWith('-') ? 'red' : 'teal'} style={nowrap}>{money(m.amount)}</Table.Td>
            <Table.Td style={nowrap}>{money(m.balance)}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={statement.hasNextPage} isFetchingNextPage={statement.isFetchingNextPage} fetchNextPage={statement.fetchNextPage} />
      {dialog === 'topUp' && <TopUpModal wallet={w} onClose={() => setDialog(null)} />}
      {dialog === 'creditLimit' && <CreditLimitModal wallet={w} onClose={() => setDialog(null)} />}
    </Stack>
  );
}
