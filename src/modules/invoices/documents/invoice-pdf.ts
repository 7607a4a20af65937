import type { Kysely } from 'kysely';
import type { DB, Invoice, InvoiceLineRow } from '../../../platform/db/schema.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import type { FileStore } from '../../../platform/files/store.ts';
import { PdfDocument, type TextStyle } from '../../../platform/pdf/document.ts';
import { drawTable, type Cell } from '../../../platform/pdf/table.ts';
import { isolate, ltr } from '../../../platform/pdf/text.ts';
import { billingSettingsOf, type BillingSettings } from '../../billing/settings.ts';
import { customerSnapshot, linesOf } from '../invoices.repo.ts';
import * as repo from './documents.repo.ts';
import { Formatter } from './format.ts';
import { isLocale, labelsFor, type LabelKey, type Locale } from './labels.ts';
import { describeLine } from './line-descriptions.ts';

type Labels = ReturnType<typeof labelsFor>;
type Issuer = Awaited<ReturnType<typeof repo.issuerOf>>;

const grey: TextStyle = { size: 8.5, color: '#4b5563' };
const accent = '#1f3a5f';

/** The language of a document: the one asked for, else the organization's, else English. */
export function documentLocale(asked: string | null | undefined, organizationLocale: string): Locale {
  if (isLocale(asked)) return asked;
  return isLocale(organizationLocale) ? organizationLocale : 'en';
}

export function newDocument(locale: Locale, title: string, author: string, createdAt: Date): PdfDocument {
  return new PdfDocument({ direction: locale === 'ar' ? 'rtl' : 'ltr', lang: locale, title, author, createdAt });
}

/**
 * The top of a document: at the start edge the seller (logo when the organization uploaded a PNG or
 * JPEG, name, address, contacts, tax id); at the end edge the title and the lines under it (number,
 * status). Then a rule.
 */
export async function drawHeading(doc: PdfDocument, files: FileStore, issuer: Issuer, settings: BillingSettings, t: Labels, title: string, under: readonly (readonly [string, TextStyle])[]): Promise<void> {
  const half = doc.width / 2;
  let y = doc.y;
  if (settings.logoFileKey) {
    const logo = await files.get(settings.logoFileKey).catch(() => null);
    if (logo && doc.image(logo, 0, y, 160, 52)) y += 58;
  }
  y += doc.text(issuer.name, 0, y, half + 40, { size: 14, bold: true, color: accent, dir: 'auto' });
  if (issuer.address) y += doc.text(issuer.address, 0, y, half + 40, { ...grey, dir: 'auto' });
  const contact = [issuer.contact_phone, issuer.contact_email].filter((s): s is string => Boolean(s)).map(ltr).join('\n');
  if (contact) y += doc.text(contact, 0, y, half + 40, grey);
  if (issuer.tax_id) y += doc.text(`${t('taxId')}: ${ltr(issuer.tax_id)}`, 0, y, half + 40, { ...grey, bold: true });
  let end = doc.y + doc.text(title, half + 50, doc.y, half - 50, { size: 22, bold: true, align: 'end', color: accent });
  for (const [text, style] of under) end += doc.text(text, half + 50, end, half - 50, { ...style, align: 'end' });
  doc.y = Math.max(y, end) + 12;
  doc.rule(doc.y);
  doc.y += 10;
}

/** Label and value on one row of a details box: the label at the start, the value at the end. */
export function keyValue(doc: PdfDocument, x: number, y: number, width: number, label: string, value: string, style: TextStyle = {}): number {
  const labelWidth = width * 0.5;
  const a = doc.text(label, x, y, labelWidth - 4, { ...grey, ...style, color: '#4b5563' });
  const b = doc.text(value, x + labelWidth, y, width - labelWidth, { size: 9, ...style, align: 'end' });
  return Math.max(a, b);
}

function customerLines(c: Record<string, unknown>, t: Labels): { name: string; rest: string } {
  const s = (k: string) => (typeof c[k] === 'string' && c[k] ? (c[k] as string) : null);
  const rest = [
    s('companyName') && s('companyName') !== s('name') ? isolate(s('companyName')!) : null,
    s('accountNumber') ? `${t('accountNumber')}: ${ltr(s('accountNumber')!)}` : null,
    s('address') ? isolate(s('address')!) : null,
    s('phone') ? `${t('phone')}: ${ltr(s('phone')!)}` : null,
    s('email') ? `${t('email')}: ${ltr(s('email')!)}` : null,
  ].filter((v): v is string => v !== null);
  return { name: isolate(s('name') ?? ''), rest: rest.join('\n') };
}

