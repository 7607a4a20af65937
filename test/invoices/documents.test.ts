import { describe, expect, it } from 'vitest';
import * as fontkit from 'fontkit';
import { renderInvoicePdf } from '../../src/modules/invoices/documents/invoice-pdf.ts';
import { fileStoreFor } from '../../src/platform/files/store.ts';
import { fontBytes } from '../../src/platform/pdf/fonts.ts';
import { createTestContext, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { actualTexts, embeddedFonts, glyphRuns, pdfInfo, pdfText, pngLogo, textItems } from './documents-pdf.ts';
import { createSubscriber, createVat, getInvoice, issueStandardInvoice, prepareOrganization, topUp, type InvoiceDetail } from './fixtures-documents.ts';

const A4_WIDTH = 595.28;
const arabicLetter = /\p{Script=Arabic}/u;

async function pdfOf(api: Api, url: string): Promise<Buffer> {
  const res = await api.get(url);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  return res.rawPayload;
}

describe(`invoice and receipt PDFs (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const settings = {
    taxId: 'P051234567X',
    address: 'Moi Avenue 12, Nairobi',
    contactPhone: '+254 700 000 111',
    contactEmail: 'billing@nairobifibre.example',
    paymentInstructions: 'M-PESA Paybill 888880, account: your account number.',
    invoiceFooter: 'Nairobi Fibre Ltd, registered in Kenya',
  };
  await prepareOrganization(admin, tree.isp, { locale: 'en', ...settings });
  await prepareOrganization(admin, tree.resellerA, { locale: 'bn', ...settings, taxId: '123456789012' });
  await prepareOrganization(admin, tree.subA, { locale: 'ar', ...settings, taxId: '300012345600003' });
  const vat = await createVat(admin);

  const wanjiku = await createSubscriber(admin, tree.isp.id, 'Wanjiku Kamau');
  const issued = await issueStandardInvoice(admin, wanjiku.id, vat);
  await topUp(admin, wanjiku.id, '2000');
  const invoice: InvoiceDetail = await getInvoice(admin, issued.id);

  it('the fixture invoice is what the tests below read: INV-000001, 5,213.16 with 2,000.00 paid from the wallet', () => {
    expect(invoice).toMatchObject({ number: 'INV-000001', status: 'partially_paid', total: '5213.16', balanceDue: '3213.16' });
    expect(invoice.lines.map((l) => [l.net, l.tax, l.gross])).toEqual([
      ['2500.00', '400.00', '2900.00'],
      ['701.00', '112.16', '813.16'],
      ['1500.00', '0.00', '1500.00'],
    ]);
    expect(invoice.allocations).toEqual([expect.objectContaining({ source: 'wallet', amount: '2000.00' })]);
  });

  it('an English invoice PDF names the seller with its tax id, the customer, every line, the tax summary, the totals and how to pay', async () => {
    const res = await admin.get(`/api/invoices/${invoice.id}/pdf`);
    expect(res.headers['content-disposition']).toBe('inline; filename="INV-000001.pdf"');
    const pdf = await pdfOf(admin, `/api/invoices/${invoice.id}/pdf`);
    expect(await pdfInfo(pdf)).toEqual({ title: 'Invoice INV-000001', pages: 1 });
    const text = await pdfText(pdf);
    for (const expected of [
      'Nairobi Fibre',
      'Tax ID: P051234567X',
      'Moi Avenue 12, Nairobi',
      'Invoice',
      'INV-000001',
      'Partly paid',
      'Wanjiku Kamau',
      `Account number: ${wanjiku.accountNumber}`,
      'Phone: +254712345678',
      'Home 10 Mbps',
      'Router rental',
      '350.50',
      '2,900.00',
      '813.16',
      '16%',
      '512.16',
      'Subtotal KES 4,701.00',
      'Total KES 5,213.16',
      'Paid KES 2,000.00',
      'Balance due KES 3,213.16',
      'How to pay',
      settings.paymentInstructions,
      settings.invoiceFooter,
      'Page 1 of 1',
    ])
      expect(text).toContain(expected);
    expect(embeddedFonts(pdf)).toEqual(['NotoSans-Bold', 'NotoSans-Regular']);
    expect(text).not.toContain('PAID');
  });

  it('English text runs left to right: the seller and the customer at the left, the number and dates at the right', async () => {
    const items = await textItems(await pdfOf(admin, `/api/invoices/${invoice.id}/pdf`));
    expect(items.find((i) => i.str === 'Nairobi Fibre')!.x).toBeLessThan(A4_WIDTH / 2);
    expect(items.find((i) => i.str === 'Kenyatta Avenue 4, Nairobi, KE')!.x).toBeLessThan(A4_WIDTH / 2);
    expect(items.filter((i) => i.str === 'INV-000001').map((i) => i.x > A4_WIDTH / 2)).toEqual([true, true]);
  });

  it('a Bangla invoice embeds Noto Sans Bengali and draws shaped text: a conjunct glyph, vowel signs before their consonant', async () => {
    const rahim = await createSubscriber(admin, tree.resellerA.id, 'রহিম উদ্দিন');
    const bn = await issueStandardInvoice(admin, rahim.id, vat);
    const pdf = await pdfOf(admin, `/api/invoices/${bn.id}/pdf`);
    expect(embeddedFonts(pdf)).toEqual(expect.arrayContaining(['NotoSansBengali-Bold', 'NotoSansBengali-Regular', 'NotoSans-Regular']));
    // Copy and search get the words back in reading order.
    expect(actualTexts(pdf)).toEqual(expect.arrayContaining(['ইনভয়েস', 'করের সারসংক্ষেপ', 'সর্বমোট', 'কর নম্বর (TIN): 123456789012', 'রহিম উদ্দিন', 'ফোন: +254712345678']));
    const bengali = (await glyphRuns(pdf)).filter((r) => r.font.startsWith('NotoSansBengali'));
    const glyphs = bengali.flatMap((r) => r.glyphs);
    // ক্ষ (three code points) is one glyph only when the Bengali shaper ran; unshaped it is three.
    expect(glyphs.some((g) => g.unicode === 'ক্ষ')).toBe(true);
    // মোট: the two-part vowel sign ো is drawn as ে before ম and া after it.
    const sequences = bengali.map((r) => r.glyphs.map((g) => g.unicode).join(''));
    expect(sequences).toContain('েমাট');
    expect(sequences.some((s) => s.includes('মোট'))).toBe(false);
  });

  it('an Arabic invoice is laid out right to left with Noto Sans Arabic in joined forms, and left-to-right values kept whole', async () => {
    const ahmed = await createSubscriber(admin, tree.subA.id, 'أحمد علي');
    const ar = await issueStandardInvoice(admin, ahmed.id, vat);
    const pdf = await pdfOf(admin, `/api/invoices/${ar.id}/pdf`);
    expect(embeddedFonts(pdf)).toEqual(expect.arrayContaining(['NotoSansArabic-Bold', 'NotoSansArabic-Regular']));
    expect(actualTexts(pdf)).toEqual(expect.arrayContaining(['فاتورة', 'الرصيد المستحق', 'ملخص الضرائب', 'أحمد علي', 'الهاتف: +254712345678']));
    const runs = await glyphRuns(pdf);
    // The title is drawn as fontkit shapes it, in visual order (its last letter leftmost): the advance
    // widths of the glyphs drawn match the shaped run, which neither the unshaped letters nor the
    // shaped run in logical order do.
    const bold = fontkit.create(fontBytes('arabic', 'bold')) as fontkit.Font;
    const shaped = bold.layout('فاتورة');
    const widths = (glyphs: readonly fontkit.Glyph[]) => glyphs.map((g) => Math.round(g.advanceWidth * (1000 / bold.unitsPerEm)));
    const visual = widths(shaped.glyphs);
    expect(shaped.glyphs.map((g) => g.id)).not.toEqual(bold.glyphsForString('فاتورة').map((g) => g.id).reverse());
    expect(visual).not.toEqual([...visual].reverse());
    const drawn = runs.filter((r) => r.font === 'NotoSansArabic-Bold').map((r) => r.glyphs.map((g) => Math.round(g.width)));
    expect(drawn).toContainEqual(visual);
    expect(drawn).not.toContainEqual([...visual].reverse());
    // Joining forms: some letter is drawn with two different glyphs (e.g. a final and an isolated ة).
    const formsOf = new Map<string, Set<number>>();
    for (const g of runs.filter((r) => r.font.startsWith('NotoSansArabic-Regular')).flatMap((r) => r.glyphs))
      if (arabicLetter.test(g.unicode)) formsOf.set(g.unicode, (formsOf.get(g.unicode) ?? new Set()).add(g.id));
    expect([...formsOf.values()].some((ids) => ids.size > 1)).toBe(true);
    // Mirrored: the seller and the customer at the right (the start), the number and dates at the left.
    const items = await textItems(pdf);
    expect(items.find((i) => i.str === tree.subA.name)!.x).toBeGreaterThan(A4_WIDTH / 2);
    expect(items.find((i) => i.str === 'Kenyatta Avenue 4, Nairobi, KE')!.x).toBeGreaterThan(A4_WIDTH / 2);
    expect(items.filter((i) => i.str === 'INV-000001').map((i) => i.x < A4_WIDTH / 2)).toEqual([true, true]);
    // Without an isolate the bidi algorithm would show "254712345678+".
    const text = await pdfText(pdf);
    expect(text).toContain('+254712345678');
    expect(text).toContain('+254 700 000 111');
    expect(text).toContain('KES 5,213.16');
  });

  it('?locale= prints the document in another language', async () => {
    const text = await pdfText(await pdfOf(admin, `/api/invoices/${invoice.id}/pdf?locale=fr`));
    expect(text).toContain('Facture');
    expect(text).toContain('Reste à payer');
    expect(text).toContain('3 213,16 KES');
    expect((await admin.get(`/api/invoices/${invoice.id}/pdf?locale=de`)).statusCode).toBe(400);
  });

  it('a receipt shows what the wallet paid, on which invoice, and what is still owed', async () => {
    const allocation = invoice.allocations[0]!;
    const res = await admin.get(`/api/invoices/${invoice.id}/receipts/${allocation.id}/pdf`);
    expect(res.headers['content-disposition']).toBe('inline; filename="INV-000001-R1.pdf"');
    const text = await pdfText(await pdfOf(admin, `/api/invoices/${invoice.id}/receipts/${allocation.id}/pdf`));
    for (const expected of ['Receipt', 'INV-000001-R1', 'Received from', 'Wanjiku Kamau', 'Paid by', 'Wallet balance', 'Amount received', 'KES 2,000.00', 'INV-000001', 'KES 3,213.16', 'Thank you for your payment.'])
      expect(text).toContain(expected);
  });

  it('a credit note is titled so, names the invoice it credits and asks for nothing', async () => {
    const res = await admin.post(`/api/invoices/${invoice.id}/credit-notes`, { reason: 'Installation waived', lineNos: [3] });
    expect(res.statusCode, res.body).toBe(201);
    const note = JSON.parse(res.body) as { id: string; number: string };
    expect((await admin.get(`/api/invoices/${note.id}/pdf`)).headers['content-disposition']).toBe(`inline; filename="${note.number}.pdf"`);
    const pdf = await pdfOf(admin, `/api/invoices/${note.id}/pdf`);
    expect((await pdfInfo(pdf)).title).toBe(`Credit note ${note.number}`);
    const text = await pdfText(pdf);
    for (const expected of ['Credit note', 'Credit note number', note.number, 'Credits invoice INV-000001', 'Installation', 'Total KES 1,500.00', 'Installation waived']) expect(text).toContain(expected);
    expect(text).not.toContain('Balance due');
    expect(text).not.toContain('How to pay');

    // What the credit note took off the invoice has a receipt of its own.
    const credited = await getInvoice(admin, invoice.id);
    const allocation = credited.allocations.find((a) => a.source === 'credit_note')!;
    expect(allocation.amount).toBe('1500.00');
    const receipt = await pdfText(await pdfOf(admin, `/api/invoices/${invoice.id}/receipts/${allocation.id}/pdf`));
    for (const expected of ['INV-000001-R2', `Paid by Credit note ${note.number}`, 'Amount received KES 1,500.00', 'INV-000001 KES 1,500.00 KES 1,713.16']) expect(receipt).toContain(expected);
  });

  it('a long invoice flows over pages with the table header on each and page numbers', async () => {
    const s = await createSubscriber(admin, tree.isp.id, 'Kamau Hotels Ltd');
    const lines = Array.from({ length: 70 }, (_, i) => ({ description: `Hotspot access point ${i + 1}, room block ${String.fromCharCode(65 + (i % 26))}`, unitPrice: '100' }));
    const res = await admin.post('/api/invoices', { subscriberId: s.id, issue: true, lines });
    expect(res.statusCode, res.body).toBe(201);
    const pdf = await pdfOf(admin, `/api/invoices/${JSON.parse(res.body).id}/pdf`);
    const { pages } = await pdfInfo(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    const text = await pdfText(pdf);
    expect(text.match(/# Description Qty Unit price Discount Net Tax Total/g)).toHaveLength(pages);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    for (const n of [1, 35, 70]) expect(text).toContain(`Hotspot access point ${n}, room block`);
    expect(text).toContain('Total KES 7,000.00');
  });

  it('drafts, paid and void invoices carry a watermark; a draft is named by its id', async () => {
    const s = await createSubscriber(admin, tree.isp.id, 'Otieno Odhiambo');
    const draft = JSON.parse((await admin.post('/api/invoices', { subscriberId: s.id, lines: [{ description: 'Router', unitPrice: '3000' }] })).body) as { id: string };
    expect((await admin.get(`/api/invoices/${draft.id}/pdf`)).headers['content-disposition']).toBe(`inline; filename="invoice-draft-${draft.id.slice(0, 8)}.pdf"`);
    const draftText = await pdfText(await pdfOf(admin, `/api/invoices/${draft.id}/pdf`));
    expect(draftText).toContain('DRAFT');
    expect(draftText).toContain('Otieno Odhiambo');

    const paid = await issueStandardInvoice(admin, s.id, vat);
    await topUp(admin, s.id, '5213.16');
    expect(await pdfText(await pdfOf(admin, `/api/invoices/${paid.id}/pdf`))).toContain('PAID');

    const voided = await issueStandardInvoice(admin, s.id, vat);
    expect((await admin.post(`/api/invoices/${voided.id}/void`, { reason: 'Billed twice' })).statusCode).toBe(200);
    const voidText = await pdfText(await pdfOf(admin, `/api/invoices/${voided.id}/pdf`));
    expect(voidText).toContain('VOID');
    expect(voidText).toContain('Balance due KES 0.00');
  });

  it('a discounted line shows its discount, and the totals say how much discount they include', async () => {
    const s = await createSubscriber(admin, tree.isp.id, 'Promo Customer');
    const res = await admin.post('/api/invoices', { subscriberId: s.id, lines: [{ description: 'Home 10 Mbps, first month half price', unitPrice: '2500' }] });
    const draft = JSON.parse(res.body) as { id: string };
    // As the billing run writes a discounted line: 2,500.00 less 1,250.00 is 1,250.00 net, untaxed.
    await t.ctx.db.updateTable('invoice_lines').set({ discount: 125000n, net: 125000n, gross: 125000n }).where('invoice_id', '=', draft.id).execute();
    await t.ctx.db.updateTable('invoices').set({ discount_total: 125000n, subtotal: 125000n, total: 125000n }).where('id', '=', draft.id).execute();
    const text = await pdfText(await pdfOf(admin, `/api/invoices/${draft.id}/pdf`));
    expect(text).toContain('Home 10 Mbps, first month half price 1 2,500.00 -1,250.00 1,250.00 0.00 1,250.00');
    expect(text).toContain('Discounts included -KES 1,250.00 Subtotal KES 1,250.00 Tax KES 0.00 Total KES 1,250.00');
  });

  it("prints the organization's logo, and still renders when the stored logo is not an image", async () => {
    const files = fileStoreFor(t.ctx.config);
    const key = `logos/${crypto.randomUUID()}`;
    await files.put(key, pngLogo());
    await t.ctx.db.insertInto('billing_settings').values({ organization_id: tree.isp.id, logo_file_key: key }).onConflict((oc) => oc.column('organization_id').doUpdateSet({ logo_file_key: key })).execute();
    const withLogo = await pdfOf(admin, `/api/invoices/${invoice.id}/pdf`);
    expect(withLogo.toString('latin1')).toMatch(/\/Subtype \/Image/);
    expect(withLogo.toString('latin1')).toMatch(/\/Width 40\s*\/Height 20|\/Height 20\s*\/Width 40|\/Width 40[\s\S]{0,200}\/Height 20/);

    const broken = `logos/${crypto.randomUUID()}`;
    await files.put(broken, Buffer.from('not a picture'));
    await t.ctx.db.updateTable('billing_settings').set({ logo_file_key: broken }).where('organization_id', '=', tree.isp.id).execute();
    const without = await pdfOf(admin, `/api/invoices/${invoice.id}/pdf`);
    expect(without.toString('latin1')).not.toMatch(/\/Subtype \/Image/);
    expect(await pdfText(without)).toContain('Total KES 5,213.16');
    await t.ctx.db.updateTable('billing_settings').set({ logo_file_key: null }).where('organization_id', '=', tree.isp.id).execute();
  });

  it('documents made at the same time share the parsed fonts and come out byte for byte as made one by one', async () => {
    const ids = [];
    for (const org of [tree.isp, tree.resellerA, tree.subA]) ids.push((await issueStandardInvoice(admin, (await createSubscriber(admin, org.id, 'Nadia Rahman')).id, vat)).id);
    const files = fileStoreFor(t.ctx.config);
    const alone: Buffer[] = [];
    for (const id of ids) alone.push(await renderInvoicePdf(t.ctx.db, files, id));
    const together = await Promise.all([...ids, ...ids].map((id) => renderInvoicePdf(t.ctx.db, files, id)));
    expect(together.map((pdf, i) => pdf.equals(alone[i % ids.length]!))).toEqual([true, true, true, true, true, true]);
  });

  it("another tenant's invoice or receipt answers 404; a receipt of another invoice answers 404; no invoices.read answers 403", async () => {
    const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'admin'));
    const allocation = invoice.allocations[0]!.id;
    for (const url of [`/api/invoices/${invoice.id}/pdf`, `/api/invoices/${invoice.id}/receipts/${allocation}/pdf`]) {
      const res = await outsider.get(url);
      expect(res.statusCode, res.body).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const other = await issueStandardInvoice(admin, wanjiku.id, vat);
    expect((await admin.get(`/api/invoices/${other.id}/receipts/${allocation}/pdf`)).statusCode).toBe(404);
    expect((await admin.get(`/api/invoices/${invoice.id}/receipts/999999999/pdf`)).statusCode).toBe(404);
    expect((await admin.get(`/api/invoices/${invoice.id}/receipts/abc/pdf`)).statusCode).toBe(400);

    const cards = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'card_distributor'));
    expect((await cards.get(`/api/invoices/${invoice.id}/pdf`)).statusCode).toBe(403);
    expect((await cards.get(`/api/invoices/${invoice.id}/receipts/${allocation}/pdf`)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/invoices/${invoice.id}/pdf` })).statusCode).toBe(401);
  });
});
