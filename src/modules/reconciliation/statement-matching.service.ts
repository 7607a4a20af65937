/**
 * Matching statement lines to payments: automatically after each import (by transaction id, then
 * by reference, amount and date), by hand (match, unmatch, ignore with a reason), and the credit of
 * a lost callback — a gateway line whose transaction the gateway never called back about — through
 * receivePayment with the gateway's channel and transaction id: the same key a late callback uses,
 * so the money is credited exactly once whichever comes first.
 */
import type { Transaction } from 'kysely';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB, Organization } from '../../platform/db/schema.ts';
import type { Payment } from '../../platform/db/schema/payments.ts';
import type { StatementLine, StatementSource } from '../../platform/db/schema/reconciliation.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { receivePayment } from '../payments/receive.ts';
import { decideMatches } from './matching.ts';
import * as repo from './reconciliation.repo.ts';
import { mapLine, sourceInScope, type Deps } from './reconciliation.service.ts';

export interface MatchSummary {
  byTransactionId: number;
  byReference: number;
  credited: number;
  lostCallbacks: number;
  ambiguous: number;
  unmatched: number;
}

const DAY_MS = 86_400_000;

/** Matches the source's open receipt lines; the caller holds the source's lock. */
export async function autoMatch(trx: Transaction<DB>, clock: Clock, source: StatementSource, userId: string | null): Promise<MatchSummary> {
  const lines = await repo.openReceipts(trx, source.id);
  const summary: MatchSummary = { byTransactionId: 0, byReference: 0, credited: 0, lostCallbacks: 0, ambiguous: 0, unmatched: 0 };
  if (lines.length === 0) return summary;
  const windowMs = source.date_window_days * DAY_MS;
  const first = lines[0]!.posted_at.getTime();
  const last = lines[lines.length - 1]!.posted_at.getTime();
  const payments = await repo.unmatchedPayments(trx, source, { from: new Date(first - windowMs), to: new Date(last + windowMs + 1) });
  // A transaction id matches whenever it was received, even outside the window.
  const ids = lines.flatMap((l) => (l.transaction_id ? [l.transaction_id] : []));
  const byId = ids.length > 0 ? await repo.unmatchedPaymentsWithTransactionIds(trx, source, ids) : [];
  const pool = new Map([...payments, ...byId].map((p) => [p.id, p]));
  const decisions = decideMatches(
    lines.map((l) => ({ id: l.id, amount: l.amount, currency: l.currency, postedAt: l.posted_at, transactionId: l.transaction_id, reference: l.reference })),
    [...pool.values()].map((p) => ({ id: p.id, amount: p.amount, currency: p.currency, receivedAt: p.received_at, transactionId: p.transaction_id, reference: p.reference })),
    windowMs,
  );
  const now = clock.now();
  const ambiguous: string[] = [];
  const open: StatementLine[] = [];
  const lineById = new Map(lines.map((l) => [l.id, l]));
  const matches: { lineId: string; paymentId: string; method: 'transaction_id' | 'reference' }[] = [];
  for (const d of decisions) {
    if (d.kind === 'match') {
      matches.push({ lineId: d.lineId, paymentId: d.paymentId, method: d.method });
      if (d.method === 'transaction_id') summary.byTransactionId++;
      else summary.byReference++;
    } else if (d.kind === 'ambiguous') ambiguous.push(d.lineId);
    else open.push(lineById.get(d.lineId)!);
  }
  await repo.setMatches(trx, matches, now, userId);
  await repo.setNotes(trx, ambiguous, 'ambiguous');
  summary.ambiguous = ambiguous.length;

  const taken = new Set(decisions.flatMap((d) => (d.kind === 'match' ? [d.paymentId] : [])));
  const free = [...pool.values()].filter((p) => !taken.has(p.id));
  const lost = source.gateway ? await lostCallbacks(trx, source, open, free, windowMs) : [];
  const lostIds = new Set(lost.map((l) => l.id));
  await repo.setNotes(trx, open.filter((l) => !lostIds.has(l.id) && l.note !== null).map((l) => l.id), null);
  const waiting: string[] = [];
  for (const line of lost) {
    if (source.auto_credit && (line.reference || line.payer_phone)) {
      await credit(trx, clock, source, line, userId);
      summary.credited++;
    } else {
      if (line.note !== 'lost_callback') waiting.push(line.id);
      summary.lostCallbacks++;
    }
  }
  await repo.setNotes(trx, waiting, 'lost_callback');
  summary.unmatched = lines.length - summary.byTransactionId - summary.byReference - summary.credited;
  return summary;
}

