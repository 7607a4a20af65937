import { Button, Group, Modal, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { useMe } from '../auth/session.ts';
import { LineEditor } from './LineEditor.tsx';
import { emptyLine, manualLines, type InvoiceDetail, type LineRow } from './model.ts';
import { SubscriberPicker } from './SubscriberPicker.tsx';

/** A manual invoice (installation, equipment, a correction): kept as a draft or issued at once. */
export function NewInvoiceModal({ subscriberId, onClose, onCreated }: { subscriberId?: string; onClose: () => void; onCreated: (invoice: InvoiceDetail) => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const phone = useMediaQuery('(max-width: 48em)');
  const queryClient = useQueryClient();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const [subscriber, setSubscriber] = useState<string | null>(subscriberId ?? null);
  const [currency, setCurrency] = useState('');
  const [memo, setMemo] = useState('');
  const [rows, setRows] = useState<LineRow[]>([emptyLine()]);
  const create = useMutation({
    mutationFn: (issue: boolean) =>
      unwrap(
        api.POST('/api/invoices', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { subscriberId: subscriber ?? '', currency: currency.trim() || undefined, memo: memo.trim() || undefined, lines: manualLines(rows), issue },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (invoice) => {
      notify.success(t(`invoices.created.${invoice.status === 'draft' ? 'draft' : invoice.status === 'in_review' ? 'review' : 'issued'}`, { number: invoice.number ?? '' }));
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
      onCreated(invoice);
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('invoices.new')} size="xl" fullScreen={phone}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(false);
        }}
      >
        <Stack>
          <FormError error={create.error} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {!subscriberId && <SubscriberPicker value={subscriber} onChange={setSubscriber} error={fieldError(create.error, 'subscriberId')} />}
            <TextInput
              label={t('invoices.form.currency')}
              placeholder={me.organization.currency}
              description={t('invoices.form.currencyHint')}
              value={currency}
              onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
              error={fieldError(create.error, 'currency')}
              maxLength={3}
              dir="ltr"
            />
          </SimpleGrid>
          <LineEditor rows={rows} onChange={setRows} currency={/^[A-Z]{3}$/.test(currency) ? currency : me.organization.currency} error={create.error} />
          <Textarea label={t('invoices.form.memo')} value={memo} onChange={(e) => setMemo(e.currentTarget.value)} error={fieldError(create.error, 'memo')} autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" variant="light" loading={create.isPending && create.variables === false} disabled={create.isPending}>
              {t('invoices.form.saveDraft')}
            </Button>
            <Button onClick={() => create.mutate(true)} loading={create.isPending && create.variables === true} disabled={create.isPending}>
              {t('invoices.form.issue')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
