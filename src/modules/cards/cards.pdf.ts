/**
 * Printable sheets of a card batch: A4 pages of 3 × 8 cards, each with the provider's name, the
 * value or plan, the PIN, the serial, the expiry date and a QR code that opens the portal's
 * redeem page with the PIN filled in. Cards no longer to be sold or redeemed are left out.
 */
import { encode } from 'uqr';
import { formatMoney } from '../../core/money.ts';
import { PdfDocument } from '../../platform/pdf/document.ts';
import { faceName } from '../../platform/pdf/fonts.ts';
import type { BatchRow } from './cards.repo.ts';
import type { PrintableCard } from './cards.service.ts';

const columns = 3;
const rows = 8;
const gap = 6;

/** Draws a QR code as filled squares, one rectangle per run of dark modules in a row. */
function drawQr(doc: PdfDocument, text: string, x: number, y: number, size: number): void {
  // Any mask is a valid code; choosing the best of eight by penalty costs 13 times the encoding (3.3 ms a card).
  const qr = encode(text, { border: 0, ecc: 'M', maskPattern: 0 });
  const cell = size / qr.size;
  for (let r = 0; r < qr.size; r++) {
    let c = 0;
    while (c < qr.size) {
      if (!qr.data[r]![c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < qr.size && qr.data[r]![c]) c++;
      doc.pdf.rect(x + start * cell, y + r * cell, (c - start) * cell + 0.05, cell + 0.05);
    }
  }
  doc.pdf.fill('#000000');
}

export function batchSheetPdf(input: { batch: BatchRow; organizationName: string; cards: readonly PrintableCard[]; redeemUrl: string }): Promise<Buffer> {
  const { batch } = input;
  const doc = new PdfDocument({ direction: 'ltr', lang: 'en', title: `Recharge cards ${batch.name} (batch ${batch.number})`, author: input.organizationName, createdAt: batch.created_at });
  const printable = input.cards.filter((c) => c.pin !== '');
  const width = (doc.width - gap * (columns - 1)) / columns;
  const height = (doc.bottom - doc.margin - 20 - gap * (rows - 1)) / rows;
  const worth = batch.plan_name ? `${batch.plan_name} · ${formatMoney({ minor: batch.face_value, currency: batch.currency })} ${batch.currency}` : `${formatMoney({ minor: batch.face_value, currency: batch.currency })} ${batch.currency}`;
  const qrSize = 58;
  const textWidth = width - qrSize - 20;
  // One line of the provider's name: cut with an ellipsis where it would wrap.
  let shortName = input.organizationName;
  doc.pdf.font(faceName('latin', 'bold')).fontSize(8);
  while (shortName.length > 1 && doc.pdf.widthOfString(shortName) > textWidth) shortName = `${shortName.slice(0, -2)}…`;
  // The widest PIN of the alphabet sets one size for every card, so each fits beside its QR code.
  const pinFace = faceName('latin', 'bold');
  const pinSize = Math.min(11, (11 * textWidth) / doc.pdf.font(pinFace).fontSize(11).widthOfString('WWWW-WWWW-WWWW'));
  printable.forEach((card, i) => {
    const slot = i % (columns * rows);
    if (i > 0 && slot === 0) doc.pdf.addPage();
    const x = (slot % columns) * (width + gap);
    const y = doc.margin + Math.floor(slot / columns) * (height + gap);
    doc.box(x, y, width, height, { stroke: '#9ca3af' });
    doc.text(shortName, x + 6, y + 5, textWidth, { size: 8, bold: true, dir: 'auto' });
    doc.text(worth, x + 6, y + 18, textWidth, { size: 7.5, dir: 'auto' });
    // PIN, serial and date are ASCII: drawn straight, without the bidi and shaping layout names need.
    const left = doc.margin + x + 6;
    doc.pdf.fillColor('#1a1a1a').font(pinFace).fontSize(pinSize).text(card.pin, left, y + 42, { lineBreak: false });
    doc.pdf.fillColor('#4b5563').font(faceName('latin', 'regular')).fontSize(6.5).text(`Serial ${card.serial}`, left, y + 62, { lineBreak: false });
    doc.pdf.text(`Valid until ${card.expiresAt.toISOString().slice(0, 10)}`, left, y + 71, { lineBreak: false });
    drawQr(doc, `${input.redeemUrl}?pin=${card.pin.replace(/-/g, '')}`, doc.margin + x + width - qrSize - 8, y + (height - qrSize) / 2, qrSize);
  });
  if (printable.length === 0) doc.text('No card of this batch is left to sell or redeem.', 0, doc.margin, doc.width, { size: 11 });
  doc.footer((page, pages) => `${input.organizationName} · batch ${batch.number} · page ${page} of ${pages}`);
  return doc.finish();
}
