import { Badge, Button, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client.ts';
import { Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { ListTable } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { useMoney } from '../invoices/InvoiceParts.tsx';
import { ChargebackModal, OpenDisputeModal, RefundModal } from './CaseDialogs.tsx';

/** A payment's refunds and chargebacks, and the buttons that make them. */
export default function PaymentCasesPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const fmt = useFormat();
  const money = useMoney();
  const can = useCan();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'refund' | 'chargeback' | 'dispute' | null>(null);
  const data = useQuery({ queryKey: ['payment-cases', 'payment', id], queryFn: () => unwrap(api.GET('/api/payments/{id}/reversals', { params: { path: { id } } })) });
  if (data.isPending) return <Loading />;
  if (data.isError) return <QueryError error={data.error} />;
  const { payment, items } = data.data;
  const open = Number(payment.refundable) > 0;
  return (
    <>
      <PageHeader title={t('paymentCases.payment.title', { receipt: payment.receiptNo })}>
        <Badge variant="light" size="lg">
          {t(`paymentCases.payment.status.${payment.status}`, { defaultValue: payment.status })}
        </Badge>
      </PageHeader>
      <Stack>
        <Card withBorder>
          <Group gap="xl">
            <Text size="sm">
              {t('paymentCases.amount')}: <b dir="ltr">{money(payment.amount, payment.currency)}</b>
            </Text>
            <Text size="sm">
              {t('paymentCases.payment.refunded')}: <b dir="ltr">{money(payment.amountRefunded, payment.currency)}</b>
            </Text>
            <Text size="sm">
              {t('paymentCases.payment.refundable')}: <b dir="ltr">{money(payment.refundable, payment.currency)}</b>
            </Text>
          </Group>
        </Card>
        <Group gap="xs">
          {open && can('payments.update') && <Button onClick={() => setDialog('refund')}>{t('paymentCases.refund.action')}</Button>}
          {open && can('payments.update') && (
            <Button variant="light" color="red" onClick={() => setDialog('chargeback')}>
              {t('paymentCases.chargeback.action')}
            </Button>
          )}
          {payment.subscriberId && can('payments.create') && (
            <Button variant="default" onClick={() => setDialog('dispute')}>
              {t('paymentCases.dispute.open')}
            </Button>
          )}
        </Group>
        <ListTable list={data} minWidth={520} count={items.length} headers={[t('paymentCases.payment.kind'), t('paymentCases.amount'), t('paymentCases.payment.destination'), t('paymentCases.reason'), t('paymentCases.payment.when')]}>
          {items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{t(`paymentCases.payment.kinds.${r.kind}`)}</Table.Td>
              <Table.Td dir="ltr">{money(r.amount, r.currency)}</Table.Td>
              <Table.Td>{t(`paymentCases.destination.${r.destination}`)}</Table.Td>
              <Table.Td>{r.reason}</Table.Td>
              <Table.Td>{fmt.dateTime(r.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      </Stack>
      {dialog === 'refund' && <RefundModal payment={payment} onClose={() => setDialog(null)} />}
      {dialog === 'chargeback' && <ChargebackModal payment={payment} onClose={() => setDialog(null)} />}
      {dialog === 'dispute' && <OpenDisputeModal paymentId={payment.id} onClose={() => setDialog(null)} onOpened={(d) => navigate(`/disputes/${d}`)} />}
    </>
  );
}
