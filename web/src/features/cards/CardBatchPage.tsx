import { Badge, Button, Card, Group, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { downloadCsv } from '../../api/client.ts';
import { FormError, Loading, PageHeader, QueryError, useNotify } from '../../components/feedback.tsx';
import { ListTable, LoadMore } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { cardStates, useBatch, useBatchCards, useCardPartners, useRangeAction, type CardBatch, type CardState, type RangeAction } from './api.ts';

function Download({ batch, kind }: { batch: CardBatch; kind: 'pdf' | 'export' }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      await downloadCsv(`/api/cards/batches/${batch.id}/${kind}`, {}, `cards-${batch.number}.${kind === 'pdf' ? 'pdf' : 'csv'}`);
    } catch (err) {
      notify.failure(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="default" leftSection={<IconDownload size={16} />} loading={busy} onClick={() => void run()}>
      {t(kind === 'pdf' ? 'cards.batch.pdf' : 'cards.batch.csv')}
    </Button>
  );
}

/** Assign, sell or void a range of serial places (1…quantity) in one form. */
function RangeForm({ batch }: { batch: CardBatch }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const partners = useCardPartners();
  const run = useRangeAction(batch.id);
  const actions: RangeAction[] = can('cards.delete') ? ['sell', 'assign', 'void'] : ['sell', 'assign'];
  const [action, setAction] = useState<RangeAction>('sell');
  const [from, setFrom] = useState<number | string>(1);
  const [to, setTo] = useState<number | string>(batch.quantity);
  const [distributorId, setDistributorId] = useState<string | null>(null);
  const [commission, setCommission] = useState('');
  const [reason, setReason] = useState('');
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    run.mutate(
      { action, from: Number(from), to: Number(to), distributorId: distributorId ?? undefined, commissionPercent: commission, reason },
      { onSuccess: (r) => notify.success(t('cards.batch.changed', { count: r.changed, skipped: r.skipped.length })) },
    );
  };
  if (!can('cards.update')) return null;
  return (
    <Card withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <SegmentedControl value={action} onChange={(v) => setAction(v as RangeAction)} data={actions.map((a) => ({ value: a, label: t(`cards.action.${a}`) }))} />
          <FormError error={run.error} />
          <SimpleGrid cols={2}>
            <NumberInput label={t('cards.field.from')} min={1} max={batch.quantity} value={from} onChange={setFrom} />
            <NumberInput label={t('cards.field.to')} min={1} max={batch.quantity} value={to} onChange={setTo} />
          </SimpleGrid>
          {action === 'assign' && (
            <>
              <Select label={t('cards.field.distributor')} required data={(partners.data ?? []).map((o) => ({ value: o.id, label: o.name }))} value={distributorId} onChange={setDistributorId} />
              <TextInput label={t('cards.field.commission')} inputMode="decimal" value={commission} onChange={(e) => setCommission(e.currentTarget.value)} />
            </>
          )}
          {action === 'void' && <TextInput label={t('cards.field.reason')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} />}
          <Group justify="flex-end">
            <Button type="submit" loading={run.isPending} color={action === 'void' ? 'red' : undefined}>
              {t(`cards.action.${action}`)}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export default function CardBatchPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const can = useCan();
  const format = useFormat();
  const batch = useBatch(id);
  const [state, setState] = useState<CardState | null>(null);
  const cards = useBatchCards(id, state ?? undefined);
  if (batch.isPending) return <Loading />;
  if (batch.isError) return <QueryError error={batch.error} />;
  const b = batch.data;
  return (
    <Stack>
      <PageHeader title={`${b.name} · ${b.prefix}${b.number}`}>
        {can('cards.export') && (
          <>
            <Download batch={b} kind="pdf" />
            <Download batch={b} kind="export" />
          </>
        )}
      </PageHeader>
      <Card withBorder>
        <Text>
          {t('cards.batch.summary', { value: `${b.value} ${b.currency}`, quantity: b.quantity, expires: format.date(b.expiresAt) })}
          {b.plan ? ` · ${t('cards.batch.plan', { plan: b.plan.name })}` : ''}
        </Text>
        <Group gap={4} mt="xs">
          {Object.entries(b.counts).map(([s, n]) => (
            <Badge key={s} variant="light">
              {t(`cards.state.${s}`)} {n}
            </Badge>
          ))}
        </Group>
      </Card>
      <RangeForm batch={b} />
      <Select
        label={t('cards.field.state')}
        clearable
        w={220}
        data={cardStates.map((s) => ({ value: s, label: t(`cards.state.${s}`) }))}
        value={state}
        onChange={(v) => setState(v as CardState | null)}
      />
      <ListTable list={cards} minWidth={560} count={cards.items.length} headers={[t('cards.field.serial'), t('cards.field.state'), t('cards.field.distributor'), t('cards.field.updated')]}>
        {cards.items.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>{c.serial}</Table.Td>
            <Table.Td>{t(`cards.state.${c.state}`)}</Table.Td>
            <Table.Td>{c.distributor?.name ?? ''}</Table.Td>
            <Table.Td>{format.dateTime(c.redeemedAt ?? c.soldAt ?? c.assignedAt ?? c.voidedAt ?? b.createdAt)}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={cards.hasNextPage} isFetchingNextPage={cards.isFetchingNextPage} fetchNextPage={cards.fetchNextPage} />
    </Stack>
  );
}
