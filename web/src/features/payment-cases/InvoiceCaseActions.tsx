import { Button } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useCan } from '../auth/session.ts';
import { NewPlanModal, OpenDisputeModal, WriteOffModal } from './CaseDialogs.tsx';
import { invoiceCaseActions } from './model.ts';

/** Buttons on an invoice: open a dispute, agree an installment plan, write it off as bad debt. */
export function InvoiceCaseActions({ invoice }: { invoice: { id: string; kind: string; status: string; number: string | null; balanceDue: string; currency: string; subscriberId: string } }) {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'dispute' | 'writeOff' | 'plan' | null>(null);
  return (
    <>
      {invoiceCaseActions(invoice, can).map((a) => (
        <Button key={a} size="xs" variant="light" color={a === 'writeOff' ? 'red' : undefined} onClick={() => setDialog(a)}>
          {t(`paymentCases.invoiceAction.${a}`)}
        </Button>
      ))}
      {dialog === 'dispute' && <OpenDisputeModal invoiceId={invoice.id} onClose={() => setDialog(null)} onOpened={(id) => navigate(`/disputes/${id}`)} />}
      {dialog === 'writeOff' && <WriteOffModal invoice={invoice} onClose={() => setDialog(null)} />}
      {dialog === 'plan' && <NewPlanModal subscriberId={invoice.subscriberId} invoiceId={invoice.id} onClose={() => setDialog(null)} onCreated={(id) => navigate(`/installment-plans/${id}`)} />}
    </>
  );
}