/**
 * Gateway lines with a transaction id the gateway's channel has no payment for at all, and no
 * unmatched payment of the same amount near it either: a payment staff recorded by hand under
 * another id would otherwise be credited twice. Such a line stays open for staff to decide.
 */
async function lostCallbacks(trx: Transaction<DB>, source: StatementSource, open: readonly StatementLine[], free: readonly Payment[], windowMs: number): Promise<StatementLine[]> {
  const withId = open.filter((l) => l.transaction_id);
  const known = await repo.knownTransactionIds(trx, source.organization_id, source.gateway!, withId.map((l) => l.transaction_id!));
  const lookalike = (l: StatementLine) => free.some((p) => p.amount === l.amount && p.currency === l.currency && Math.abs(p.received_at.getTime() - l.posted_at.getTime()) <= windowMs);
  return withId.filter((l) => !known.has(l.transaction_id!) && !lookalike(l));
}

/** Credits a lost callback (or finds the payment a late callback recorded) and matches the line to it. */
async function credit(trx: Transaction<DB>, clock: Clock, source: StatementSource, line: StatementLine, userId: string | null) {
  const received = await receivePayment(trx, clock, {
    organizationId: source.organization_id,
    channel: source.gateway!,
    transactionId: line.transaction_id!,
    amount: { minor: line.amount, currency: line.currency },
    via: { kind: 'gateway', gateway: source.gateway! },
    receivedAt: line.posted_at,
    reference: line.reference,
    payer: { name: line.payer_name, phone: line.payer_phone },
    memo: `${source.gateway} ${line.transaction_id} (statement)`,
    recordedBy: userId,
    metadata: { statementLineId: line.id, statementSourceId: source.id },
  });
  const other = await repo.lineOfPayment(trx, received.payment.id);
  if (other && other.id !== line.id) throw new ConflictError(`Payment ${received.payment.receipt_no} is already matched to statement line ${other.line_no}`);
  const updated = await repo.updateLine(trx, line.id, {
    status: 'matched',
    payment_id: received.payment.id,
    match_method: received.replayed ? 'transaction_id' : 'credited',
    note: null,
    matched_at: clock.now(),
    matched_by: userId,
  });
  return { updated, replayed: received.replayed, payment: received.payment };
}

export async function runAutoMatch(deps: Deps, actor: Actor, sourceId: string) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const { source, org } = await sourceInScope(trx, actor, sourceId);
    await repo.lockSource(trx, source.id);
    const summary = await autoMatch(trx, deps.clock, source, actor.principal.userId);
    await audit(trx, deps.clock, actor, org, 'statement.auto_match', 'statement_source', source.id, summary);
    return summary;
  });
}

function audit(trx: Transaction<DB>, clock: Clock, actor: Actor, org: Organization, action: string, objectType: string, objectId: string, after: unknown, before?: unknown) {
  return appendAudit(trx, clock, actor.audit, { action, organizationId: org.id, organizationPath: org.path, objectType, objectId, before, after });
}

/** The line (locked) and its source, for a change; another tenant's line is 404. */
async function lineForChange(trx: Transaction<DB>, actor: Actor, lineId: string) {
  const found = await repo.findLineInScope(trx, actor.principal.scope, lineId);
  if (!found) throw new NotFoundError('Statement line');
  const { source, org } = await sourceInScope(trx, actor, found.source_id);
  await repo.lockSource(trx, source.id);
  const line = (await repo.lockLine(trx, lineId))!;
  if (line.kind !== 'receipt') throw new UnprocessableError(`A ${line.kind} line is not matched to payments`);
  return { line, source, org };
}

