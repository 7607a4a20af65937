import { ActionIcon, Button, Fieldset, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { fieldError } from '../../components/forms.ts';
import { formatAmount } from '../plans/model.ts';
import { emptyLine, lineServiceTypes, multiplyDecimals, sumDecimals, type LineRow } from './model.ts';

/**
 * The lines of a manual invoice. Each shows quantity × unit price exactly as typed; the server
 * rounds it once by the currency's rule and adds the tax class, so the invoice is the authority.
 */
export function LineEditor({ rows, onChange, currency, error }: { rows: LineRow[]; onChange: (rows: LineRow[]) => void; currency: string; error: unknown }) {
  const { t, i18n } = useTranslation();
  const taxClasses = useQuery({ queryKey: ['tax-classes', 'options'], queryFn: () => unwrap(api.GET('/api/tax-classes', { params: { query: { limit: 200 } } })) });
  const taxOptions = (taxClasses.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }));
  const edit = (i: number, patch: Partial<LineRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const amounts = rows.map((r) => multiplyDecimals(r.quantity || '1', r.unitPrice));
  const total = amounts.every((a) => a !== null) ? sumDecimals(amounts as string[]) : null;
  const money = (amount: string) => formatAmount(amount, currency, i18n.language);
  return (
    <Stack gap="sm">
      {rows.map((row, i) => (
        <Fieldset key={i} legend={t('invoices.form.lineNumber', { number: String(i + 1) })} p="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <TextInput
              label={t('invoices.form.description')}
              value={row.description}
              onChange={(e) => edit(i, { description: e.currentTarget.value })}
              error={fieldError(error, `lines.${i}.description`)}
              required
            />
            <Select
              label={t('invoices.form.serviceType')}
              data={lineServiceTypes.map((s) => ({ value: s, label: t(`invoices.serviceType.${s}`) }))}
              value={row.serviceType}
              onChange={(v) => edit(i, { serviceType: v ?? 'other' })}
              allowDeselect={false}
            />
            <TextInput label={t('invoices.form.quantity')} value={row.quantity} onChange={(e) => edit(i, { quantity: e.currentTarget.value })} error={fieldError(error, `lines.${i}.quantity`)} inputMode="decimal" dir="ltr" />
            <TextInput
              label={t('invoices.form.unitPrice')}
              value={row.unitPrice}
              onChange={(e) => edit(i, { unitPrice: e.currentTarget.value })}
              error={fieldError(error, `lines.${i}.unitPrice`)}
              inputMode="decimal"
              dir="ltr"
              required
            />
            <Select
              label={t('invoices.form.taxClass')}
              placeholder={t('invoices.form.noTax')}
              data={taxOptions}
              value={row.taxClassId}
              onChange={(v) => edit(i, { taxClassId: v })}
              error={fieldError(error, `lines.${i}.taxClassId`)}
              clearable
            />
            <Group justify="space-between" align="end">
              <Text size="sm" c="dimmed">
                {amounts[i] ? t('invoices.form.lineAmount', { amount: money(amounts[i]) }) : ''}
              </Text>
              <ActionIcon variant="subtle" color="red" aria-label={t('invoices.form.removeLine', { number: String(i + 1) })} onClick={() => onChange(rows.filter((_, j) => j !== i))} disabled={rows.length === 1}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          </SimpleGrid>
        </Fieldset>
      ))}
      <Group justify="space-between">
        <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rows, emptyLine()])}>
          {t('invoices.form.addLine')}
        </Button>
        {total && <Text size="sm">{t('invoices.form.linesTotal', { amount: money(total) })}</Text>}
      </Group>
    </Stack>
  );
}
