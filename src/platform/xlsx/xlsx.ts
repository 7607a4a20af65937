import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { zip } from './zip.ts';

/**
 * A minimal XLSX (Office Open XML spreadsheet) writer for exports. Written here rather than taken
 * from a library because amounts must reach the file exactly as the ledger holds them: a number
 * cell's value is the decimal string itself, never a JavaScript number on the way (the libraries
 * take a `number`). Strings are inline (no shared-string table), so a cell starting with "=" is
 * text, never a formula.
 */
export type XlsxCell =
  | string
  | null
  | undefined
  /** An exact decimal such as "-1500.50", shown with `digits` decimals and thousands separators. */
  | { readonly number: string; readonly digits: number }
  /** A calendar date 'YYYY-MM-DD', stored as an Excel date. */
  | { readonly date: string };

export interface XlsxSheet {
  readonly name: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly XlsxCell[])[];
  /** Column widths in characters. */
  readonly widths?: readonly number[];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const decimal = /^-?\d+(\.\d+)?$/;
const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_STYLE = 2;
// Number formats are 164 and up (custom), one per count of decimals used; styles 3 and up point at them.
const numberStyle = (digits: number) => 3 + digits;
const MAX_DIGITS = 6;

function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Days since 1899-12-30, Excel's day zero: an integer, computed from whole days only. */
function excelSerial(date: string): number {
  const m = isoDate.exec(date);
  if (!m) throw new RangeError(`Not a date: "${date}"`);
  const days = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) / 86_400_000;
  return days + 25_569;
}

function cellXml(ref: string, cell: XlsxCell, style = 0): string {
  if (cell === null || cell === undefined || cell === '') return '';
  const s = style ? ` s="${style}"` : '';
  if (typeof cell === 'string') return `<c r="${ref}" t="inlineStr"${s}><is><t xml:space="preserve">${escapeXml(cell)}</t></is></c>`;
  if ('date' in cell) return `<c r="${ref}" s="${DATE_STYLE}"><v>${excelSerial(cell.date)}</v></c>`;
  if (!decimal.test(cell.number)) throw new RangeError(`Not an exact decimal: "${cell.number}"`);
  if (!Number.isInteger(cell.digits) || cell.digits < 0 || cell.digits > MAX_DIGITS) throw new RangeError(`Unsupported decimals: ${cell.digits}`);
  return `<c r="${ref}" s="${numberStyle(cell.digits)}"><v>${cell.number}</v></c>`;
}

function sheetXml(sheet: XlsxSheet): string {
  const rows = [sheet.header, ...sheet.rows].map((row, r) => {
    const cells = row.map((cell, c) => cellXml(`${columnName(c)}${r + 1}`, cell, r === 0 ? 1 : 0)).join('');
    return `<row r="${r + 1}">${cells}</row>`;
  });
  const widths = sheet.widths ?? sheet.header.map((h) => Math.max(10, h.length + 2));
  const cols = widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    `<cols>${cols}</cols><sheetData>${rows.join('')}</sheetData></worksheet>`
  );
}

function stylesXml(): string {
  const formats = Array.from({ length: MAX_DIGITS + 1 }, (_, d) => `<numFmt numFmtId="${164 + d}" formatCode="#,##0${d ? `.${'0'.repeat(d)}` : ''}"/>`);
  const numberXfs = Array.from({ length: MAX_DIGITS + 1 }, (_, d) => `<xf numFmtId="${164 + d}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`);
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    `<numFmts count="${formats.length + 1}">${formats.join('')}<numFmt numFmtId="${165 + MAX_DIGITS}" formatCode="yyyy-mm-dd"/></numFmts>` +
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    `<cellXfs count="${3 + numberXfs.length}">` +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
    `<xf numFmtId="${165 + MAX_DIGITS}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
    `${numberXfs.join('')}</cellXfs>` +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
  );
}

const xml = (text: string) => Buffer.from(text, 'utf8');

/** The workbook as the bytes of an .xlsx file. */
export function writeXlsx(sheets: readonly XlsxSheet[]): Buffer {
  const names = sheets.map((s, i) => escapeXml(s.name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || `Sheet${i + 1}`));
  const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  return zip([
    {
      name: '[Content_Types].xml',
      data: xml(
        `${head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
          sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
          '</Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: xml(`${head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    },
    {
      name: 'xl/workbook.xml',
      data: xml(
        `${head}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${rel}"><sheets>` +
          names.map((n, i) => `<sheet name="${n}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
          '</sheets></workbook>',
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        `${head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${rel}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
          `<Relationship Id="rId${sheets.length + 1}" Type="${rel}/styles" Target="styles.xml"/></Relationships>`,
      ),
    },
    { name: 'xl/styles.xml', data: xml(stylesXml()) },
    ...sheets.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: xml(sheetXml(s)) })),
  ]);
}

export function sendXlsx(reply: FastifyReply, filename: string, data: Buffer): FastifyReply {
  return reply
    .type(XLSX_TYPE)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(data as unknown as string); // raw bytes; the schema documents them as a binary string
}

/** An XLSX download, for the OpenAPI document. */
export const xlsxResponse = { description: 'XLSX workbook', content: { [XLSX_TYPE]: { schema: z.string().meta({ format: 'binary' }) } } };
