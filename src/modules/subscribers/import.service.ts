/**
 * Import from CSV or XLSX: every row is checked first (fields, phones, duplicate and taken account
 * numbers, staff e-mails) and the report names each bad row by line and field. Any bad row and
 * nothing is imported; otherwise every row is, in one transaction. A dry run only checks.
 */
import { readSheet } from 'read-excel-file/node';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { BadRequestError } from '../../platform/errors.ts';
import { addressRows, normaliseContacts } from './contacts.ts';
import { parseCsv, type CsvRecord } from '../../platform/csv.ts';
import { uploadedFile, type UploadedFile } from './documents.service.ts';
import { phoneCountryOf } from './phones.ts';
import * as repo from './subscribers.repo.ts';
import { searchTextOf } from './subscribers.rules.ts';
import { addressInputSchema, customFieldsSchema, subscriberStatuses, tagsSchema } from './subscribers.schemas.ts';
import { allocateAccountNumbers, holdingOrganization, type Deps } from './subscribers.service.ts';

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 50_000;
const MAX_REPORTED = 1000;

export const importSchema = z
  .object({
    file: uploadedFile.describe('CSV (comma or semicolon) or XLSX with a header row; see the columns in the web app'),
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    dryRun: z.enum(['true', 'false']).default('false').describe('true: check every row, import nothing'),
  })
  .meta({ id: 'ImportSubscribers' });

export const importReportSchema = z
  .object({
    dryRun: z.boolean(),
    total: z.number().int().describe('Data rows in the file'),
    imported: z.number().int().describe('0 when any row is bad or on a dry run'),
    errorCount: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), field: z.string(), message: z.string() })).describe(`The first ${MAX_REPORTED} problems`),
  })
  .meta({ id: 'SubscriberImportReport' });

export const importColumns = [
  'accountNumber',
  'kind',
  'name',
  'companyName',
  'nationalId',
  'status',
  'phone',
  'email',
  'whatsapp',
  'address',
  'city',
  'region',
  'country',
  'latitude',
  'longitude',
  'tags',
  'assignedTo',
] as const;

const rowSchema = z.object({
  accountNumber: z.string().max(40).regex(/^[A-Za-z0-9/._-]*$/, 'has only letters, digits and / . _ -').optional(),
  kind: z.enum(['person', 'company']).default('person'),
  name: z.string().min(1, 'is required').max(200),
  companyName: z.string().max(200).optional(),
  nationalId: z.string().max(60).optional(),
  status: z.enum(subscriberStatuses).default('lead'),
  tags: tagsSchema,
  assignedTo: z.email().optional(),
});

interface ReportLine {
  line: number;
  field: string;
  message: string;
}

/** Rows of cells with their line numbers, header first. */
async function readRows(file: UploadedFile): Promise<CsvRecord[]> {
  const isXlsx = file.data.subarray(0, 2).toString('latin1') === 'PK';
  if (!isXlsx) return parseCsv(file.data.toString('utf8'));
  try {
    const sheet = await readSheet(file.data);
    return sheet
      .map((cells, i) => ({ line: i + 1, cells: cells.map((c) => (c instanceof Date ? c.toISOString().slice(0, 10) : c === null ? '' : String(c))) }))
      .filter((r) => r.cells.some((c) => c !== ''));
  } catch {
    throw new BadRequestError('The file is not a readable XLSX workbook', [{ field: 'file', message: 'cannot be read' }]);
  }
}