function lineRows(lines: readonly InvoiceLineRow[], invoice: Invoice, locale: Locale, fmt: Formatter): Cell[][] {
  const a = (v: bigint) => fmt.amount(v, invoice.currency);
  return lines.map((l) => {
    const { text, note } = describeLine(l, locale, fmt, invoice.currency);
    const period = l.period_start && l.period_end ? fmt.period(l.period_start, l.period_end) : '';
    return [
      fmt.decimal(String(l.line_no)),
      { text: isolate(text), note: [period, note].filter(Boolean).join('\n') },
      fmt.decimal(l.quantity),
      fmt.amount(l.unit_price, invoice.currency),
      l.discount === 0n ? '' : a(-l.discount),
      a(l.net),
      a(l.tax),
      a(l.gross),
    ];
  });
}

function watermarkOf(invoice: Invoice): LabelKey | null {
  if (invoice.status === 'void') return 'watermarkVoid';
  if (['draft', 'in_review', 'approved'].includes(invoice.status)) return 'watermarkDraft';
  if (invoice.status === 'paid' && invoice.kind === 'invoice') return 'watermarkPaid';
  return null;
}

function drawTotals(doc: PdfDocument, invoice: Invoice, t: Labels, fmt: Formatter, x: number, width: number): number {
  const m = (v: bigint) => fmt.money(v, invoice.currency);
  const owed = invoice.total - invoice.amount_paid - invoice.amount_credited;
  const rows: [string, string, TextStyle][] = [];
  if (invoice.discount_total !== 0n) rows.push([t('discountsIncluded'), m(-invoice.discount_total), { color: '#4b5563' }]);
  rows.push([t('subtotal'), m(invoice.subtotal), {}], [t('taxTotal'), m(invoice.tax_total), {}], [t('total'), m(invoice.total), { bold: true, size: 10 }]);
  if (invoice.kind === 'invoice') {
    rows.push([t('paid'), m(invoice.amount_paid), {}]);
    if (invoice.amount_credited !== 0n) rows.push([t('credited'), m(invoice.amount_credited), {}]);
    rows.push([t('balanceDue'), m(invoice.status === 'void' || owed < 0n ? 0n : owed), { bold: true, size: 11, color: accent }]);
  }
  let y = doc.y;
  for (const [label, value, style] of rows) {
    if (style.bold) doc.rule(y, '#9ca3af', x, width);
    y += keyValue(doc, x, y + 2, width, label, value, style) + 3;
  }
  return y - doc.y;
}

function drawTaxSummary(doc: PdfDocument, invoice: Invoice, t: Labels, fmt: Formatter, width: number): void {
  if (invoice.taxes.length === 0) return;
  drawTable(
    doc,
    [
      { header: t('taxSummary'), width: width * 0.45 },
      { header: t('rate'), width: width * 0.2, align: 'end' },
      { header: t('amount'), width: width * 0.35, align: 'end' },
    ],
    invoice.taxes.map((tax) => [isolate(tax.name || tax.code), fmt.percent(tax.rate), fmt.amount(BigInt(tax.amount), invoice.currency)]),
  );
}

/** Totals at the end edge and the tax summary at the start edge, side by side, on one page. */
function drawSummary(doc: PdfDocument, invoice: Invoice, t: Labels, fmt: Formatter): void {
  const half = doc.width / 2;
  doc.y += 14;
  doc.ensure(Math.max(6 * doc.lineHeight({ size: 11 }) + 20, invoice.taxes.length * 20 + 30));
  const top = doc.y;
  const totals = drawTotals(doc, invoice, t, fmt, half + 10, half - 10);
  drawTaxSummary(doc, invoice, t, fmt, half - 20);
  doc.y = Math.max(top + totals, doc.y) + 16;
}

/** Heading and wrapped text people typed (each paragraph in its own direction), moved to a new page whole when it does not fit. */
export function section(doc: PdfDocument, heading: string, body: string, textStyle: TextStyle = {}): void {
  const style: TextStyle = { dir: 'auto', ...textStyle };
  if (!body.trim()) return;
  const height = doc.textHeight(body, doc.width, style) + doc.lineHeight({ bold: true, size: 9.5 });
  doc.ensure(Math.min(height, 200));
  if (heading) doc.y += doc.text(heading, 0, doc.y, doc.width, { bold: true, size: 9.5, color: accent });
  doc.y += doc.text(body, 0, doc.y, doc.width, style) + 8;
}

