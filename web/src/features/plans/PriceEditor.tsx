import { ActionIcon, Button, Fieldset, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { fieldError } from '../../components/forms.ts';
import { componentKinds, newComponent, type RateComponent, type VersionForm } from './model.ts';

type Prices = VersionForm['prices'];
type Tier = { upTo: string | null; price: string };

function TierRows({ tiers, onChange }: { tiers: Tier[]; onChange: (tiers: Tier[]) => void }) {
  const { t } = useTranslation();
  const edit = (i: number, patch: Partial<Tier>) => onChange(tiers.map((tier, j) => (j === i ? { ...tier, ...patch } : tier)));
  return (
    <Stack gap={4}>
      {tiers.map((tier, i) => (
        <Group key={i} gap="xs" align="end" wrap="nowrap">
          <TextInput
            label={t('plans.price.upTo')}
            placeholder={t('plans.price.noLimit')}
            value={tier.upTo ?? ''}
            onChange={(e) => edit(i, { upTo: e.currentTarget.value.trim() ? e.currentTarget.value : null })}
            style={{ flex: 1 }}
          />
          <TextInput label={t('plans.price.unitPrice')} value={tier.price} onChange={(e) => edit(i, { price: e.currentTarget.value })} style={{ flex: 1 }} />
          <ActionIcon variant="subtle" color="red" aria-label={t('plans.price.removeTier')} onClick={() => onChange(tiers.filter((_, j) => j !== i))} disabled={tiers.length === 1} mb={4}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Button variant="subtle" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...tiers.slice(0, -1), { upTo: '', price: '' }, ...tiers.slice(-1)])} w="fit-content">
        {t('plans.price.addTier')}
      </Button>
    </Stack>
  );
}

function ComponentFields({ component, onChange }: { component: RateComponent; onChange: (c: RateComponent) => void }) {
  const { t } = useTranslation();
  const unit = 'unit' in component && (
    <TextInput label={t('plans.price.unit')} value={component.unit} onChange={(e) => onChange({ ...component, unit: e.currentTarget.value } as RateComponent)} w={110} />
  );
  switch (component.kind) {
    case 'fixed':
    case 'per-day':
      return <TextInput label={t(`plans.price.amount.${component.kind}`)} value={component.price} onChange={(e) => onChange({ ...component, price: e.currentTarget.value })} />;
    case 'minimum':
      return <TextInput label={t('plans.price.amount.minimum')} value={component.amount} onChange={(e) => onChange({ ...component, amount: e.currentTarget.value })} />;
    case 'per-unit':
      return (
        <Group gap="xs" grow align="end">
          {unit}
          <TextInput label={t('plans.price.unitPrice')} value={component.price} onChange={(e) => onChange({ ...component, price: e.currentTarget.value })} />
          <TextInput label={t('plans.price.included')} value={component.included ?? ''} onChange={(e) => onChange({ ...component, included: e.currentTarget.value })} />
        </Group>
      );
    case 'graduated':
    case 'volume':
      return (
        <Stack gap={4}>
          {unit}
          <TierRows tiers={component.tiers} onChange={(tiers) => onChange({ ...component, tiers })} />
        </Stack>
      );
  }
}

/** Prices per currency, each a list of rate components; server messages sit beside the component they name. */
export function PriceEditor({ prices, onChange, error, prefix }: { prices: Prices; onChange: (p: Prices) => void; error: unknown; prefix: string }) {
  const { t } = useTranslation();
  const editPrice = (i: number, patch: Partial<Prices[number]>) => onChange(prices.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const editComponent = (i: number, k: number, c: RateComponent | null) =>
    editPrice(i, { components: c ? prices[i]!.components.map((x, j) => (j === k ? c : x)) : prices[i]!.components.filter((_, j) => j !== k) });
  return (
    <Stack gap="sm">
      {prices.map((price, i) => (
        <Fieldset key={i} legend={t('plans.price.inCurrency', { currency: price.currency || '…' })}>
          <Stack gap="sm">
            <Group gap="xs" align="end">
              <TextInput
                label={t('plans.price.currency')}
                value={price.currency}
                onChange={(e) => editPrice(i, { currency: e.currentTarget.value.toUpperCase() })}
                error={fieldError(error, `${prefix}prices.${i}.currency`)}
                maxLength={3}
                w={100}
                required
              />
              {prices.length > 1 && (
                <Button variant="subtle" color="red" size="xs" onClick={() => onChange(prices.filter((_, j) => j !== i))}>
                  {t('plans.price.removeCurrency')}
                </Button>
              )}
            </Group>
            {price.components.map((component, k) => (
              <Stack key={k} gap={4}>
                <Group gap="xs" align="end" wrap="nowrap">
                  <Select
                    label={t('plans.price.component')}
                    data={componentKinds.map((kind) => ({ value: kind, label: t(`plans.price.kind.${kind}`) }))}
                    value={component.kind}
                    onChange={(kind) => kind && editComponent(i, k, newComponent(kind as RateComponent['kind']))}
                    allowDeselect={false}
                    style={{ flex: 1 }}
                  />
                  <ActionIcon variant="subtle" color="red" aria-label={t('plans.price.removeComponent')} onClick={() => editComponent(i, k, null)} disabled={price.components.length === 1} mb={4}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
                <ComponentFields component={component} onChange={(c) => editComponent(i, k, c)} />
                {fieldError(error, `${prefix}prices.${i}.components.${k}`, `${prefix}prices.${i}.components.${k}.kind`) && (
                  <Text size="xs" c="red">
                    {fieldError(error, `${prefix}prices.${i}.components.${k}`, `${prefix}prices.${i}.components.${k}.kind`)}
                  </Text>
                )}
              </Stack>
            ))}
            {fieldError(error, `${prefix}prices.${i}.components`) && (
              <Text size="xs" c="red">
                {fieldError(error, `${prefix}prices.${i}.components`)}
              </Text>
            )}
            <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={() => editPrice(i, { components: [...price.components, newComponent('fixed')] })} w="fit-content">
              {t('plans.price.addComponent')}
            </Button>
          </Stack>
        </Fieldset>
      ))}
      <Button variant="default" size="xs" leftSection={<IconPlus size={14} />} onClick={() => onChange([...prices, { currency: '', components: [newComponent('fixed')] }])} w="fit-content">
        {t('plans.price.addCurrency')}
      </Button>
    </Stack>
  );
}
