/**
 * A payment's receipt (R-000123): the ISP as on its invoices, who paid, how and when, what the
 * payment paid invoice by invoice, and the wallet balance after. One A4 page a phone can print.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { FileStore } from '../../platform/files/store.ts';
import { drawTable } from '../../platform/pdf/table.ts';
import { isolate, ltr } from '../../platform/pdf/text.ts';
import { billingSettingsOf } from '../billing/settings.ts';
import { issuerOf } from '../invoices/documents/documents.repo.ts';
import { Formatter } from '../invoices/documents/format.ts';
import { documentLocale, drawHeading, keyValue, newDocument, section } from '../invoices/documents/invoice-pdf.ts';
import { fill, labelsFor, type Locale } from '../invoices/documents/labels.ts';
import type { ListedPayment } from './payments.repo.ts';
import { allocationsOf, walletBalanceAfter } from './payments.repo.ts';
import { receiptNumber } from './payments.schemas.ts';

const words = {
  en: { reference: 'Reference', collector: 'Received by', walletAfter: 'Wallet balance after', cheque: 'Cheque {number}', unapplied: 'Held until matched to an account', toWallet: 'Kept in the wallet', cash: 'Cash', bank_transfer: 'Bank transfer', cheque_method: 'Cheque', mobile_transfer: 'Mobile money', gateway: 'Online payment', card: 'Recharge card' },
  fr: { reference: 'Référence', collector: 'Reçu par', walletAfter: 'Solde du portefeuille après', cheque: 'Chèque {number}', unapplied: 'En attente d’affectation à un compte', toWallet: 'Conservé dans le portefeuille', cash: 'Espèces', bank_transfer: 'Virement bancaire', cheque_method: 'Chèque', mobile_transfer: 'Mobile money', gateway: 'Paiement en ligne', card: 'Carte de recharge' },
  sw: { reference: 'Kumbukumbu', collector: 'Imepokelewa na', walletAfter: 'Salio la pochi baadaye', cheque: 'Hundi {number}', unapplied: 'Inasubiri kuunganishwa na akaunti', toWallet: 'Imewekwa kwenye pochi', cash: 'Pesa taslimu', bank_transfer: 'Uhamisho wa benki', cheque_method: 'Hundi', mobile_transfer: 'Pesa za simu', gateway: 'Malipo ya mtandaoni', card: 'Kadi ya kujaza' },
  bn: { reference: 'রেফারেন্স', collector: 'গ্রহণকারী', walletAfter: 'পরবর্তী ওয়ালেট ব্যালেন্স', cheque: 'চেক {number}', unapplied: 'অ্যাকাউন্টে মেলানো পর্যন্ত রাখা', toWallet: 'ওয়ালেটে রাখা হয়েছে', cash: 'নগদ', bank_transfer: 'ব্যাংক ট্রান্সফার', cheque_method: 'চেক', mobile_transfer: 'মোবাইল মানি', gateway: 'অনলাইন পেমেন্ট', card: 'রিচার্জ কার্ড' },
  ar: { reference: 'المرجع', collector: 'استلمه', walletAfter: 'رصيد المحفظة بعد الدفع', cheque: 'شيك {number}', unapplied: 'محجوز حتى ربطه بحساب', toWallet: 'محفوظ في المحفظة', cash: 'نقدًا', bank_transfer: 'تحويل بنكي', cheque_method: 'شيك', mobile_transfer: 'أموال الهاتف المحمول', gateway: 'دفع إلكتروني', card: 'بطاقة شحن' },
} satisfies Record<Locale, Record<string, string>>;

function methodName(w: (typeof words)[Locale], channel: string): string {
  if (channel === 'cash' || channel === 'bank_transfer' || channel === 'mobile_transfer' || channel === 'card') return w[channel];
  if (channel === 'cheque') return w.cheque_method;
  return `${w.gateway} (${channel})`;
}

export async function renderPaymentReceipt(db: Kysely<DB>, files: FileStore, payment: ListedPayment, locale?: string | null): Promise<Buffer> {
  const [issuer, settings, paid] = await Promise.all([issuerOf(db, payment.organization_id), billingSettingsOf(db, payment.organization_id), allocationsOf(db, [payment.id])]);
  const lang = documentLocale(locale, issuer.locale);
  const t = labelsFor(lang);
  const w = words[lang];
  const fmt = new Formatter(lang, issuer.timezone);
  const number = receiptNumber(payment.receipt_no);
  const title = t('receipt');
  const doc = newDocument(lang, `${title} ${number}`, issuer.name, payment.received_at);
  const half = doc.width / 2;
  await drawHeading(doc, files, issuer, settings, t, title, [[ltr(number), { size: 11, bold: true }]]);

  const payer = payment.subscriber_name ?? payment.payer_name ?? '';
  let left = doc.text(t('receivedFrom'), 0, doc.y, half - 20, { size: 8.5, bold: true, color: '#4b5563' });
  left += doc.text(isolate(payer), 0, doc.y + left, half - 20, { size: 11, bold: true });
  if (payment.account_number) left += doc.text(`${t('accountNumber')}: ${ltr(payment.account_number)}`, 0, doc.y + left, half - 20, { size: 8.5, color: '#4b5563' });
  if (payment.payer_phone) left += doc.text(ltr(payment.payer_phone), 0, doc.y + left, half - 20, { size: 8.5, color: '#4b5563' });

  const meta = payment.metadata as Record<string, unknown>;
  const method = payment.channel === 'cheque' && typeof meta.chequeNumber === 'string' ? fill(w.cheque, { number: ltr(meta.chequeNumber) }) : methodName(w, payment.channel);
  const boxX = half + 10;
  const boxWidth = doc.width - boxX;
  let box = keyValue(doc, boxX, doc.y, boxWidth, t('receiptNumber'), ltr(number)) + 2;
  box += keyValue(doc, boxX, doc.y + box, boxWidth, t('receiptDate'), fmt.dateOf(payment.received_at)) + 2;
  box += keyValue(doc, boxX, doc.y + box, boxWidth, t('method'), method) + 2;
  if (payment.reference) box += keyValue(doc, boxX, doc.y + box, boxWidth, w.reference, ltr(payment.reference)) + 2;
  if (payment.collector_name) box += keyValue(doc, boxX, doc.y + box, boxWidth, w.collector, isolate(payment.collector_name)) + 2;
  box += keyValue(doc, boxX, doc.y + box, boxWidth, t('amountReceived'), fmt.money(payment.amount, payment.currency), { bold: true, size: 11, color: '#1f3a5f' });
  doc.y += Math.max(left, box) + 18;

  const applied = paid.reduce((sum, a) => sum + a.amount, 0n);
  const rows = paid.map((a) => [ltr(a.invoice_number ?? ''), fmt.money(a.amount, payment.currency)]);
  if (payment.subscriber_id && payment.amount > applied) rows.push([w.toWallet, fmt.money(payment.amount - applied, payment.currency)]);
  if (!payment.subscriber_id) rows.push([w.unapplied, fmt.money(payment.amount, payment.currency)]);
  drawTable(
    doc,
    [
      { header: t('invoiceColumn'), width: doc.width * 0.6 },
      { header: t('applied'), width: doc.width * 0.4, align: 'end' },
    ],
    rows,
  );
  doc.y += 10;
  if (payment.subscriber_id) {
    doc.y += keyValue(doc, boxX, doc.y, boxWidth, w.walletAfter, fmt.money(await walletBalanceAfter(db, payment), payment.currency), { bold: true });
    doc.y += 12;
  }
  section(doc, '', t('thanks'), { size: 10, bold: true });
  section(doc, '', settings.invoiceFooter, { size: 8, color: '#4b5563', align: 'center' });
  doc.footer((page, pages) => `${title} ${ltr(number)} · ${t('page', { page: fmt.decimal(String(page)), pages: fmt.decimal(String(pages)) })}`);
  return doc.finish();
}
