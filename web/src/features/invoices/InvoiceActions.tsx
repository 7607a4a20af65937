import { Button, Group } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, downloadCsv, unwrap } from '../../api/client.ts';
import { ConfirmModal, useNotify } from '../../components/feedback.tsx';
import { useCan } from '../auth/session.ts';
import { CreditNoteModal, VoidModal } from './InvoiceCorrections.tsx';
import { InvoiceCaseActions } from '../payment-cases/InvoiceCaseActions.tsx';
import { invoiceActions, type InvoiceAction, type InvoiceDetail } from './model.ts';

const steps = {
  submit: '/api/invoices/{id}/submit',
  approve: '/api/invoices/{id}/approve',
  issue: '/api/invoices/{id}/issue',
  payFromWallet: '/api/invoices/{id}/pay-from-wallet',
} as const;

/** The buttons an invoice offers in its status to this user, and the PDF. */
export function InvoiceActions({ invoice, onOpen, onDeleted }: { invoice: InvoiceDetail; onOpen: (id: string) => void; onDeleted: () => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<InvoiceAction | 'pdf' | null>(null);
  const [dialog, setDialog] = useState<'void' | 'creditNote' | 'delete' | null>(null);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['invoices'] });
    await queryClient.invalidateQueries({ queryKey: ['wallet'] });
  };

  const step = async (action: keyof typeof steps) => {
    setBusy(action);
    try {
      const after = await unwrap(api.POST(steps[action], { params: { path: { id: invoice.id } } }));
      notify.success(t(`invoices.done.${action}`, { number: after.number ?? '', status: t(`invoices.status.${after.status}`) }));
      await refresh();
    } catch (err) {
      notify.failure(err);
    } finally {
      setBusy(null);
    }
  };
  const pdf = async () => {
    setBusy('pdf');
    try {
      await downloadCsv(`/api/invoices/${invoice.id}/pdf`, {}, `${invoice.number ?? invoice.id}.pdf`);
    } catch (err) {
      notify.failure(err);
    } finally {
      setBusy(null);
    }
  };
  const remove = async () => {
    await unwrap(api.DELETE('/api/invoices/{id}', { params: { path: { id: invoice.id } } }));
    notify.success(t('invoices.deleted'));
    onDeleted();
    await queryClient.invalidateQueries({ queryKey: ['invoices', 'list'] });
  };

  return (
    <>
      <Group gap="xs">
        {invoiceActions(invoice, can).map((action) =>
          action in steps ? (
            <Button key={action} size="xs" variant={action === 'issue' || action === 'approve' ? 'filled' : 'light'} loading={busy === action} onClick={() => void step(action as keyof typeof steps)}>
              {t(`invoices.action.${action}`)}
            </Button>
          ) : (
            <Button key={action} size="xs" variant="light" color={action === 'creditNote' ? undefined : 'red'} onClick={() => setDialog(action as 'void' | 'creditNote' | 'delete')}>
              {t(`invoices.action.${action}`)}
            </Button>
          ),
        )}
        <InvoiceCaseActions invoice={invoice} />
        <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} loading={busy === 'pdf'} onClick={() => void pdf()}>
          {t('invoices.action.pdf')}
        </Button>
      </Group>
      {dialog === 'void' && <VoidModal invoice={invoice} onClose={() => setDialog(null)} />}
      {dialog === 'creditNote' && <CreditNoteModal invoice={invoice} onClose={() => setDialog(null)} onCreated={onOpen} />}
      <ConfirmModal
        opened={dialog === 'delete'}
        title={t('invoices.deleteTitle')}
        message={t('invoices.deleteConfirm')}
        confirmLabel={t('common.delete')}
        onConfirm={remove}
        onClose={() => setDialog(null)}
      />
    </>
  );
}