/** The customer as billed at the start edge; the invoice's number, dates and currency at the end edge. */
async function drawParties(doc: PdfDocument, db: Kysely<DB>, invoice: Invoice, t: Labels, fmt: Formatter): Promise<void> {
  const half = doc.width / 2;
  const credit = invoice.kind === 'credit_note';
  const customer = Object.keys(invoice.customer).length > 0 ? invoice.customer : await customerSnapshot(db, invoice.subscriber_id);
  const { name, rest } = customerLines(customer, t);
  let left = doc.text(t('billTo'), 0, doc.y, half - 20, { ...grey, bold: true });
  left += doc.text(name, 0, doc.y + left, half - 20, { size: 11, bold: true });
  if (rest) left += doc.text(rest, 0, doc.y + left, half - 20, grey);

  const boxX = half + 10;
  const boxWidth = doc.width - boxX;
  const credited = credit && invoice.credits_invoice_id ? (await repo.numbersOf(db, [invoice.credits_invoice_id])).get(invoice.credits_invoice_id) : null;
  const facts: [string, string][] = [
    [t(credit ? 'creditNoteNumber' : 'invoiceNumber'), invoice.number ? ltr(invoice.number) : '—'],
    [t('issueDate'), invoice.issue_date ? fmt.date(invoice.issue_date) : '—'],
    ...(!credit && invoice.due_date ? ([[t('dueDate'), fmt.date(invoice.due_date)]] as [string, string][]) : []),
    ...(invoice.period_start && invoice.period_end ? ([[t('period'), fmt.period(invoice.period_start, invoice.period_end)]] as [string, string][]) : []),
  ];
  let box = 0;
  for (const [label, value] of facts) box += keyValue(doc, boxX, doc.y + box, boxWidth, label, value) + 2;
  if (credited) box += doc.text(t('credits', { number: ltr(credited) }), boxX, doc.y + box, boxWidth, { size: 9, bold: true, align: 'end', color: accent }) + 2;
  box += doc.text(t('amountsIn', { currency: invoice.currency }), boxX, doc.y + box, boxWidth, { ...grey, align: 'end' });
  doc.y += Math.max(left, box) + 16;
}

function drawLines(doc: PdfDocument, lines: readonly InvoiceLineRow[], invoice: Invoice, t: Labels, locale: Locale, fmt: Formatter): void {
  const w = doc.width;
  drawTable(
    doc,
    [
      { header: '#', width: 20, align: 'center' },
      { header: t('description'), width: w - 20 - 42 - 62 - 52 - 62 - 52 - 66 },
      { header: t('quantity'), width: 42, align: 'end' },
      { header: t('unitPrice'), width: 62, align: 'end' },
      { header: t('discount'), width: 52, align: 'end' },
      { header: t('net'), width: 62, align: 'end' },
      { header: t('tax'), width: 52, align: 'end' },
      { header: t('gross'), width: 66, align: 'end' },
    ],
    lineRows(lines, invoice, locale, fmt),
  );
}

/**
 * The invoice (or credit note) as an A4 PDF in the reader's language: seller with logo and tax
 * id, the customer as billed, dates, lines with periods, discounts and taxes, the tax summary,
 * totals with what is paid and still due, payment instructions and the organization's footer.
 * Portal-safe: it reads only the invoice and what belongs to it; callers check who may see it.
 */
export async function renderInvoicePdf(db: Kysely<DB>, files: FileStore, invoiceId: string, locale?: string | null): Promise<Buffer> {
  const invoice = await repo.invoiceById(db, invoiceId);
  if (!invoice) throw new NotFoundError('Invoice');
  const [issuer, settings, lines] = await Promise.all([repo.issuerOf(db, invoice.organization_id), billingSettingsOf(db, invoice.organization_id), linesOf(db, [invoice.id])]);
  const lang = documentLocale(locale, issuer.locale);
  const t = labelsFor(lang);
  const fmt = new Formatter(lang, issuer.timezone);
  const credit = invoice.kind === 'credit_note';
  const title = t(credit ? 'creditNote' : 'invoice');
  const doc = newDocument(lang, `${title} ${invoice.number ?? ''}`.trim(), issuer.name, invoice.issued_at ?? invoice.created_at);

  await drawHeading(doc, files, issuer, settings, t, title, [
    ...(invoice.number ? ([[ltr(invoice.number), { size: 11, bold: true }]] as const) : []),
    ...(!credit || invoice.status === 'void' ? ([[t(`status.${invoice.status}` as LabelKey), grey]] as const) : []),
  ]);

  await drawParties(doc, db, invoice, t, fmt);
  drawLines(doc, lines, invoice, t, lang, fmt);
  drawSummary(doc, invoice, t, fmt);

  if (invoice.memo) section(doc, t('memo'), invoice.memo, { size: 9 });
  if (!credit) section(doc, t('paymentInstructions'), settings.paymentInstructions, { size: 9 });
  section(doc, '', settings.invoiceFooter, { ...grey, size: 8, align: 'center' });

  const mark = watermarkOf(invoice);
  if (mark) doc.watermark(t(mark), invoice.status === 'paid' ? '#15803d' : '#b91c1c');
  doc.footer((page, pages) => `${title} ${ltr(invoice.number ?? '')} · ${t('page', { page: fmt.decimal(String(page)), pages: fmt.decimal(String(pages)) })}`);
  return doc.finish();
}
