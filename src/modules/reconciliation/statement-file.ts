/**
 * The rows of an uploaded statement: CSV (RFC 4180; comma, semicolon or tab, named by the mapping
 * or the one the file uses most) or the first sheet of an XLSX workbook. Preamble rows are kept:
 * the mapping finds its header row among them.
 */
import { readSheet } from 'read-excel-file/node';
import { parseCsv } from '../../platform/csv.ts';
import { BadRequestError } from '../../platform/errors.ts';
import type { SheetRow } from './statement-format.ts';

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
    return parseCsv(text, delimiter);
  }
  try {
    const sheet = await readSheet(data);
    return sheet.map((cells, i) => ({ line: i + 1, cells: cells.map(cellText) })).filter((r) => r.cells.some((c) => c !== ''));
  } catch {
    throw new BadRequestError('The file is not a readable XLSX workbook', [{ field: 'file', message: 'cannot be read' }]);
  }
}
