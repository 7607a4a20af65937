import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useFormat } from '../../lib/use-format.ts';
import { formatAmount, type Plan, type PricePreview } from './model.ts';

/** Units the plan's usage prices name, so the preview asks for exactly those. */
function usageUnits(plan: Plan): string[] {
  const units = plan.currentVersion.prices.flatMap((p) => p.components.flatMap((c) => ('unit' in c ? [c.unit] : [])));
  return [...new Set(units)];
}

function Lines({ preview }: { preview: PricePreview }) {
  const { t, i18n } = useTranslation();
  const money = (amount: string) => formatAmount(amount, preview.currency, i18n.language);
  const taxes = (list: PricePreview['totals']['taxes']) => list.map((x) => `${x.code} ${x.percent}%: ${money(x.amount)}`).join(', ');
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('plans.preview.line')}</Table.Th>
            <Table.Th>{t('plans.preview.quantity')}</Table.Th>
            <Table.Th>{t('plans.preview.amount')}</Table.Th>
            <Table.Th>{t('plans.preview.discount')}</Table.Th>
            <Table.Th>{t('plans.preview.tax')}</Table.Th>
            <Table.Th>{t('plans.preview.gross')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {preview.lines.map((l, i) => (
            <Table.Tr key={i}>
              <Table.Td>{t(`plans.preview.lineKind.${l.descriptionKey.replace(/^invoiceLine\./, '').replace('.', '_')}`, { unit: l.details.unit ?? '' })}</Table.Td>
              <Table.Td dir="ltr">
                {l.quantity} × {l.unitPrice}
              </Table.Td>
              <Table.Td>{money(l.amount)}</Table.Td>
              <Table.Td>{money(l.discount)}</Table.Td>
              <Table.Td>{taxes(l.taxes) || '—'}</Table.Td>
              <Table.Td fw={500}>{money(l.gross)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th colSpan={3}>{t('plans.preview.total', { net: money(preview.totals.net) })}</Table.Th>
            <Table.Th>{money(preview.totals.discount)}</Table.Th>
            <Table.Th>{money(preview.totals.tax)}</Table.Th>
            <Table.Th aria-label={t('plans.preview.gross')}>{money(preview.totals.gross)}</Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One period of the plan priced exactly as the invoice will price it. */
export function PricePreviewModal({ plan, onClose }: { plan: Plan; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const phone = useMediaQuery('(max-width: 48em)');
  const units = usageUnits(plan);
  const [currency, setCurrency] = useState(plan.currentVersion.prices[0]!.currency);
  const [usage, setUsage] = useState<Record<string, string>>(Object.fromEntries(units.map((u) => [u, ''])));
  const [couponCode, setCouponCode] = useState('');
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/plans/{id}/preview', {
          params: { path: { id: plan.id } },
          body: { currency, usage: Object.fromEntries(Object.entries(usage).filter(([, v]) => v.trim())), couponCode: couponCode.trim() || undefined },
        }),
      ),
  });
  const preview = run.data;
  return (
    <Modal opened onClose={onClose} title={t('plans.preview.title', { name: plan.name })} size="xl" fullScreen={phone}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label={t('plans.price.currency')}
              data={plan.currentVersion.prices.map((p) => p.currency)}
              value={currency}
              onChange={(v) => v && setCurrency(v)}
              allowDeselect={false}
            />
            {units.map((unit) => (
              <TextInput key={unit} label={t('plans.preview.usage', { unit })} value={usage[unit] ?? ''} onChange={(e) => setUsage({ ...usage, [unit]: e.currentTarget.value })} error={fieldError(run.error, 'usage')} />
            ))}
            <TextInput label={t('plans.preview.coupon')} value={couponCode} onChange={(e) => setCouponCode(e.currentTarget.value)} error={fieldError(run.error, 'couponCode')} />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button type="submit" loading={run.isPending}>
              {t('plans.preview.run')}
            </Button>
          </Group>
          {run.error && !fieldError(run.error, 'usage', 'couponCode') ? <FormError error={run.error} /> : null}
          {preview && (
            <Stack gap="xs" aria-label={t('plans.preview.result')}>
              <Text size="sm">
                {preview.period
                  ? t('plans.preview.period', { version: preview.version, start: format.dateTime(preview.period.start), end: format.dateTime(preview.period.end) })
                  : t('plans.preview.oneOff', { version: preview.version })}
              </Text>
              {preview.taxClass && <Text size="sm">{t(preview.taxClass.inclusive ? 'plans.preview.taxInclusive' : 'plans.preview.taxExclusive', { name: preview.taxClass.name })}</Text>}
              <Text fw={600}>
                {t('plans.preview.summary', { gross: formatAmount(preview.totals.gross, preview.currency, i18n.language), tax: formatAmount(preview.totals.tax, preview.currency, i18n.language) })}
              </Text>
              {preview.discount && <Alert color="teal">{t('plans.preview.discountApplied', { name: preview.discount.name })}</Alert>}
              <Lines preview={preview} />
            </Stack>
          )}
        </Stack>
      </form>
    </Modal>
  );
}
