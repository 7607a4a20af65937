/**
 * How a statement file reads: the column mapping of a statement source (which column holds the
 * date, the amount or the paid-in and withdrawn columns, the transaction id, the reference, the
 * payer), the presets for an M-PESA paybill statement and a generic bank CSV, and the pure
 * functions that turn a row of cells into a statement line or a reason it is bad. No I/O: the
 * import service reads the file and writes the lines.
 */
import { createHash } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { parseMoney } from '../../core/money.ts';
import type { StatementLineKind, StatementPreset } from '../../platform/db/schema/reconciliation.ts';

const column = z.string().trim().min(1).max(100);
const pattern = z
  .string()
  .max(200)
  .refine((p) => {
    try {
      new RegExp(p, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression');

export const statementMappingSchema = z
  .object({
    delimiter: z.enum([',', ';', '\t']).optional().describe('CSV separator; absent: the one the header row uses'),
    headerRow: z.number().int().min(1).max(100).optional().describe('Line of the header row; absent: the first row naming the date column'),
    dateColumn: column,
    dateFormat: z.string().trim().min(2).max(40).describe('Tokens YYYY, YY, MM, MMM, M, DD, D, HH, H, mm, ss; e.g. "DD/MM/YYYY" or "YYYY-MM-DD HH:mm:ss"'),
    amountColumn: column.optional().describe('One signed amount column (money in positive)'),
    creditColumn: column.optional().describe('Money in (Paid In, Credit)'),
    debitColumn: column.optional().describe('Money out (Withdrawn, Debit)'),
    decimalSeparator: z.enum(['.', ',']).default('.'),
    transactionIdColumn: column.optional(),
    referenceColumn: column.optional().describe("The payer's account reference (A/C No., BillRef), or a bank reference"),
    referencePattern: pattern.optional().describe('Takes the reference out of the reference column (or the description) with its first group, e.g. "Acc\\\\.\\\\s*(\\\\S+)"'),
    descriptionColumn: column.optional(),
    payerColumn: column.optional().describe('Payer name and phone, e.g. "254712345678 - JOHN DOE"'),
    statusColumn: column.optional(),
    completedValues: z.array(z.string().trim().min(1).max(40)).max(10).default([]).describe('Rows whose status is another value are skipped'),
    feePattern: pattern.optional().describe('A money-out line whose description matches is a fee'),
    settlementPattern: pattern.optional().describe('A money-out line whose description matches is the gateway paying the ISP (settlement to bank)'),
  })
  .refine((m) => Boolean(m.amountColumn) !== Boolean(m.creditColumn || m.debitColumn), {
    message: 'give either an amount column or credit/debit columns',
    path: ['amountColumn'],
  })
  .meta({ id: 'StatementMapping' });

export type StatementMapping = z.infer<typeof statementMappingSchema>;

export interface Preset {
  readonly preset: Exclude<StatementPreset, 'custom'>;
  readonly name: string;
  readonly gateway: string | null;
  readonly channels: readonly string[];
  readonly mapping: StatementMapping;
}

/** The M-PESA organization portal's statement export (paybill or till) and a plain bank CSV. */
export const presets: readonly Preset[] = [
  {
    preset: 'mpesa_paybill',
    name: 'M-PESA paybill statement',
    gateway: 'mpesa',
    channels: ['mpesa'],
    mapping: {
      dateColumn: 'Completion Time',
      dateFormat: 'YYYY-MM-DD HH:mm:ss',
      creditColumn: 'Paid In',
      debitColumn: 'Withdrawn',
      decimalSeparator: '.',
      transactionIdColumn: 'Receipt No.',
      referenceColumn: 'A/C No.',
      descriptionColumn: 'Details',
      payerColumn: 'Other Party Info',
      statusColumn: 'Transaction Status',
      completedValues: ['Completed'],
      feePattern: 'charge',
      settlementPattern: 'settlement|to bank|withdraw funds',
    },
  },
  {
    preset: 'generic_bank',
    name: 'Bank statement (CSV)',
    gateway: null,
    channels: ['bank_transfer', 'cheque'],
    mapping: {
      dateColumn: 'Transaction Date',
      dateFormat: 'DD/MM/YYYY',
      creditColumn: 'Credit',
      debitColumn: 'Debit',
      decimalSeparator: '.',
      referenceColumn: 'Reference',
      descriptionColumn: 'Description',
      completedValues: [],
      feePattern: 'charge|fee|commission',
    },
  },
];

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const tokenPatterns: Record<string, string> = {
  YYYY: '(\\d{4})',
  YY: '(\\d{2})',
  MMM: '([A-Za-z]{3})[A-Za-z]*',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  DD: '(\\d{2})',
  D: '(\\d{1,2})',
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
};
const tokenRe = /YYYY|YY|MMM|MM|M|DD|D|HH|H|mm|ss/g;

/** A date format turned into a regular expression and the token of each group. */
function compileFormat(format: string): { re: RegExp; tokens: string[] } {
  const tokens: string[] = [];
  let source = '';
  let last = 0;
  for (const m of format.matchAll(tokenRe)) {
    source += format.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+');
    source += tokenPatterns[m[0]];
    tokens.push(m[0]);
    last = m.index + m[0].length;
  }
  source += format.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A date-only column may still carry a time (and a date-time column may omit the seconds).
  return { re: new RegExp(`^${source}(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2}))?)?$`), tokens };
}

/** Text in the format (or a spreadsheet's ISO wall time) as an instant in the organization's time zone. */
export function parseStatementDate(text: string, format: string, timeZone: string): Date | null {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  const { re, tokens } = compileFormat(format);
  const m = re.exec(t);
  const parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  if (m) {
    tokens.forEach((tok, i) => {
      const v = m[i + 1]!;
      if (tok === 'YYYY') parts.year = +v;
      else if (tok === 'YY') parts.year = 2000 + +v;
      else if (tok === 'MMM') parts.month = months.indexOf(v.toLowerCase()) + 1;
      else if (tok === 'MM' || tok === 'M') parts.month = +v;
      else if (tok === 'DD' || tok === 'D') parts.day = +v;
      else if (tok === 'HH' || tok === 'H') parts.hour = +v;
      else if (tok === 'mm') parts.minute = +v;
      else if (tok === 'ss') parts.second = +v;
    });
    const [h, mi, s] = m.slice(tokens.length + 1);
    if (h !== undefined) Object.assign(parts, { hour: +h, minute: +mi!, second: s ? +s : 0 });
  } else if (iso) {
    Object.assign(parts, { year: +iso[1]!, month: +iso[2]!, day: +iso[3]!, hour: +(iso[4] ?? 0), minute: +(iso[5] ?? 0), second: +(iso[6] ?? 0) });
  } else return null;
  try {
    const local = Temporal.PlainDateTime.from(parts, { overflow: 'reject' });
    return new Date(local.toZonedDateTime(timeZone).epochMilliseconds);
  } catch {
    return null;
  }
}

/**
 * A statement amount exactly, in minor units: "1,500.00", "1 500,00", "(250.00)", "-250", "KES 1,500".
 * Empty answers null; anything else that is not a number throws with the reason.
 */
export function parseStatementAmount(text: string, decimalSeparator: '.' | ',', currency: string): bigint | null {
  let t = text.trim().replace(/^[A-Z]{3}\s*/i, '').replace(/\s*[A-Z]{3}$/i, '');
  if (t === '' || t === '-') return null;
  let negative = false;
  if (/^\(.*\)$/.test(t)) [negative, t] = [true, t.slice(1, -1)];
  if (t.startsWith('-')) [negative, t] = [!negative, t.slice(1)];
  else if (t.startsWith('+')) t = t.slice(1);
  const thousands = decimalSeparator === '.' ? /[,\s\u00a0'’]/g : /[.\s\u00a0'’]/g;
  t = t.replace(thousands, '');
  if (decimalSeparator === ',') t = t.replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) throw new RangeError(`"${text.trim()}" is not an amount`);
  const minor = parseMoney(t, currency).minor;
  return negative ? -minor : minor;
}

/** A line as read from the statement, before it is stored. */
export interface ParsedLine {
  readonly lineNo: number;
  readonly dedupeKey: string;
  readonly kind: StatementLineKind;
  readonly postedAt: Date;
  readonly amount: bigint;
  readonly transactionId: string | null;
  readonly reference: string | null;
  readonly description: string | null;
  readonly payerName: string | null;
  readonly payerPhone: string | null;
  readonly raw: Record<string, string>;
}

export interface RowProblem {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export interface ParsedStatement {
  readonly headerLine: number;
  readonly headers: readonly string[];
  readonly lines: readonly ParsedLine[];
  readonly skipped: number;
  readonly errors: readonly RowProblem[];
}

export interface SheetRow {
  readonly line: number;
  readonly cells: readonly string[];
}

const norm = (s: string) => s.trim().toLowerCase();
const clip = (s: string | undefined, max: number) => {
  const v = s?.trim();
  return v ? v.slice(0, max) : null;
};

/** Splits "254712345678 - JOHN DOE" (either order, masked digits allowed) into phone and name. */
export function splitPayer(text: string): { name: string | null; phone: string | null } {
  const phone = /\+?\d[\d*]{6,}\d/.exec(text)?.[0] ?? null;
  const name = (phone ? text.replace(phone, '') : text).replace(/^[\s\-–,:]+|[\s\-–,:]+$/g, '').trim();
  return { name: name ? name.slice(0, 200) : null, phone: phone ? phone.slice(0, 40) : null };
}

function mappedColumns(m: StatementMapping): { field: string; header: string }[] {
  const pairs: [string, string | undefined][] = [
    ['date', m.dateColumn],
    ['amount', m.amountColumn],
    ['credit', m.creditColumn],
    ['debit', m.debitColumn],
    ['transactionId', m.transactionIdColumn],
    ['reference', m.referenceColumn],
    ['description', m.descriptionColumn],
    ['payer', m.payerColumn],
    ['status', m.statusColumn],
  ];
  return pairs.flatMap(([field, header]) => (header ? [{ field, header }] : []));
}

/** The header row: the one the mapping names, or the first that holds the date column's name. */
function findHeader(rows: readonly SheetRow[], m: StatementMapping): SheetRow | undefined {
  if (m.headerRow) return rows.find((r) => r.line === m.headerRow);
  return rows.find((r) => r.cells.some((c) => norm(c) === norm(m.dateColumn)));
}

/**
 * Rows of a statement (header and preamble included) read through a mapping: its lines, the rows
 * skipped (not completed, zero), and every bad row by line and field. Money is exact; a line's
 * dedupe key is its transaction id and kind, or a hash of what it says and its occurrence.
 */
export function parseStatement(rows: readonly SheetRow[], m: StatementMapping, ctx: { currency: string; timeZone: string }): ParsedStatement {
  const header = findHeader(rows, m);
  if (!header) {
    const where = m.headerRow ? `on line ${m.headerRow}` : `naming the date column "${m.dateColumn}"`;
    return { headerLine: 0, headers: [], lines: [], skipped: 0, errors: [{ line: m.headerRow ?? 1, field: 'header', message: `no header row ${where}` }] };
  }
  const headers = header.cells.map((c) => c.trim());
  const errors: RowProblem[] = [];
  const index = new Map<string, number>();
  for (const { field, header: name } of mappedColumns(m)) {
    const i = headers.findIndex((h) => norm(h) === norm(name));
    if (i < 0) errors.push({ line: header.line, field, message: `column "${name}" is not in the header row` });
    else index.set(field, i);
  }
  if (errors.length > 0) return { headerLine: header.line, headers, lines: [], skipped: 0, errors };

  const cell = (row: SheetRow, field: string) => {
    const i = index.get(field);
    return i === undefined ? '' : (row.cells[i] ?? '').trim();
  };
  const referenceRe = m.referencePattern ? new RegExp(m.referencePattern, 'i') : null;
  const feeRe = m.feePattern ? new RegExp(m.feePattern, 'i') : null;
  const settlementRe = m.settlementPattern ? new RegExp(m.settlementPattern, 'i') : null;
  const completed = new Set(m.completedValues.map(norm));
  const lines: ParsedLine[] = [];
  const seenKeys = new Map<string, number>();
  const occurrences = new Map<string, number>();
  let skipped = 0;

  for (const row of rows) {
    if (row.line <= header.line || row.cells.every((c) => c.trim() === '')) continue;
    const problem = (field: string, message: string) => errors.push({ line: row.line, field, message });
    const before = errors.length;
    if (m.statusColumn && completed.size > 0 && !completed.has(norm(cell(row, 'status')))) {
      skipped++;
      continue;
    }
    const amountOf = (field: string): bigint | null => {
      try {
        return parseStatementAmount(cell(row, field), m.decimalSeparator, ctx.currency);
      } catch (err) {
        problem(field, (err as Error).message);
        return null;
      }
    };
    let signed: bigint | null = null;
    if (m.amountColumn) signed = amountOf('amount');
    else {
      const credit = m.creditColumn ? amountOf('credit') : null;
      const debit = m.debitColumn ? amountOf('debit') : null;
      const abs = (v: bigint | null) => (v === null ? 0n : v < 0n ? -v : v);
      if (credit !== null || debit !== null) signed = abs(credit) - abs(debit);
    }
    const dateText = cell(row, 'date');
    const postedAt = dateText ? parseStatementDate(dateText, m.dateFormat, ctx.timeZone) : null;
    if (!dateText) problem('date', 'is empty');
    else if (!postedAt) problem('date', `"${dateText}" is not a date in the format ${m.dateFormat}`);
    if (signed === null && errors.length === before) problem('amount', 'is empty');
    if (errors.length > before || signed === null || !postedAt) continue;
    if (signed === 0n) {
      skipped++;
      continue;
    }
    const description = clip(cell(row, 'description'), 500);
    const transactionId = clip(cell(row, 'transactionId'), 100);
    let reference = clip(cell(row, 'reference'), 100);
    if (referenceRe) reference = clip(referenceRe.exec(reference ?? description ?? '')?.[1] ?? reference ?? undefined, 100);
    const kind: StatementLineKind = signed > 0n ? 'receipt' : settlementRe?.test(description ?? '') ? 'settlement' : feeRe?.test(description ?? '') ? 'fee' : 'payout';
    const amount = signed < 0n ? -signed : signed;
    const payer = m.payerColumn ? splitPayer(cell(row, 'payer')) : { name: null, phone: null };
    let dedupeKey: string;
    if (transactionId) {
      dedupeKey = `tx:${transactionId}:${kind}`;
      const first = seenKeys.get(dedupeKey);
      if (first !== undefined) {
        problem('transactionId', `${transactionId} is also on line ${first}`);
        continue;
      }
      seenKeys.set(dedupeKey, row.line);
    } else {
      // Two identical lines of one statement are two movements: their occurrence tells them apart.
      const digest = createHash('sha256').update([postedAt.toISOString(), kind, amount, reference ?? '', description ?? ''].join('\u0000')).digest('hex');
      const n = (occurrences.get(digest) ?? 0) + 1;
      occurrences.set(digest, n);
      dedupeKey = `hash:${digest.slice(0, 40)}:${n}`;
    }
    const raw = Object.fromEntries(headers.map((h, i) => [h || `column ${i + 1}`, (row.cells[i] ?? '').trim()]).filter(([, v]) => v !== ''));
    lines.push({ lineNo: row.line, dedupeKey, kind, postedAt, amount, transactionId, reference, description, payerName: payer.name, payerPhone: payer.phone, raw });
  }
  return { headerLine: header.line, headers, lines, skipped, errors };
}
