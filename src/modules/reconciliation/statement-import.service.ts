/**
 * Importing a statement: the file read through its source's mapping, every bad row reported by
 * line and field and then nothing stored; otherwise the lines not stored before (the source's
 * dedupe key) are stored and matched in the same transaction. A dry run is the mapping preview:
 * the first rows as read and as mapped, and the problems, with nothing stored.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Transaction } from 'kysely';
import { gatewayFeeCharged, gatewaySettledToBank } from '../../core/ledger.ts';
import { formatMoney } from '../../core/money.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { StatementSource } from '../../platform/db/schema/reconciliation.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { BadRequestError } from '../../platform/errors.ts';
import { postEvents } from '../ledger/ledger.service.ts';
import * as repo from './reconciliation.repo.ts';
import type { importInput } from './reconciliation.schemas.ts';
import { localDay, mappingOf, sourceInScope, type Deps } from './reconciliation.service.ts';
import { parseStatement, type ParsedLine } from './statement-format.ts';
import { readStatementRows } from './statement-file.ts';
import { autoMatch } from './statement-matching.service.ts';

export const MAX_STATEMENT_BYTES = 10 * 1024 * 1024;
const MAX_LINES = 50_000;
const MAX_REPORTED = 500;
const PREVIEW = 10;

export async function importStatement(deps: Deps, actor: Actor, sourceId: string, input: z.infer<typeof importInput>) {
  requirePermission(actor, 'payments.update');
  const dryRun = input.dryRun === 'true';
  const { source, org } = await sourceInScope(deps.db, actor, sourceId);
  const mapping = mappingOf(source);
  const rows = await readStatementRows(input.file.data, mapping.delimiter);
  if (rows.length === 0) throw new BadRequestError('The file is empty', [{ field: 'file', message: 'has no rows' }]);
  if (rows.length > MAX_LINES) throw new BadRequestError(`Import at most ${MAX_LINES} rows at a time`, [{ field: 'file', message: 'has too many rows' }]);
  const parsed = parseStatement(rows, mapping, { currency: source.currency, timeZone: org.timezone });
  const days = parsed.lines.map((l) => localDay(l.postedAt, org.timezone)).sort();
  const base = {
    dryRun,
    headerLine: parsed.headerLine,
    headers: [...parsed.headers],
    rows: rows.slice(0, Math.max(parsed.headerLine, 0) + PREVIEW).map((r) => ({ line: r.line, cells: [...r.cells] })),
    preview: parsed.lines.slice(0, PREVIEW).map((l) => previewOf(l, source.currency)),
    total: parsed.lines.length,
    skipped: parsed.skipped,
    periodFrom: days[0] ?? null,
    periodTo: days[days.length - 1] ?? null,
    errorCount: parsed.errors.length,
    errors: parsed.errors.slice(0, MAX_REPORTED).map((e) => ({ ...e })),
  };
  if (parsed.errors.length > 0 || dryRun || parsed.lines.length === 0)
    return { ...base, importId: null, imported: 0, alreadyImported: 0, matching: null };

  return deps.db.transaction().execute(async (trx) => {
    await repo.lockSource(trx, source.id);
    const now = deps.clock.now();
    const imp = await repo.insertImport(trx, {
      organization_id: source.organization_id,
      source_id: source.id,
      filename: input.file.filename.slice(0, 255),
      file_sha256: createHash('sha256').update(input.file.data).digest('hex'),
      period_from: base.periodFrom!,
      period_to: base.periodTo!,
      lines_total: parsed.lines.length,
      lines_new: 0,
      rows_skipped: parsed.skipped,
      imported_by: actor.principal.userId,
      created_at: now,
    });
    const imported = await repo.insertLines(
      trx,
      parsed.lines.map((l) => ({
        organization_id: source.organization_id,
        source_id: source.id,
        import_id: imp.id,
        line_no: l.lineNo,
        dedupe_key: l.dedupeKey,
        kind: l.kind,
        posted_at: l.postedAt,
        amount: l.amount,
        currency: source.currency,
        transaction_id: l.transactionId,
        reference: l.reference,
        description: l.description,
        payer_name: l.payerName,
        payer_phone: l.payerPhone,
        status: l.kind === 'receipt' ? 'unmatched' : 'info',
        raw: l.raw,
      })),
    );
    await repo.updateImportCount(trx, imp.id, imported);
    const posted = await postGatewayMovements(trx, deps.clock, source, imp.id, actor.principal.userId);
    const matching = await autoMatch(trx, deps.clock, source, actor.principal.userId);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'statement.import',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'statement_source',
      objectId: source.id,
      after: { importId: imp.id, file: input.file.filename, lines: parsed.lines.length, imported, matching, posted },
    });
    return { ...base, importId: imp.id, imported, alreadyImported: parsed.lines.length - imported, matching };
  });
}

/**
 * What a gateway's statement says it did with the money it held for us moves it in the books: a
 * settlement to the bank (bank from gateway clearing), a fee (gateway fees from gateway clearing).
 * Each line once (keyed on the line), so the clearing account ends at what the gateway still holds.
 * A bank's own statement moves nothing here: its receipts are matched to payments instead.
 */
async function postGatewayMovements(trx: Transaction<DB>, clock: Clock, source: StatementSource, importId: string, by: string | null): Promise<number> {
  if (!source.gateway) return 0;
  const gateway = source.gateway;
  const lines = await repo.movementsOfImport(trx, importId);
  await postEvents(
    trx,
    clock,
    lines.map((l) => {
      const amount = { minor: l.amount, currency: l.currency };
      return {
        organizationId: source.organization_id,
        kind: l.kind === 'fee' ? 'gateway_fee' : 'gateway_settlement',
        lines: l.kind === 'fee' ? gatewayFeeCharged({ gateway, amount }) : gatewaySettledToBank({ gateway, amount }),
        idempotencyKey: `statement-line:${l.id}`,
        memo: `${gateway} ${l.kind === 'fee' ? 'fee' : 'settlement to bank'}${l.transaction_id ? ` ${l.transaction_id}` : ''}`.slice(0, 200),
        occurredAt: l.posted_at,
        createdBy: by,
      };
    }),
  );
  return lines.length;
}

function previewOf(l: ParsedLine, currency: string) {
  return {
    line: l.lineNo,
    kind: l.kind,
    postedAt: l.postedAt.toISOString(),
    amount: formatMoney({ minor: l.amount, currency }),
    transactionId: l.transactionId,
    reference: l.reference,
    description: l.description,
    payerName: l.payerName,
    payerPhone: l.payerPhone,
  };
}
