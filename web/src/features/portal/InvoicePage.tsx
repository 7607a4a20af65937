import { Anchor, Button, Card, Divider, Group, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconFileDownload } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { lineDescription } from '../invoices/model.ts';
import { invoicePdfUrl, useInvoice } from './api.ts';
import { isPositiveDecimal, isUnpaid } from './model.ts';
import { InvoiceStatusBadge, PaymentOptions, usePortalFormat } from './parts.tsx';

function Row({ label, value, strong = false }: { label: ReactNode; value: string; strong?: boolean }) {
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Text size="sm" fw={strong ? 700 : undefined} c={strong ? undefined : 'dimmed'}>
        {label}
      </Text>
      <Text size="sm" fw={strong ? 700 : 500} style={{ whiteSpace: 'nowrap' }}>
        {value}
      </Text>
    </Group>
  );
}

export default function InvoicePage() {
  const { t, i18n } = useTranslation();
  const format = usePortalFormat();
  const { id } = useParams<{ id: string }>();
  const invoice = useInvoice(id!);
  if (invoice.isPending) return <Loading />;
  if (invoice.isError) return <QueryError error={invoice.error} />;
  const inv = invoice.data;
  const money = (amount: string) => format.money(amount, inv.currency);
  const title = inv.kind === 'credit_note' ? t('portal.invoices.creditNote', { number: inv.number ?? '' }) : t('portal.invoices.invoice', { number: inv.number ?? '' });
  return (
    <Stack>
      <Anchor component={Link} to="/portal/invoices" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={16} />
          {t('portal.invoices.all')}
        </Group>
      </Anchor>
      <Group justify="space-between" wrap="nowrap">
        <Title order={2}>{title}</Title>
        <InvoiceStatusBadge status={inv.status} />
      </Group>
      <Stack gap={4}>
        {inv.issueDate && <Row label={t('portal.invoices.issueDate')} value={format.day(inv.issueDate)} />}
        {inv.kind === 'invoice' && inv.dueDate && <Row label={t('portal.invoices.dueDate')} value={format.day(inv.dueDate)} />}
        {inv.periodStart && inv.periodEnd && <Row label={t('portal.invoices.period')} value={`${format.instant(inv.periodStart)} – ${format.instant(inv.periodEnd)}`} />}
      </Stack>

      {isUnpaid(inv) && (
        <Card withBorder>
          <Text size="sm" c="dimmed">
            {t('portal.invoices.balanceDue')}
          </Text>
          <Text size="xl" fw={700} mb="sm">
            {money(inv.balanceDue)}
          </Text>
          <PaymentOptions invoice={inv} />
        </Card>
      )}

      <Card withBorder>
        <Title order={4} mb="xs">
          {t('portal.invoices.lines')}
        </Title>
        <Stack gap="sm">
          {inv.lines.map((line) => (
            <Group key={line.lineNo} justify="space-between" align="start" wrap="nowrap" gap="xs">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {lineDescription(line, t)}
                </Text>
                <Text size="xs" c="dimmed">
                  {line.quantity !== '1' && `${line.quantity} × ${money(line.unitPrice)}`}
                  {line.periodStart && line.periodEnd && ` ${format.instant(line.periodStart)} – ${format.instant(line.periodEnd)}`}
                </Text>
              </Stack>
              <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                {money(line.gross)}
              </Text>
            </Group>
          ))}
        </Stack>
        <Divider my="sm" />
        <Stack gap={4}>
          <Row label={t('portal.invoices.subtotal')} value={money(inv.subtotal)} />
          {inv.taxes.map((tax) => (
            <Row key={`${tax.code}-${tax.rate}`} label={t('portal.invoices.tax', { code: tax.code, rate: tax.rate })} value={money(tax.amount)} />
          ))}
          <Row label={t('portal.invoices.total')} value={money(inv.total)} strong />
          {isPositiveDecimal(inv.amountPaid) && <Row label={t('portal.invoices.paid')} value={money(inv.amountPaid)} />}
          {isPositiveDecimal(inv.amountCredited) && <Row label={t('portal.invoices.credited')} value={money(inv.amountCredited)} />}
        </Stack>
      </Card>

      {inv.payments.length > 0 && (
        <Card withBorder>
          <Title order={4} mb="xs">
            {t('portal.invoices.payments')}
          </Title>
          <Stack gap={4}>
            {inv.payments.map((p) => (
              <Row key={p.id} label={`${t(`portal.paymentSource.${p.source}`)} · ${format.instant(p.createdAt)}`} value={money(p.amount)} />
            ))}
          </Stack>
        </Card>
      )}

      {inv.creditNotes.length > 0 && (
        <Card withBorder>
          <Title order={4} mb="xs">
            {t('portal.invoices.creditNotes')}
          </Title>
          {inv.creditNotes.map((n) => (
            <Anchor key={n.id} component={Link} to={`/portal/invoices/${n.id}`} size="sm" display="block">
              {t('portal.invoices.creditNote', { number: n.number ?? '' })} · {money(n.total)}
            </Anchor>
          ))}
        </Card>
      )}

      <Button component="a" href={invoicePdfUrl(inv.id, i18n.language)} download variant="light" leftSection={<IconFileDownload size={18} />}>
        {t('portal.invoices.downloadPdf')}
      </Button>
    </Stack>
  );
}
