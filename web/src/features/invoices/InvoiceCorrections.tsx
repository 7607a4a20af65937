import { Button, Checkbox, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, Loading, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { useMoney } from './InvoiceParts.tsx';
import { creditedLineNos, lineDescription, type InvoiceDetail } from './model.ts';

/** Voids an issued invoice nobody has paid; the reason is kept on the invoice and in the audit log. */
export function VoidModal({ invoice, onClose }: { invoice: InvoiceDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/api/invoices/{id}/void', { params: { path: { id: invoice.id } }, body: { reason } })),
    onSuccess: async () => {
      notify.success(t('invoices.voided', { number: invoice.number ?? '' }));
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('invoices.voidTitle', { number: invoice.number ?? '' })}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <Stack>
          <Text size="sm">{t('invoices.voidHelp')}</Text>
          <FormError error={run.error} />
          <Textarea label={t('invoices.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(run.error, 'reason')} required autosize minRows={2} data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" color="red" loading={run.isPending} disabled={!reason.trim()}>
              {t('invoices.action.void')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** A credit note for chosen lines of an issued invoice; lines earlier notes gave back are not offered again. */
export function CreditNoteModal({ invoice, onClose, onCreated }: { invoice: InvoiceDetail; onClose: () => void; onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const money = useMoney();
  const queryClient = useQueryClient();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const notes = useQueries({
    queries: invoice.creditNotes.map((n) => ({
      queryKey: ['invoices', 'detail', n.id],
      queryFn: () => unwrap(api.GET('/api/invoices/{id}', { params: { path: { id: n.id } } })),
    })),
  });
  const loaded = notes.every((q) => q.data);
  const done = creditedLineNos(notes.flatMap((q) => (q.data ? [q.data] : [])));
  const open = invoice.lines.filter((l) => !done.has(l.lineNo));
  const [picked, setPicked] = useState<Set<number> | null>(null);
  const chosen = picked ?? new Set(open.map((l) => l.lineNo));
  const [reason, setReason] = useState('');
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/invoices/{id}/credit-notes', {
          params: { path: { id: invoice.id } },
          headers: { 'Idempotency-Key': idempotencyKey },
          body: { reason, lineNos: [...chosen].sort((a, b) => a - b) },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (note) => {
      notify.success(t('invoices.creditNoteIssued', { number: note.number ?? '' }));
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
      onCreated(note.id);
      onClose();
    },
  });
  const toggle = (lineNo: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(lineNo);
    else next.delete(lineNo);
    setPicked(next);
  };
  return (
    <Modal opened onClose={onClose} title={t('invoices.creditNoteTitle', { number: invoice.number ?? '' })} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <Stack>
          <FormError error={run.error} />
          {!loaded ? (
            <Loading />
          ) : open.length === 0 ? (
            <Text c="dimmed">{t('invoices.allCredited')}</Text>
          ) : (
            <Stack gap="xs" role="group" aria-label={t('invoices.creditLines')}>
              <Text size="sm" fw={500}>
                {t('invoices.creditLines')}
              </Text>
              {open.map((l) => (
                <Checkbox
                  key={l.lineNo}
                  checked={chosen.has(l.lineNo)}
                  onChange={(e) => toggle(l.lineNo, e.currentTarget.checked)}
                  label={`${l.lineNo}. ${lineDescription(l, t)} — ${money(l.gross, invoice.currency)}`}
                />
              ))}
            </Stack>
          )}
          <Textarea label={t('invoices.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(run.error, 'reason')} required autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={run.isPending} disabled={!reason.trim() || chosen.size === 0 || !loaded}>
              {t('invoices.action.creditNote')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
