import { Alert, Button, Group, Modal, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useFormat } from '../../lib/use-format.ts';
import { nowrap, usePeriod } from '../invoices/InvoiceParts.tsx';
import { isZeroDecimal, lineDescription } from '../invoices/model.ts';
import { formatAmount } from '../plans/model.ts';
import { usePlanOptions } from './AddSubscriptionModal.tsx';
import type { PlanChangePreview, Subscription } from './model.ts';

type When = PlanChangePreview['when'];

function PreviewLines({ preview }: { preview: PlanChangePreview }) {
  const { t, i18n } = useTranslation();
  const money = (amount: string) => formatAmount(amount, preview.currency, i18n.language);
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table aria-label={t('subscriptions.planChange.lines')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('invoices.line.description')}</Table.Th>
            <Table.Th>{t('invoices.line.quantity')}</Table.Th>
            <Table.Th>{t('invoices.line.net')}</Table.Th>
            <Table.Th>{t('invoices.line.tax')}</Table.Th>
            <Table.Th>{t('invoices.line.gross')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {preview.lines.map((l, i) => (
            <Table.Tr key={i}>
              <Table.Td>{lineDescription({ description: '', descriptionKey: l.descriptionKey, details: l.details }, t)}</Table.Td>
              <Table.Td dir="ltr">
                {l.quantity} × {l.unitPrice}
              </Table.Td>
              <Table.Td style={nowrap}>{money(l.net)}</Table.Td>
              <Table.Td>{l.taxes.map((x) => `${x.code} ${x.percent}%: ${money(x.amount)}`).join(', ') || '—'}</Table.Td>
              <Table.Td fw={500} style={nowrap}>{money(l.gross)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th colSpan={2}>{t('subscriptions.planChange.total')}</Table.Th>
            <Table.Th style={nowrap}>{money(preview.totals.net)}</Table.Th>
            <Table.Th style={nowrap}>{money(preview.totals.tax)}</Table.Th>
            <Table.Th style={nowrap}>{money(preview.totals.gross)}</Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Upgrade or downgrade: now (prorated credit and charge, invoiced) or from the next period; the preview comes first. */
export function PlanChangeModal({ subscription: s, onClose, onDone }: { subscription: Subscription; onClose: () => void; onDone: () => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const period = usePeriod();
  const notify = useNotify();
  const phone = useMediaQuery('(max-width: 48em)');
  const { options } = usePlanOptions();
  const [planId, setPlanId] = useState<string | null>(null);
  const [when, setWhen] = useState<When>('now');
  const body = { planId: planId ?? '', when };
  const preview = useMutation({ mutationFn: () => unwrap(api.POST('/api/subscriptions/{id}/plan-change/preview', { params: { path: { id: s.id } }, body })) });
  const apply = useMutation({
    mutationFn: () => unwrap(api.POST('/api/subscriptions/{id}/plan-change', { params: { path: { id: s.id } }, body })),
    onSuccess: async () => {
      notify.success(t(when === 'now' ? 'subscriptions.planChange.changed' : 'subscriptions.planChange.scheduled'));
      await onDone();
      onClose();
    },
  });
  const shown = preview.data && preview.data.toPlanId === planId && preview.data.when === when ? preview.data : null;
  const money = (amount: string) => formatAmount(amount, shown?.currency ?? s.currency, i18n.language);
  const gross = shown?.totals.gross ?? '0';
  return (
    <Modal opened onClose={onClose} title={t('subscriptions.planChange.title', { plan: s.plan.name })} size="xl" fullScreen={phone}>
      <Stack>
        <Select
          label={t('subscriptions.planChange.newPlan')}
          data={options.filter((o) => o.value !== s.planId)}
          value={planId}
          onChange={setPlanId}
          error={fieldError(preview.error, 'planId')}
          searchable
          data-autofocus
        />
        <SegmentedControl
          value={when}
          onChange={(v) => setWhen(v as When)}
          data={[
            { value: 'now', label: t('subscriptions.planChange.now') },
            { value: 'period_end', label: t('subscriptions.planChange.periodEnd') },
          ]}
        />
        <FormError error={apply.error ?? (fieldError(preview.error, 'planId') ? null : preview.error)} />
        <Group justify="flex-end">
          <Button variant="light" onClick={() => preview.mutate()} loading={preview.isPending} disabled={!planId}>
            {t('subscriptions.planChange.preview')}
          </Button>
        </Group>
        {shown && (
          <Stack gap="xs" aria-label={t('subscriptions.planChange.result')}>
            <Text size="sm">
              {shown.period
                ? t(shown.when === 'now' ? 'subscriptions.planChange.prorated' : 'subscriptions.planChange.fromNext', { ...period(shown.period.start, shown.period.end), at: format.dateTime(shown.effectiveAt) })
                : t('subscriptions.planChange.effective', { at: format.dateTime(shown.effectiveAt) })}
            </Text>
            {shown.lines.length > 0 && <PreviewLines preview={shown} />}
            <Text fw={600}>
              {gross.startsWith('-')
                ? t('subscriptions.planChange.credit', { amount: money(gross.slice(1)) })
                : isZeroDecimal(gross)
                  ? t('subscriptions.planChange.nothingDue')
                  : t('subscriptions.planChange.due', { amount: money(gross) })}
            </Text>
            {shown.wallet && !isZeroDecimal(shown.wallet.short) && (
              <Alert color="orange">{t('subscriptions.planChange.short', { available: money(shown.wallet.available), short: money(shown.wallet.short) })}</Alert>
            )}
          </Stack>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => apply.mutate()} loading={apply.isPending} disabled={!shown}>
            {t('subscriptions.planChange.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
