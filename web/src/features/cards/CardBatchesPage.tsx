import { Anchor, Badge, Button, Group, Modal, NumberInput, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { FormError, PageHeader } from '../../components/feedback.tsx';
import { fieldError, useFormValues } from '../../components/forms.ts';
import { ListTable, LoadMore } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useQuery } from '@tanstack/react-query';
import { useCan } from '../auth/session.ts';
import { useBatches, useCreateBatch, useDistributors, useRecordDistributorPayment } from './api.ts';
import { RedeemForSubscriberModal } from './RedeemForSubscriberModal.tsx';

function NewBatchModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateBatch();
  const plans = useQuery({ queryKey: ['cards', 'plans'], queryFn: () => unwrap(api.GET('/api/plans', { params: { query: { limit: 200 } } })), enabled: opened });
  const form = useFormValues({ name: '', prefix: '', value: '', quantity: 100 as number | string, expiresOn: '', planId: null as string | null });
  const submit = form.submit((v) =>
    create.mutate(
      {
        name: v.name,
        prefix: v.prefix,
        value: v.value,
        quantity: Number(v.quantity),
        expiresAt: v.expiresOn ? new Date(`${v.expiresOn}T23:59:59`).toISOString() : '',
        ...(v.planId ? { planId: v.planId } : {}),
      },
      { onSuccess: (batch) => navigate(`/cards/${batch.id}`) },
    ),
  );
  return (
    <Modal opened={opened} onClose={onClose} title={t('cards.new.title')}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormError error={create.error} />
          <TextInput label={t('cards.field.name')} required {...form.text('name')} error={fieldError(create.error, 'body.name', 'name')} />
          <TextInput label={t('cards.field.prefix')} description={t('cards.field.prefixHint')} {...form.text('prefix')} error={fieldError(create.error, 'body.prefix', 'prefix')} />
          <TextInput label={t('cards.field.value')} inputMode="decimal" required {...form.text('value')} error={fieldError(create.error, 'body.value', 'value')} />
          <Select
            label={t('cards.field.plan')}
            description={t('cards.field.planHint')}
            clearable
            data={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={form.values.planId}
            onChange={(v) => form.set('planId', v)}
            error={fieldError(create.error, 'planId')}
          />
          <NumberInput label={t('cards.field.quantity')} min={1} max={10000} required value={form.values.quantity} onChange={(v) => form.set('quantity', v)} error={fieldError(create.error, 'body.quantity', 'quantity')} />
          <TextInput type="date" label={t('cards.field.expiresOn')} required {...form.text('expiresOn')} error={fieldError(create.error, 'body.expiresAt', 'expiresAt')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('cards.new.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

type Distributor = NonNullable<ReturnType<typeof useDistributors>['data']>['items'][number];

/** Records what a card partner paid for the cards it sold: the amount it owes is offered. */
function DistributorPaymentModal({ distributor, onClose }: { distributor: Distributor; onClose: () => void }) {
  const { t } = useTranslation();
  const record = useRecordDistributorPayment(distributor.distributorId);
  const form = useFormValues({ amount: Number(distributor.owed) > 0 ? distributor.owed : '', via: 'cash' as 'cash' | 'bank', reference: '' });
  const submit = form.submit((v) => record.mutate({ amount: v.amount, currency: distributor.currency, via: v.via, reference: v.reference }, { onSuccess: onClose }));
  return (
    <Modal opened onClose={onClose} title={t('cards.distributors.payTitle', { name: distributor.name })}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormError error={record.error} />
          <TextInput label={t('cards.distributors.amount', { currency: distributor.currency })} inputMode="decimal" required {...form.text('amount')} error={fieldError(record.error, 'body.amount', 'amount')} />
          <Select
            label={t('cards.distributors.via')}
            data={[
              { value: 'cash', label: t('cards.distributors.cash') },
              { value: 'bank', label: t('cards.distributors.bank') },
            ]}
            value={form.values.via}
            onChange={(v) => form.set('via', (v ?? 'cash') as 'cash' | 'bank')}
            allowDeselect={false}
          />
          <TextInput label={t('cards.distributors.reference')} description={t('cards.distributors.referenceHint')} required {...form.text('reference')} error={fieldError(record.error, 'body.reference', 'reference')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={record.isPending}>
              {t('cards.distributors.record')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Each card partner with what it owes for cards sold, the commission owed to it, and its cards. */
function Distributors() {
  const { t } = useTranslation();
  const can = useCan();
  const distributors = useDistributors();
  const [paying, setPaying] = useState<Distributor | null>(null);
  const items = distributors.data?.items ?? [];
  if (distributors.isSuccess && items.length === 0) return null;
  return (
    <>
      <Title order={4} mt="lg" mb="xs">
        {t('cards.distributors.title')}
      </Title>
      <ListTable
        list={distributors}
        minWidth={640}
        count={items.length}
        headers={[t('cards.field.distributor'), t('cards.distributors.owed'), t('cards.distributors.commission'), t('cards.field.states'), '']}
      >
        {items.map((d) => (
          <Table.Tr key={`${d.distributorId}-${d.currency}`}>
            <Table.Td>{d.name}</Table.Td>
            <Table.Td>
              {d.owed} {d.currency}
            </Table.Td>
            <Table.Td>
              {d.commissionPayable} {d.currency}
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {Object.entries(d.cards).map(([state, n]) => (
                  <Badge key={state} variant="light" size="sm">
                    {t(`cards.state.${state}`)} {n}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
            <Table.Td>
              {can('cards.update') && (
                <Button size="xs" variant="light" onClick={() => setPaying(d)} aria-label={t('cards.distributors.payFor', { name: d.name })}>
                  {t('cards.distributors.pay')}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      {paying && <DistributorPaymentModal distributor={paying} onClose={() => setPaying(null)} />}
    </>
  );
}

export default function CardBatchesPage() {
  const { t } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const batches = useBatches();
  const [creating, setCreating] = useState(false);
  const [redeeming, setRedeeming] = useState(false);
  return (
    <>
      <PageHeader title={t('cards.title')}>
        {can('cards.update') && (
          <Button variant="default" onClick={() => setRedeeming(true)}>
            {t('cards.redeem.button')}
          </Button>
        )}
        {can('cards.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('cards.new.button')}
          </Button>
        )}
      </PageHeader>
      <ListTable list={batches} minWidth={640} count={batches.items.length} headers={[t('cards.field.batch'), t('cards.field.value'), t('cards.field.quantity'), t('cards.field.states'), t('cards.field.expiresOn')]}>
        {batches.items.map((b) => (
          <Table.Tr key={b.id}>
            <Table.Td>
              <Anchor component={Link} to={`/cards/${b.id}`}>
                {b.name}
              </Anchor>{' '}
              · {b.prefix}
              {b.number}
            </Table.Td>
            <Table.Td>
              {b.value} {b.currency}
              {b.plan ? ` · ${b.plan.name}` : ''}
            </Table.Td>
            <Table.Td>{b.quantity}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                {Object.entries(b.counts).map(([state, n]) => (
                  <Badge key={state} variant="light" size="sm">
                    {t(`cards.state.${state}`)} {n}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
            <Table.Td>{format.date(b.expiresAt)}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={batches.hasNextPage} isFetchingNextPage={batches.isFetchingNextPage} fetchNextPage={batches.fetchNextPage} />
      <Distributors />
      <NewBatchModal opened={creating} onClose={() => setCreating(false)} />
      <RedeemForSubscriberModal opened={redeeming} onClose={() => setRedeeming(false)} />
    </>
  );
}