async function view(trx: Transaction<DB>, lineId: string) {
  const [row] = await repo.linesOfIds(trx, [lineId]);
  return mapLine(row!);
}

export async function matchLine(deps: Deps, actor: Actor, lineId: string, paymentId: string) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const { line, source, org } = await lineForChange(trx, actor, lineId);
    if (line.status !== 'unmatched') throw new ConflictError(`This line is already ${line.status}: unmatch it first`);
    const payment = await repo.paymentInScope(trx, actor.principal.scope, paymentId);
    if (!payment) throw new NotFoundError('Payment');
    if (payment.organization_id !== source.organization_id || payment.currency !== line.currency)
      throw new UnprocessableError(`Payment ${payment.receipt_no} is not a ${line.currency} payment of this statement's organization`, [{ field: 'paymentId', message: 'is not a payment of this statement' }]);
    const other = await repo.lineOfPayment(trx, payment.id);
    if (other) throw new ConflictError(`Payment ${payment.receipt_no} is already matched to statement line ${other.line_no}`, [{ field: 'paymentId', message: 'is already matched' }]);
    await repo.updateLine(trx, line.id, { status: 'matched', payment_id: payment.id, match_method: 'manual', note: null, matched_at: deps.clock.now(), matched_by: actor.principal.userId });
    const after = await view(trx, line.id);
    await audit(trx, deps.clock, actor, org, 'statement_line.match', 'statement_line', line.id, { paymentId: payment.id, difference: after.difference });
    return after;
  });
}

export async function unmatchLine(deps: Deps, actor: Actor, lineId: string) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const { line, org } = await lineForChange(trx, actor, lineId);
    if (line.status === 'unmatched') throw new ConflictError('This line is not matched nor ignored');
    await repo.updateLine(trx, line.id, { status: 'unmatched', payment_id: null, match_method: null, ignore_reason: null, matched_at: null, matched_by: null });
    await audit(trx, deps.clock, actor, org, 'statement_line.unmatch', 'statement_line', line.id, { status: 'unmatched' }, { status: line.status, paymentId: line.payment_id, reason: line.ignore_reason });
    return view(trx, line.id);
  });
}

export async function ignoreLine(deps: Deps, actor: Actor, lineId: string, reason: string) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const { line, org } = await lineForChange(trx, actor, lineId);
    if (line.status !== 'unmatched') throw new ConflictError(`This line is already ${line.status}: unmatch it first`);
    await repo.updateLine(trx, line.id, { status: 'ignored', ignore_reason: reason, note: null, matched_at: deps.clock.now(), matched_by: actor.principal.userId });
    await audit(trx, deps.clock, actor, org, 'statement_line.ignore', 'statement_line', line.id, { reason });
    return view(trx, line.id);
  });
}

/** Staff confirm a lost callback: the line's money is credited as the gateway's payment. */
export async function creditLine(deps: Deps, actor: Actor, lineId: string) {
  requirePermission(actor, 'payments.update');
  return deps.db.transaction().execute(async (trx) => {
    const { line, source, org } = await lineForChange(trx, actor, lineId);
    if (line.status !== 'unmatched') throw new ConflictError(`This line is already ${line.status}`);
    if (!source.gateway || !line.transaction_id)
      throw new UnprocessableError('Only a gateway statement line with a transaction id can be credited; match it to a payment instead');
    const { replayed, payment } = await credit(trx, deps.clock, source, line, actor.principal.userId);
    await audit(trx, deps.clock, actor, org, 'statement_line.credit', 'statement_line', line.id, { paymentId: payment.id, receiptNo: String(payment.receipt_no), replayed });
    return { line: await view(trx, line.id), replayed };
  });
}
