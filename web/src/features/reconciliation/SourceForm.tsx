import { Accordion, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { reconciliation, type StatementMapping, type StatementSource } from './http.ts';

const columnFields = ['dateColumn', 'dateFormat', 'creditColumn', 'debitColumn', 'amountColumn', 'transactionIdColumn', 'referenceColumn', 'descriptionColumn', 'payerColumn', 'statusColumn'] as const;

/** A new statement source from a preset (M-PESA paybill, bank CSV), or a source's settings changed; the column mapping editable. */
export function SourceForm({ source, onClose, onSaved }: { source?: StatementSource; onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const presets = useQuery({ queryKey: ['reconciliation', 'presets'], queryFn: reconciliation.presets });
  const [preset, setPreset] = useState<string>(source?.preset ?? 'mpesa_paybill');
  const [key, setKey] = useState(source?.key ?? '');
  const [name, setName] = useState(source?.name ?? '');
  const [channels, setChannels] = useState<string | null>(source ? source.channels.join(', ') : null);
  const [autoCredit, setAutoCredit] = useState(source?.autoCredit ?? false);
  const [dateWindowDays, setDateWindowDays] = useState(source?.dateWindowDays ?? 3);
  const [mapping, setMapping] = useState<StatementMapping | null>(source?.mapping ?? null);
  const chosen = presets.data?.items.find((p) => p.preset === preset);
  const gateway = source ? source.gateway : (chosen?.gateway ?? null);
  const current = mapping ?? chosen?.mapping;
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name,
        channels: (channels ?? chosen?.channels.join(', ') ?? '').split(',').map((c) => c.trim()).filter(Boolean),
        mapping: current!,
        autoCredit,
        dateWindowDays,
      };
      return source
        ? reconciliation.updateSource(source.id, body)
        : reconciliation.createSource({ ...body, key, preset: preset as 'mpesa_paybill' | 'generic_bank', gateway });
    },
    onSuccess: async (s) => {
      notify.success(t(source ? 'reconciliation.source.saved' : 'reconciliation.source.created', { name: s.name }));
      await queryClient.invalidateQueries({ queryKey: ['reconciliation'] });
      onSaved(s.id);
      onClose();
    },
  });
  const setColumn = (field: (typeof columnFields)[number], value: string) => setMapping({ ...current!, [field]: value.trim() === '' ? undefined : value });
  return (
    <Modal opened onClose={onClose} title={t(source ? 'reconciliation.source.edit' : 'reconciliation.source.add')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <Select
            label={t('reconciliation.source.preset')}
            data={(presets.data?.items ?? []).map((p) => ({ value: p.preset, label: t(`reconciliation.preset.${p.preset}`) }))}
            value={preset}
            onChange={(v) => {
              if (!v) return;
              setPreset(v);
              setMapping(null);
              setChannels(null);
            }}
            allowDeselect={false}
            disabled={!!source}
          />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput disabled={!!source} label={t('reconciliation.source.key')} description={t('reconciliation.source.keyHelp')} value={key} onChange={(e) => setKey(e.currentTarget.value)} error={fieldError(save.error, 'key')} required dir="ltr" data-autofocus />
            <TextInput label={t('reconciliation.source.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} required />
          </SimpleGrid>
          <TextInput label={t('reconciliation.source.channels')} value={channels ?? chosen?.channels.join(', ') ?? ''} onChange={(e) => setChannels(e.currentTarget.value)} error={fieldError(save.error, 'channels')} dir="ltr" />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <NumberInput label={t('reconciliation.source.window')} value={dateWindowDays} onChange={(n) => setDateWindowDays(Number(n))} min={0} max={31} />
            {gateway && <Switch mt="lg" label={t('reconciliation.source.autoCredit')} checked={autoCredit} onChange={(e) => setAutoCredit(e.currentTarget.checked)} />}
          </SimpleGrid>
          {current && (
            <Accordion variant="contained">
              <Accordion.Item value="mapping">
                <Accordion.Control>{t('reconciliation.source.mapping')}</Accordion.Control>
                <Accordion.Panel>
                  <SimpleGrid cols={{ base: 1, xs: 2 }}>
                    {columnFields.map((f) => (
                      <TextInput key={f} label={t(`reconciliation.mapping.${f}`)} value={current[f] ?? ''} onChange={(e) => setColumn(f, e.currentTarget.value)} error={fieldError(save.error, `mapping.${f}`)} dir="ltr" />
                    ))}
                    <Select
                      label={t('reconciliation.mapping.decimalSeparator')}
                      data={['.', ',']}
                      value={current.decimalSeparator ?? '.'}
                      onChange={(v) => v && setMapping({ ...current, decimalSeparator: v as '.' | ',' })}
                      allowDeselect={false}
                    />
                  </SimpleGrid>
                </Accordion.Panel>
              </Accordion.Item>
            </Accordion>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!current}>
              {t(source ? 'common.save' : 'common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
