import { requirePermission, type Actor } from '../../../platform/auth/principal.ts';
import type { AppContext } from '../../../platform/context.ts';
import type { Invoice } from '../../../platform/db/schema.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { fileStoreFor } from '../../../platform/files/store.ts';
import { findInScope } from '../invoices.repo.ts';
import * as repo from './documents.repo.ts';
import { renderInvoicePdf } from './invoice-pdf.ts';
import { receiptNumber, renderReceiptPdf } from './receipt-pdf.ts';

type Deps = Pick<AppContext, 'db' | 'config'>;

export interface PdfFile {
  filename: string;
  data: Buffer;
}

/** A file name from an invoice number, which may hold '/' (INV/2026/000123). */
const fileName = (stem: string) => `${stem.replace(/[^A-Za-z0-9._-]/g, '-')}.pdf`;

async function invoiceInScope(deps: Deps, actor: Actor, id: string): Promise<Invoice> {
  requirePermission(actor, 'invoices.read');
  const invoice = await findInScope(deps.db, actor.principal.scope, id);
  if (!invoice) throw new NotFoundError('Invoice');
  return invoice;
}

export async function invoicePdf(deps: Deps, actor: Actor, id: string, locale?: string): Promise<PdfFile> {
  const invoice = await invoiceInScope(deps, actor, id);
  const stem = invoice.number ?? `${invoice.kind === 'credit_note' ? 'credit-note' : 'invoice'}-draft-${invoice.id.slice(0, 8)}`;
  return { filename: fileName(stem), data: await renderInvoicePdf(deps.db, fileStoreFor(deps.config), id, locale) };
}

export async function receiptPdf(deps: Deps, actor: Actor, id: string, allocationId: string, locale?: string): Promise<PdfFile> {
  const invoice = await invoiceInScope(deps, actor, id);
  const allocation = await repo.allocationOf(deps.db, id, allocationId);
  if (!allocation) throw new NotFoundError('Receipt');
  return {
    filename: fileName(await receiptNumber(deps.db, invoice, allocation)),
    data: await renderReceiptPdf(deps.db, fileStoreFor(deps.config), id, allocationId, locale),
  };
}
