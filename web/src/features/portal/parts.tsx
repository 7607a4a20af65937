import { Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { IconChevronRight, IconDeviceMobile, IconWallet } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { calendarDate } from '../invoices/model.ts';
import { formatAmount } from '../plans/model.ts';
import { useProfile, usePayFromWallet } from './api.ts';
import { invoiceStatusColors, isPositiveDecimal, isUnpaid, type Invoice, type InvoiceStatus } from './model.ts';

/** Formatters in the interface language: money from decimal strings, calendar dates as they are. */
export function usePortalFormat() {
  const { i18n } = useTranslation();
  return {
    money: (amount: string, currency: string) => formatAmount(amount, currency, i18n.language),
    day: (date: string) => calendarDate(date, i18n.language),
    instant: (iso: string, timeZone?: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone }).format(new Date(iso)),
  };
}

export function InvoiceStatusBadge({ status }: { status: InvoiceStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={invoiceStatusColors[status]} variant="light">
      {t(`portal.invoiceStatus.${status}`)}
    </Badge>
  );
}

/**
 * How the subscriber pays an unpaid invoice: online through the gateways the provider has set up
 * (M-PESA, bKash…), or from the wallet.
 */
export function PaymentOptions({ invoice }: { invoice: Pick<Invoice, 'id' | 'number' | 'currency'> }) {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const notify = useNotify();
  const profile = useProfile();
  const pay = usePayFromWallet((r) => notify.success(t('portal.pay.done', { amount: format.money(r.paid, r.invoice.currency), number: r.invoice.number ?? '' })));
  const wallet = profile.data?.wallet;
  const holds = wallet && wallet.currency === invoice.currency && isPositiveDecimal(wallet.available);
  return (
    <Stack gap={6}>
      <Button component={Link} to={`/portal/pay?invoice=${invoice.id}`} leftSection={<IconDeviceMobile size={18} />} fullWidth>
        {t('portalPay.payOnline')}
      </Button>
      <Button
        variant="light"
        leftSection={<IconWallet size={18} />}
        disabled={!holds}
        loading={pay.isPending}
        onClick={() => pay.mutate(invoice.id)}
        fullWidth
      >
        {t('portal.pay.fromWallet')}
      </Button>
      {wallet && (
        <Text size="sm" c="dimmed">
          {holds ? t('portal.pay.walletHolds', { amount: format.money(wallet.available, wallet.currency) }) : t('portal.pay.walletEmpty')}
        </Text>
      )}
      <FormError error={pay.error} />
    </Stack>
  );
}

/** One invoice in a list: number, dates, status and amount; opens the invoice. */
export function InvoiceCard({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const unpaid = isUnpaid(invoice);
  return (
    <Card withBorder padding="sm" component={Link} to={`/portal/invoices/${invoice.id}`} aria-label={t('portal.invoices.open', { number: invoice.number ?? '' })}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="nowrap">
            <Text fw={600} truncate>
              {invoice.kind === 'credit_note' ? t('portal.invoices.creditNote', { number: invoice.number ?? '' }) : invoice.number}
            </Text>
            <InvoiceStatusBadge status={invoice.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {unpaid && invoice.dueDate ? t('portal.invoices.dueOn', { date: format.day(invoice.dueDate) }) : invoice.issueDate ? t('portal.invoices.issuedOn', { date: format.day(invoice.issueDate) }) : ''}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap">
          <Stack gap={0} align="end">
            <Text fw={600}>{format.money(unpaid ? invoice.balanceDue : invoice.total, invoice.currency)}</Text>
            {unpaid && invoice.balanceDue !== invoice.total && (
              <Text size="xs" c="dimmed">
                {t('portal.invoices.ofTotal', { total: format.money(invoice.total, invoice.currency) })}
              </Text>
            )}
          </Stack>
          <IconChevronRight size={18} />
        </Group>
      </Group>
    </Card>
  );
}
