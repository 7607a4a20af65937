/**
 * The rows of an uploaded statement: CSV (RFC 4180; comma, semicolon or tab, named by the mapping
 * or the one the file uses most) or the first sheet of an XLSX workbook. Preamble rows are kept:
 * the mapping finds its header row among them.
 */
import { readSheet } from 'read-excel-file/node';
import { BadRequestError } from '../../platform/errors.ts';
import type { SheetRow } from './statement-format.ts';

export function sniffDelimiter(text: string): ',' | ';' | '\t' {
  const head = text.split(/\r?\n/, 30).join('\n');
  const count = (ch: string) => head.split(ch).length - 1;
  const ranked = ([',', ';', '\t'] as const).map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1]);
  return ranked[0]![0];
}

export function parseDelimited(input: string, sep: string): SheetRow[] {
  const s = input.replace(/^\uFEFF/, '');
  const rows: SheetRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === sep) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c.trim() !== '')) rows.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += ch;
  }
  cells.push(cell);
  if (cells.some((c) => c.trim() !== '')) rows.push({ line: start, cells });
  return rows;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A spreadsheet date cell is the wall time it shows: written back as 'YYYY-MM-DD HH:mm:ss'. */
function cellText(c: unknown): string {
  if (c instanceof Date)
    return `${c.getUTCFullYear()}-${pad(c.getUTCMonth() + 1)}-${pad(c.getUTCDate())} ${pad(c.getUTCHours())}:${pad(c.getUTCMinutes())}:${pad(c.getUTCSeconds())}`;
  return c === null || c === undefined ? '' : String(c).trim();
}

export async function readStatementRows(data: Buffer, delimiter?: ',' | ';' | '\t'): Promise<SheetRow[]> {
  const isXlsx = data.subarray(0, 2).toString('latin1') === 'PK';
  if (!isXlsx) {
    const text = data.toString('utf8');
    if (text.includes('\u0000')) throw new BadRequestError('The file is neither CSV text nor an XLSX workbook', [{ field: 'file', message: 'cannot be read' }]);
    return parseDelimited(text, delimiter ?? sniffDelimiter(text));
  }
  try {
    const sheet = await readSheet(data);
    return sheet.map((cells, i) => ({ line: i + 1, cells: cells.map(cellText) })).filter((r) => r.cells.some((c) => c !== ''));
  } catch {
    throw new BadRequestError('The file is not a readable XLSX workbook', [{ field: 'file', message: 'cannot be read' }]);
  }
}
