import type { Align, PdfDocument } from './document.ts';

export interface Column {
  header: string;
  width: number;
  align?: Align;
}

/** A cell: its text, and optionally a smaller grey note under it (a billing period, a rate). */
export type Cell = string | { text: string; note?: string };

const PAD = 4;
const SIZE = 8.5;
const NOTE = 7;

function cellParts(cell: Cell): { text: string; note: string } {
  return typeof cell === 'string' ? { text: cell, note: '' } : { text: cell.text, note: cell.note ?? '' };
}

function cellHeight(doc: PdfDocument, cell: Cell, width: number, bold: boolean): number {
  const { text, note } = cellParts(cell);
  return doc.textHeight(text, width, { size: SIZE, bold }) + (note ? doc.textHeight(note, width, { size: NOTE }) : 0);
}

function drawRow(doc: PdfDocument, columns: readonly Column[], cells: readonly Cell[], opts: { bold?: boolean; fill?: string; color?: string }): void {
  const height = Math.max(...columns.map((c, i) => cellHeight(doc, cells[i] ?? '', c.width - 2 * PAD, opts.bold ?? false))) + 2 * PAD;
  const total = columns.reduce((s, c) => s + c.width, 0);
  if (opts.fill) doc.box(0, doc.y, total, height, { fill: opts.fill });
  let x = 0;
  columns.forEach((c, i) => {
    const { text, note } = cellParts(cells[i] ?? '');
    const style = { size: SIZE, bold: opts.bold ?? false, align: c.align ?? 'start', color: opts.color };
    const used = doc.text(text, x + PAD, doc.y + PAD, c.width - 2 * PAD, style);
    if (note) doc.text(note, x + PAD, doc.y + PAD + used, c.width - 2 * PAD, { size: NOTE, color: '#6b7280', align: style.align });
    x += c.width;
  });
  doc.y += height;
}

/**
 * A table that flows over pages: the header row is repeated at the top of each new page, and a
 * row never splits across two pages.
 */
export function drawTable(doc: PdfDocument, columns: readonly Column[], rows: readonly (readonly Cell[])[]): void {
  const header = (): void => drawRow(doc, columns, columns.map((c) => c.header), { bold: true, fill: '#1f3a5f', color: '#ffffff' });
  const total = columns.reduce((s, c) => s + c.width, 0);
  doc.ensure(60);
  header();
  for (const row of rows) {
    const height = Math.max(...columns.map((c, i) => cellHeight(doc, row[i] ?? '', c.width - 2 * PAD, false))) + 2 * PAD;
    if (doc.ensure(height)) header();
    drawRow(doc, columns, row, {});
    doc.rule(doc.y, '#dde1e6', 0, total);
  }
}
