import { Badge, Button, Card, Group, Stack, Table, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { FormError, Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { ListTable } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import { useCalendarDate, useMoney } from '../invoices/InvoiceParts.tsx';
import { installmentColors, planColors } from './model.ts';

export default function PlanPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const money = useMoney();
  const day = useCalendarDate();
  const can = useCan();
  const queryClient = useQueryClient();
  const plan = useQuery({ queryKey: ['payment-cases', 'plan', id], queryFn: () => unwrap(api.GET('/api/installment-plans/{id}', { params: { path: { id } } })) });
  const [reason, setReason] = useState('');
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/api/installment-plans/{id}/cancel', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['payment-cases'] }),
  });
  if (plan.isPending) return <Loading />;
  if (plan.isError) return <QueryError error={plan.error} />;
  const p = plan.data;
  return (
    <>
      <PageHeader title={t('paymentCases.plan.of', { name: p.subscriberName })}>
        <Badge color={planColors[p.status]} size="lg" variant="light">
          {t(`paymentCases.plan.status.${p.status}`)}
        </Badge>
      </PageHeader>
      <Stack>
        <Card withBorder>
          <Group gap="xl">
            <Text size="sm">
              {t('paymentCases.plan.total')}: <b dir="ltr">{money(p.total, p.currency)}</b>
            </Text>
            <Text size="sm">
              {t('paymentCases.plan.paid')}: <b dir="ltr">{money(p.paid, p.currency)}</b>
            </Text>
            <Text size="sm">{t('paymentCases.plan.invoiceList', { numbers: p.invoices.map((i) => i.number).join(', ') })}</Text>
          </Group>
        </Card>
        <ListTable list={plan} minWidth={360} count={p.installments.length} headers={['#', t('paymentCases.plan.dueDate'), t('paymentCases.amount'), t('paymentCases.plan.paid'), t('paymentCases.status')]}>
          {p.installments.map((i) => (
            <Table.Tr key={i.seq}>
              <Table.Td>{i.seq}</Table.Td>
              <Table.Td>{day(i.dueDate)}</Table.Td>
              <Table.Td dir="ltr">{money(i.amount, p.currency)}</Table.Td>
              <Table.Td dir="ltr">{money(i.paid, p.currency)}</Table.Td>
              <Table.Td>
                <Badge color={installmentColors[i.status]} variant="light">
                  {t(`paymentCases.plan.installment.${i.status}`)}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
        {p.status === 'active' && can('payments.update') && (
          <Card withBorder>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                cancel.mutate();
              }}
            >
              <Stack gap="xs">
                <FormError error={cancel.error} />
                <Textarea label={t('paymentCases.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={1} />
                <Group justify="flex-end">
                  <Button type="submit" variant="light" color="red" loading={cancel.isPending} disabled={!reason.trim()}>
                    {t('paymentCases.plan.cancel')}
                  </Button>
                </Group>
              </Stack>
            </form>
          </Card>
        )}
      </Stack>
    </>
  );
}
