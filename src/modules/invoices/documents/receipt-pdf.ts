import type { Kysely } from 'kysely';
import type { DB, Invoice, InvoiceAllocation } from '../../../platform/db/schema.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import type { FileStore } from '../../../platform/files/store.ts';
import { drawTable } from '../../../platform/pdf/table.ts';
import { isolate, ltr } from '../../../platform/pdf/text.ts';
import { billingSettingsOf } from '../../billing/settings.ts';
import { allocationsOf, customerSnapshot } from '../invoices.repo.ts';
import * as repo from './documents.repo.ts';
import { Formatter } from './format.ts';
import { documentLocale, drawHeading, keyValue, newDocument, section } from './invoice-pdf.ts';
import { labelsFor } from './labels.ts';

/**
 * A receipt's number: the invoice's number and the allocation's place among the invoice's
 * settlements (INV-000123-R2), stable because allocations are only ever added.
 */
export async function receiptNumber(db: Kysely<DB>, invoice: Invoice, allocation: InvoiceAllocation): Promise<string> {
  const all = await allocationsOf(db, invoice.id);
  const ordinal = all.findIndex((a) => a.id === allocation.id) + 1;
  return `${invoice.number ?? invoice.id.slice(0, 8)}-R${ordinal}`;
}

/** Each invoice the allocation's payment settled, with what it applied and what was still owed after it. */
async function settlements(db: Kysely<DB>, allocation: InvoiceAllocation) {
  const rows = await repo.settledBy(db, allocation);
  return Promise.all(
    rows.map(async (r) => {
      const upTo = (await allocationsOf(db, r.invoice_id)).filter((a) => a.id <= r.id).reduce((sum, a) => sum + a.amount, 0n);
      return { number: r.number ?? '', applied: r.amount, balanceAfter: r.total - upTo > 0n ? r.total - upTo : 0n, currency: r.currency };
    }),
  );
}

/**
 * The receipt for one settlement of an invoice (a wallet deduction, a payment, a credit note): who
 * paid, when, how much and how, and what each invoice it settled still owes afterwards.
 */
export async function renderReceiptPdf(db: Kysely<DB>, files: FileStore, invoiceId: string, allocationId: string, locale?: string | null): Promise<Buffer> {
  const invoice = await repo.invoiceById(db, invoiceId);
  const allocation = invoice && /^\d{1,18}$/.test(allocationId) ? await repo.allocationOf(db, invoiceId, allocationId) : undefined;
  if (!invoice || !allocation) throw new NotFoundError('Receipt');
  const [issuer, settings, settled, number] = await Promise.all([
    repo.issuerOf(db, invoice.organization_id),
    billingSettingsOf(db, invoice.organization_id),
    settlements(db, allocation),
    receiptNumber(db, invoice, allocation),
  ]);
  const lang = documentLocale(locale, issuer.locale);
  const t = labelsFor(lang);
  const fmt = new Formatter(lang, issuer.timezone);
  const title = t('receipt');
  const doc = newDocument(lang, `${title} ${number}`, issuer.name, allocation.created_at);

  const half = doc.width / 2;
  await drawHeading(doc, files, issuer, settings, t, title, [[ltr(number), { size: 11, bold: true }]]);

  const customer = Object.keys(invoice.customer).length > 0 ? invoice.customer : await customerSnapshot(db, invoice.subscriber_id);
  const name = typeof customer.name === 'string' ? isolate(customer.name) : '';
  const account = typeof customer.accountNumber === 'string' ? `${t('accountNumber')}: ${ltr(customer.accountNumber)}` : '';
  let left = doc.text(t('receivedFrom'), 0, doc.y, half - 20, { size: 8.5, bold: true, color: '#4b5563' });
  left += doc.text(name, 0, doc.y + left, half - 20, { size: 11, bold: true });
  if (account) left += doc.text(account, 0, doc.y + left, half - 20, { size: 8.5, color: '#4b5563' });

  const creditNote = allocation.source === 'credit_note' && allocation.source_id ? (await repo.numbersOf(db, [allocation.source_id])).get(allocation.source_id) : null;
  const method = allocation.source === 'credit_note' ? t('method.credit_note', { number: ltr(creditNote ?? '') }) : t(`method.${allocation.source}`);
  const total = settled.reduce((sum, s) => sum + s.applied, 0n);
  const boxX = half + 10;
  const boxWidth = doc.width - boxX;
  let box = keyValue(doc, boxX, doc.y, boxWidth, t('receiptNumber'), ltr(number)) + 2;
  box += keyValue(doc, boxX, doc.y + box, boxWidth, t('receiptDate'), fmt.dateOf(allocation.created_at)) + 2;
  box += keyValue(doc, boxX, doc.y + box, boxWidth, t('method'), method) + 2;
  box += keyValue(doc, boxX, doc.y + box, boxWidth, t('amountReceived'), fmt.money(total, invoice.currency), { bold: true, size: 11, color: '#1f3a5f' });
  doc.y += Math.max(left, box) + 18;

  drawTable(
    doc,
    [
      { header: t('invoiceColumn'), width: doc.width * 0.4 },
      { header: t('applied'), width: doc.width * 0.3, align: 'end' },
      { header: t('balanceAfter'), width: doc.width * 0.3, align: 'end' },
    ],
    settled.map((s) => [ltr(s.number), fmt.money(s.applied, s.currency), fmt.money(s.balanceAfter, s.currency)]),
  );
  doc.y += 16;
  section(doc, '', t('thanks'), { size: 10, bold: true });
  section(doc, '', settings.invoiceFooter, { size: 8, color: '#4b5563', align: 'center' });
  doc.footer((page, pages) => `${title} ${ltr(number)} · ${t('page', { page: fmt.decimal(String(page)), pages: fmt.decimal(String(pages)) })}`);
  return doc.finish();
}
