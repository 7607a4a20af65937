/**
 * Consumption readings from CSV or XLSX. Every row is checked first (the subscription, by id or
 * username, in the caller's subtree; unit, quantity, instant; references) and the report names each
 * bad row by line and field. Any bad row and nothing is imported; otherwise every row is, in one
 * transaction. A reading whose reference is already stored with the same values is skipped, so the
 * same file can be imported twice; a dry run only checks.
 */
import { readSheet } from 'read-excel-file/node';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { BadRequestError } from '../../platform/errors.ts';
import { parseCsv, type CsvRecord } from '../../platform/csv.ts';
import { uploadedFile, type UploadedFile } from '../subscribers/documents.service.ts';
import * as repo from './usage.repo.ts';
import { quantitySchema, referenceSchema, unitSchema } from './usage.schemas.ts';
import { occurrenceErrors, sameReading, type Deps } from './usage.service.ts';

export const MAX_USAGE_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_USAGE_IMPORT_ROWS = 50_000;
const MAX_REPORTED = 1000;

export const usageImportSchema = z
  .object({
    file: uploadedFile.describe('CSV (comma or semicolon) or XLSX with a header row: username or subscriptionId, unit, quantity, occurredAt, reference'),
    dryRun: z.enum(['true', 'false']).default('false').describe('true: check every row, import nothing'),
  })
  .meta({ id: 'ImportUsage' });

export const usageImportReportSchema = z
  .object({
    dryRun: z.boolean(),
    total: z.number().int().describe('Data rows in the file'),
    imported: z.number().int().describe('0 when any row is bad or on a dry run'),
    alreadyRecorded: z.number().int().describe('Rows whose reference is already stored with the same reading (skipped)'),
    errorCount: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), field: z.string(), message: z.string() })).describe(`The first ${MAX_REPORTED} problems`),
  })
  .meta({ id: 'UsageImportReport' });

export const usageImportColumns = ['username', 'subscriptionId', 'unit', 'quantity', 'occurredAt', 'reference'] as const;
type Column = (typeof usageImportColumns)[number];

/** Headers as people write them: "occurred_at", "Occurred At" and "occurredAt" are one column. */
const headerKey = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');
const columnByKey = new Map<string, Column>(usageImportColumns.map((c) => [headerKey(c), c]));

const rowSchema = z.object({ unit: unitSchema, quantity: quantitySchema, reference: referenceSchema.optional() });

const offsetPattern = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;
const localPattern = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$/;

/**
 * The instant of a reading: ISO 8601 with an offset as written, or a local date or date and time
 * (a day's reading: "2026-03-01") in the subscription's organization's time zone.
 */
export function readingInstant(text: string, timeZone: string): Date | null {
  const t = text.trim().replace(' ', 'T');
  try {
    if (offsetPattern.test(t) && t.includes('T')) return new Date(Temporal.Instant.from(t).epochMilliseconds);
    if (localPattern.test(text.trim())) return new Date(Temporal.PlainDateTime.from(t).toZonedDateTime(timeZone).epochMilliseconds);
  } catch {
    return null;
  }
  return null;
}

/** Rows of cells with their line numbers, header first. A spreadsheet's date cell is its wall time. */
async function readRows(file: UploadedFile): Promise<CsvRecord[]> {
  const isXlsx = file.data.subarray(0, 2).toString('latin1') === 'PK';
  if (!isXlsx) return parseCsv(file.data.toString('utf8'));
  try {
    const sheet = await readSheet(file.data);
    return sheet
      .map((cells, i) => ({ line: i + 1, cells: cells.map((c) => (c instanceof Date ? c.toISOString().slice(0, 19) : c === null ? '' : String(c).trim())) }))
      .filter((r) => r.cells.some((c) => c !== ''));
  } catch {
    throw new BadRequestError('The file is not a readable XLSX workbook', [{ field: 'file', message: 'cannot be read' }]);
  }
}

interface ReportLine {
  line: number;
  field: string;
  message: string;
}

interface Reading {
  line: number;
  subscriptionId: string;
  unit: string;
  quantity: string;
  occurredAt: Date;
  reference: string | null;
}

function headerColumns(header: CsvRecord, errors: ReportLine[]): (Column | null)[] {
  const columns = header.cells.map((cell) => {
    const name = cell.trim();
    const column = columnByKey.get(headerKey(name)) ?? null;
    if (name && !column) errors.push({ line: header.line, field: name, message: `is not a column (use ${usageImportColumns.join(', ')})` });
    return column;
  });
  for (const required of ['unit', 'quantity', 'occurredAt'] as const)
    if (!columns.includes(required)) errors.push({ line: header.line, field: required, message: 'column is missing' });
  if (!columns.includes('username') && !columns.includes('subscriptionId'))
    errors.push({ line: header.line, field: 'username', message: 'column is missing (or give subscriptionId)' });
  return columns;
}

