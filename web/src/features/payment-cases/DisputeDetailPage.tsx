import { Badge, Button, Card, Group, SegmentedControl, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { FormError, Loading, PageHeader, QueryError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { disputeColors, type DisputeDetail } from './model.ts';

function Resolve({ dispute }: { dispute: DisputeDetail }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const options = [...(dispute.invoiceId ? (['credit_note'] as const) : []), ...(dispute.paymentId ? (['refund'] as const) : []), 'rejected' as const];
  const [resolution, setResolution] = useState<(typeof options)[number]>(options[0]!);
  const [note, setNote] = useState('');
  const [amount, setAmount] = useState('');
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/disputes/{id}/resolve', {
          params: { path: { id: dispute.id } },
          body: resolution === 'refund' ? { resolution, destination: 'cash', amount, note } : { resolution, note },
        }),
      ),
    onSuccess: async (d) => {
      notify.success(t(`paymentCases.dispute.status.${d.status}`));
      await queryClient.invalidateQueries({ queryKey: ['payment-cases'] });
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
    },
  });
  return (
    <Card withBorder>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <Stack>
          <Text fw={500}>{t('paymentCases.dispute.resolve')}</Text>
          <FormError error={run.error} />
          <SegmentedControl fullWidth value={resolution} onChange={(v) => setResolution(v as typeof resolution)} data={options.map((o) => ({ value: o, label: t(`paymentCases.dispute.resolution.${o}`) }))} />
          {resolution === 'refund' && <TextInput label={t('paymentCases.amount')} value={amount} onChange={(e) => setAmount(e.currentTarget.value)} error={fieldError(run.error, 'amount')} inputMode="decimal" dir="ltr" required />}
          <Textarea label={t('paymentCases.dispute.resolutionNote')} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={fieldError(run.error, 'note')} required autosize minRows={2} />
          <Group justify="flex-end">
            <Button type="submit" loading={run.isPending} disabled={!note.trim()} color={resolution === 'rejected' ? 'gray' : undefined}>
              {t('paymentCases.dispute.close')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export default function DisputeDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const fmt = useFormat();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const dispute = useQuery({ queryKey: ['payment-cases', 'dispute', id], queryFn: () => unwrap(api.GET('/api/disputes/{id}', { params: { path: { id } } })) });
  const [body, setBody] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['payment-cases'] });
  const addNote = useMutation({
    mutationFn: () => unwrap(api.POST('/api/disputes/{id}/notes', { params: { path: { id } }, body: { body } })),
    onSuccess: async () => {
      setBody('');
      await refresh();
    },
  });
  const review = useMutation({
    mutationFn: () => unwrap(api.POST('/api/disputes/{id}/review', { params: { path: { id } }, body: {} })),
    onSuccess: async () => {
      notify.success(t('paymentCases.dispute.status.under_review'));
      await refresh();
    },
  });
  if (dispute.isPending) return <Loading />;
  if (dispute.isError) return <QueryError error={dispute.error} />;
  const d = dispute.data;
  const active = d.status === 'open' || d.status === 'under_review';
  return (
    <>
      <PageHeader title={d.subject}>
        <Badge color={disputeColors[d.status]} size="lg" variant="light">
          {t(`paymentCases.dispute.status.${d.status}`)}
        </Badge>
      </PageHeader>
      <Stack>
        <Card withBorder>
          <Stack gap={4}>
            <Text size="sm">
              {t('paymentCases.dispute.subscriber')}: {d.subscriberName}
            </Text>
            {d.invoiceNumber && (
              <Text size="sm">
                {t('paymentCases.dispute.invoice')}: <span dir="ltr">{d.invoiceNumber}</span>
              </Text>
            )}
            {d.receiptNo && (
              <Text size="sm">
                {t('paymentCases.dispute.payment')}: <span dir="ltr">#{d.receiptNo}</span>
              </Text>
            )}
            {d.holdCollections && active && <Badge variant="outline">{t('paymentCases.dispute.held')}</Badge>}
            {d.resolution && (
              <Text size="sm" fw={500}>
                {t(`paymentCases.dispute.resolution.${d.resolution}`)}: {d.resolutionNote}
              </Text>
            )}
          </Stack>
        </Card>
        <Card withBorder>
          <Stack gap="xs">
            <Text fw={500}>{t('paymentCases.dispute.notes')}</Text>
            {d.notes.length === 0 && <Text c="dimmed">{t('paymentCases.dispute.noNotes')}</Text>}
            {d.notes.map((n) => (
              <div key={n.id}>
                <Text size="xs" c="dimmed">
                  {n.authorName ?? '—'} · {fmt.dateTime(n.createdAt)}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {n.body}
                </Text>
              </div>
            ))}
            {active && can('payments.create') && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  addNote.mutate();
                }}
              >
                <Stack gap="xs">
                  <FormError error={addNote.error} />
                  <Textarea aria-label={t('paymentCases.dispute.addNote')} placeholder={t('paymentCases.dispute.addNote')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} />
                  <Group justify="flex-end">
                    <Button type="submit" size="xs" loading={addNote.isPending} disabled={!body.trim()}>
                      {t('paymentCases.dispute.addNote')}
                    </Button>
                  </Group>
                </Stack>
              </form>
            )}
          </Stack>
        </Card>
        {d.status === 'open' && can('payments.update') && (
          <Group>
            <Button variant="light" loading={review.isPending} onClick={() => review.mutate()}>
              {t('paymentCases.dispute.startReview')}
            </Button>
          </Group>
        )}
        {active && can('payments.update') && <Resolve dispute={d} />}
      </Stack>
    </>
  );
}