// The export quotes cells that start like a formula; the import takes them back.
const unquote = (cell: string) => cell.replace(/^'(?=[=+\-@\t\r])/, '').trim();

export async function importSubscribers(deps: Deps, actor: Actor, input: z.infer<typeof importSchema>) {
  requirePermission(actor, 'subscribers.create');
  const dryRun = input.dryRun === 'true';
  const [header, ...records] = await readRows(input.file);
  if (!header) throw new BadRequestError('The file is empty', [{ field: 'file', message: 'has no header row' }]);
  if (records.length > MAX_IMPORT_ROWS) throw new BadRequestError(`Import at most ${MAX_IMPORT_ROWS} rows at a time`, [{ field: 'file', message: 'has too many rows' }]);
  const errors: ReportLine[] = [];
  const names = header.cells.map((c) => c.trim());
  const known = new Set<string>(importColumns);
  names.forEach((n) => {
    if (n && !known.has(n) && !n.startsWith('custom.')) errors.push({ line: header.line, field: n, message: `is not a column (use ${importColumns.join(', ')} or custom.<name>)` });
  });
  if (!names.includes('name')) errors.push({ line: header.line, field: 'name', message: 'column is missing' });

  return deps.db.transaction().execute(async (trx) => {
    const org = await holdingOrganization(trx, actor, input.organizationId ?? actor.principal.scope.orgId);
    const country = phoneCountryOf(org.currency);
    const rows = records.map((rec) => {
      const raw: Record<string, string> = {};
      names.forEach((n, i) => (raw[n] = unquote(rec.cells[i] ?? '')));
      const err = (field: string, message: string) => errors.push({ line: rec.line, field, message });
      const given = (k: string) => (raw[k] ? raw[k] : undefined);
      const parsed = rowSchema.safeParse({
        accountNumber: given('accountNumber'),
        kind: given('kind'),
        name: raw.name ?? '',
        companyName: given('companyName'),
        nationalId: given('nationalId'),
        status: given('status'),
        tags: (raw.tags ?? '').split(/[;,]/).map((t) => t.trim()).filter(Boolean),
        assignedTo: given('assignedTo')?.toLowerCase(),
      });
      if (!parsed.success) for (const i of parsed.error.issues) err(String(i.path[0] ?? 'row'), i.message);
      if (parsed.success && parsed.data.kind === 'company' && !parsed.data.companyName) err('companyName', 'is required for a company');
      const contactInput = (['phone', 'email', 'whatsapp'] as const).flatMap((kind) =>
        (raw[kind] ?? '').split(';').map((v) => v.trim()).filter(Boolean).map((value) => ({ kind, value, primary: false })),
      );
      const contacts = normaliseContacts(contactInput, country, 'contact');
      contacts.errors.forEach((e) => err(contactInput[Number(e.field.split('.')[1])]?.kind ?? 'phone', e.message));
      const address = raw.address ? addressInputSchema.safeParse({ line1: raw.address, city: given('city'), region: given('region'), country: given('country'), latitude: given('latitude'), longitude: given('longitude') }) : undefined;
      if (address && !address.success) for (const i of address.error.issues) err(String(i.path[0] ?? 'address'), i.message);
      const custom = Object.fromEntries(names.filter((n) => n.startsWith('custom.') && raw[n]).map((n) => [n.slice(7), raw[n]!]));
      const customParsed = customFieldsSchema.safeParse(custom);
      if (!customParsed.success) err('custom', customParsed.error.issues[0]!.message);
      return { line: rec.line, data: parsed.data, contacts: contacts.rows, address: address?.data, custom };
    });

    // Account numbers: unique in the file and not yet held in the organization.
    const given = rows.filter((r) => r.data?.accountNumber);
    const taken = await repo.takenAccountNumbers(trx, org.id, given.map((r) => r.data!.accountNumber!));
    const seen = new Map<string, number>();
    for (const r of given) {
      const n = r.data!.accountNumber!;
      if (taken.has(n)) errors.push({ line: r.line, field: 'accountNumber', message: `${n} is already held by a subscriber` });
      else if (seen.has(n)) errors.push({ line: r.line, field: 'accountNumber', message: `${n} is also on line ${seen.get(n)}` });
      else seen.set(n, r.line);
    }
    const emails = [...new Set(rows.flatMap((r) => (r.data?.assignedTo ? [r.data.assignedTo] : [])))];
    const staff = new Map((await repo.usersByEmail(trx, actor.principal.scope, emails)).map((u) => [u.email.toLowerCase(), u.id]));
    for (const r of rows) if (r.data?.assignedTo && !staff.has(r.data.assignedTo)) errors.push({ line: r.line, field: 'assignedTo', message: 'is not a user you can see' });

    const report = (imported: number) => ({
      dryRun,
      total: records.length,
      imported,
      errorCount: errors.length,
      errors: errors.sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED),
    });
    if (errors.length > 0 || dryRun) return report(0);

    const fresh = await allocateAccountNumbers(trx, org.id, rows.filter((r) => !r.data!.accountNumber).length);
    const now = deps.clock.now();
    for (let at = 0; at < rows.length; at += 1000) {
      const chunk = rows.slice(at, at + 1000).map((r) => ({ ...r, accountNumber: r.data!.accountNumber ?? fresh.shift()! }));
      const ids = await repo.insertMany(
        trx,
        chunk.map((r) => ({
          organization_id: org.id,
          account_number: r.accountNumber,
          kind: r.data!.kind,
          name: r.data!.name,
          company_name: r.data!.companyName ?? null,
          national_id: r.data!.nationalId ?? null,
          status: r.data!.status,
          assigned_user_id: r.data!.assignedTo ? staff.get(r.data!.assignedTo)! : null,
          tags: r.data!.tags,
          custom_fields: JSON.stringify(r.custom),
          suspend_on: null,
          suspend_reason: null,
          search_text: searchTextOf({ name: r.data!.name, companyName: r.data!.companyName ?? null, accountNumber: r.accountNumber, nationalId: r.data!.nationalId ?? null }, r.contacts),
          created_at: now,
          updated_at: now,
        })),
      );
      await repo.insertContacts(trx, chunk.flatMap((r, i) => r.contacts.map((c) => ({ ...c, subscriber_id: ids[i]! }))));
      await repo.insertAddresses(trx, chunk.flatMap((r, i) => (r.address ? addressRows([r.address]).map((a) => ({ ...a, subscriber_id: ids[i]! })) : [])));
      await repo.insertStatusChanges(trx, chunk.map((r, i) => ({ subscriber_id: ids[i]!, from_status: null, to_status: r.data!.status, reason: 'imported', at: now, changed_by: actor.principal.userId })));
    }
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'subscriber.import',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'organization',
      objectId: org.id,
      after: { file: input.file.filename, rows: rows.length },
    });
    return report(rows.length);
  });
}