export async function importUsage(deps: Deps, actor: Actor, input: z.infer<typeof usageImportSchema>) {
  requirePermission(actor, 'subscriptions.update');
  const dryRun = input.dryRun === 'true';
  const scope = actor.principal.scope;
  const [header, ...records] = await readRows(input.file);
  if (!header) throw new BadRequestError('The file is empty', [{ field: 'file', message: 'has no header row' }]);
  if (records.length > MAX_USAGE_IMPORT_ROWS)
    throw new BadRequestError(`Import at most ${MAX_USAGE_IMPORT_ROWS} rows at a time`, [{ field: 'file', message: 'has too many rows' }]);
  const errors: ReportLine[] = [];
  const columns = headerColumns(header, errors);
  const raws = records.map((rec) => {
    const raw: Partial<Record<Column, string>> = {};
    columns.forEach((c, i) => {
      const v = rec.cells[i]?.trim();
      if (c && v) raw[c] = v;
    });
    return { line: rec.line, raw };
  });

  return deps.db.transaction().execute(async (trx) => {
    const ids = raws.flatMap((r) => (r.raw.subscriptionId && z.uuid().safeParse(r.raw.subscriptionId).success ? [r.raw.subscriptionId] : []));
    const usernames = raws.flatMap((r) => (r.raw.username ? [r.raw.username] : []));
    const found = await repo.subscriptionsNamed(trx, scope, [...new Set(ids)], [...new Set(usernames)]);
    const byId = new Map(found.map((s) => [s.id, s]));
    const byUsername = new Map(found.filter((s) => s.username).map((s) => [s.username!.toLowerCase(), s]));
    const now = deps.clock.now();

    const readings: Reading[] = [];
    for (const { line, raw } of raws) {
      const err = (field: string, message: string) => errors.push({ line, field, message });
      const before = errors.length;
      let sub: repo.UsageSubscription | undefined;
      if (raw.subscriptionId) {
        sub = byId.get(raw.subscriptionId);
        if (!sub) err('subscriptionId', 'is not a subscription you can see');
        else if (raw.username && raw.username.toLowerCase() !== sub.username?.toLowerCase()) err('username', 'is not the username of that subscription');
      } else if (raw.username) {
        sub = byUsername.get(raw.username.toLowerCase());
        if (!sub) err('username', 'is not the username of a subscription you can see');
      } else err('username', 'give a username or a subscriptionId');
      const parsed = rowSchema.safeParse({ unit: raw.unit ?? '', quantity: raw.quantity ?? '', reference: raw.reference });
      if (!parsed.success) for (const i of parsed.error.issues) err(String(i.path[0] ?? 'row'), i.message);
      let occurredAt: Date | null = null;
      if (!raw.occurredAt) err('occurredAt', 'is required');
      else if (sub) {
        occurredAt = readingInstant(raw.occurredAt, sub.timezone);
        if (!occurredAt) err('occurredAt', 'must be a date and time such as 2026-03-01T10:00:00+03:00, or 2026-03-01 10:00 in the organization’s time');
        else occurrenceErrors(sub, occurredAt, now).forEach((e) => err(e.field, e.message));
      }
      if (errors.length === before && sub && parsed.success && occurredAt)
        readings.push({ line, subscriptionId: sub.id, unit: parsed.data.unit, quantity: parsed.data.quantity, occurredAt, reference: parsed.data.reference ?? null });
    }

    // References: once per subscription in the file; already stored → the same reading (skipped) or a conflict.
    const referenced = readings.filter((r) => r.reference !== null);
    const seen = new Map<string, number>();
    const repeated = new Set<Reading>();
    for (const r of referenced) {
      const key = `${r.subscriptionId} ${r.reference}`;
      const first = seen.get(key);
      if (first !== undefined) {
        errors.push({ line: r.line, field: 'reference', message: `is also on line ${first}` });
        repeated.add(r);
      } else seen.set(key, r.line);
    }
    const stored = await repo.findByReferences(trx, referenced.filter((r) => !repeated.has(r)).map((r) => ({ subscriptionId: r.subscriptionId, reference: r.reference! })));
    const storedByKey = new Map(stored.map((s) => [`${s.subscription_id} ${s.reference}`, s]));
    const skipped = new Set<Reading>();
    for (const r of referenced) {
      const existing = storedByKey.get(`${r.subscriptionId} ${r.reference}`);
      if (!existing || repeated.has(r)) continue;
      if (sameReading(existing, r)) skipped.add(r);
      else errors.push({ line: r.line, field: 'reference', message: 'is already stored with a different reading' });
    }

    const fresh = readings.filter((r) => !skipped.has(r));
    const report = (imported: number) => ({
      dryRun,
      total: records.length,
      imported,
      alreadyRecorded: skipped.size,
      errorCount: errors.length,
      errors: errors.sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED),
    });
    if (errors.length > 0 || dryRun) return report(0);

    await repo.insertMany(
      trx,
      fresh.map((r) => ({
        subscription_id: r.subscriptionId,
        unit: r.unit,
        quantity: r.quantity,
        occurred_at: r.occurredAt,
        source: 'import' as const,
        reference: r.reference,
        created_at: now,
        created_by: actor.principal.userId,
      })),
    );
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'usage.import',
      organizationId: scope.orgId,
      organizationPath: scope.orgPath,
      objectType: 'organization',
      objectId: scope.orgId,
      after: { file: input.file.filename, rows: fresh.length, alreadyRecorded: skipped.size, subscriptions: new Set(fresh.map((r) => r.subscriptionId)).size },
    });
    return report(fresh.length);
  });
}
