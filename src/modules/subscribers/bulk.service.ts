/**
 * Actions on many subscribers at once, chosen by id or by a list filter. Each runs in one
 * transaction with every selected row locked: either every subscriber takes the change, or none
 * does and the answer says, per subscriber, what stood in the way. A dry run answers the same
 * without keeping anything.
 */
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { DB } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { Transaction } from 'kysely';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as repo from './subscribers.repo.ts';
import { subscriberFilters, type SubscriberRow } from './subscribers.schemas.ts';
import { allocateAccountNumbers, applyStatus, audit, holdingOrganization, type Deps, type StatusChangeOutcome } from './subscribers.service.ts';
import { ownersWithBooks } from '../ledger/ledger.service.ts';

export const MAX_BULK = 5000;

export const bulkActionSchema = z
  .object({
    action: z.enum(['activate', 'suspend', 'resume', 'move', 'assign', 'archive', 'delete']),
    ids: z.array(z.uuid()).min(1).max(MAX_BULK).optional().describe('The selected subscribers; or give filter'),
    filter: z
      .object({ q: z.string().trim().max(200).optional(), ...subscriberFilters })
      .optional()
      .describe(`Every subscriber the list filter selects (at most ${MAX_BULK})`),
    reason: z.string().trim().max(500).default('').describe('Required to suspend and archive; kept in the status history'),
    suspendOn: z.iso.date().optional().describe('suspend: the day the suspension takes effect (today or earlier suspends now)'),
    organizationId: z.uuid().optional().describe('move: the organization to move to'),
    renumber: z.boolean().default(false).describe('move: give new account numbers from the target organization instead of keeping them'),
    assignedUserId: z.uuid().nullable().optional().describe('assign: the staff member, or null for nobody'),
    dryRun: z.boolean().default(false),
  })
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: 'give either ids or filter', path: ['ids'] })
  .meta({ id: 'SubscriberBulkAction' });

export const bulkResultSchema = z
  .object({
    applied: z.boolean().describe('False when any subscriber failed (nothing was changed) or on a dry run'),
    dryRun: z.boolean(),
    total: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.object({ id: z.uuid(), accountNumber: z.string(), ok: z.boolean(), unchanged: z.boolean().optional(), error: z.string().optional() }),
    ),
  })
  .meta({ id: 'SubscriberBulkResult' });

export type BulkAction = z.infer<typeof bulkActionSchema>;
type Trx = Transaction<DB>;

class Rollback extends Error {
  constructor(readonly outcomes: StatusChangeOutcome[]) {
    super('rollback');
  }
}

/** The calendar day in a time zone, as YYYY-MM-DD. */
function dayIn(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const result = (s: SubscriberRow, error?: string, unchanged?: boolean): StatusChangeOutcome =>
  error ? { id: s.id, accountNumber: s.account_number, ok: false, error } : { id: s.id, accountNumber: s.account_number, ok: true, ...(unchanged ? { unchanged } : {}) };

async function suspend(trx: Trx, deps: Deps, actor: Actor, rows: SubscriberRow[], input: BulkAction) {
  if (!input.reason) throw new BadRequestError('Say why the subscribers are suspended', [{ field: 'reason', message: 'is required to suspend' }]);
  const now = deps.clock.now();
  const org = new Map<string, string>();
  for (const s of rows) org.set(s.organization_id, (await orgRepo.findById(trx, s.organization_id))!.timezone);
  const later = input.suspendOn ? rows.filter((s) => input.suspendOn! > dayIn(org.get(s.organization_id)!, now)) : [];
  const nowRows = rows.filter((s) => !later.includes(s));
  const outcomes = await applyStatus(trx, deps, actor, nowRows, 'suspended', input.reason);
  for (const s of later) {
    if (s.status !== 'active') {
      outcomes.push(result(s, `it is ${s.status}: only active subscribers can be scheduled for suspension`));
      continue;
    }
    outcomes.push(result(s));
    await repo.update(trx, [s.id], { suspend_on: input.suspendOn!, suspend_reason: input.reason, updated_at: now });
    await audit(trx, deps, actor, 'subscriber.suspend_scheduled', s, { suspendOn: s.suspend_on }, { suspendOn: input.suspendOn, reason: input.reason });
  }
  return outcomes;
}

async function move(trx: Trx, deps: Deps, actor: Actor, rows: SubscriberRow[], input: BulkAction) {
  if (!input.organizationId) throw new BadRequestError('Choose the organization to move to', [{ field: 'organizationId', message: 'is required to move' }]);
  const target = await holdingOrganization(trx, actor, input.organizationId);
  const books = await ownersWithBooks(trx, 'subscriber', rows.map((s) => s.id));
  const moving = rows.filter((s) => s.organization_id !== target.id);
  const taken = input.renumber ? new Set<string>() : await repo.takenAccountNumbers(trx, target.id, moving.map((s) => s.account_number));
  const outcomes = rows.map((s) => {
    if (s.organization_id === target.id) return result(s, undefined, true);
    if (books.accounts.has(s.id)) return result(s, 'it has ledger accounts in its organization’s books and cannot change organization');
    if (taken.has(s.account_number)) return result(s, `account number ${s.account_number} is already used in ${target.name}`);
    return result(s);
  });
  if (outcomes.some((o) => !o.ok)) return outcomes;
  const numbers = input.renumber ? await allocateAccountNumbers(trx, target.id, moving.length) : moving.map((s) => s.account_number);
  for (const [i, s] of moving.entries()) {
    await repo.update(trx, [s.id], { organization_id: target.id, account_number: numbers[i]!, updated_at: deps.clock.now() });
    await audit(trx, deps, actor, 'subscriber.move', s, { organizationId: s.organization_id, accountNumber: s.account_number }, { organizationId: target.id, accountNumber: numbers[i] });
  }
  return outcomes;
}

async function assign(trx: Trx, deps: Deps, actor: Actor, rows: SubscriberRow[], input: BulkAction) {
  if (input.assignedUserId === undefined) throw new BadRequestError('Choose the staff member', [{ field: 'assignedUserId', message: 'is required to assign (null for nobody)' }]);
  if (input.assignedUserId && !(await repo.userInScope(trx, actor.principal.scope, input.assignedUserId)))
    throw new BadRequestError('The staff member is not in your organization tree', [{ field: 'assignedUserId', message: 'is not a user you can see' }]);
  const outcomes: StatusChangeOutcome[] = [];
  for (const s of rows) {
    const same = s.assigned_user_id === input.assignedUserId;
    outcomes.push(result(s, undefined, same));
    if (same) continue;
    await repo.update(trx, [s.id], { assigned_user_id: input.assignedUserId, updated_at: deps.clock.now() });
    await audit(trx, deps, actor, 'subscriber.assign', s, { assignedUserId: s.assigned_user_id }, { assignedUserId: input.assignedUserId });
  }
  return outcomes;
}

/** Only leads and archived records, with no KYC documents on file and no books in the ledger. */
async function remove(trx: Trx, deps: Deps, actor: Actor, rows: SubscriberRow[]) {
  const ids = rows.map((s) => s.id);
  const [documents, books] = await Promise.all([repo.withDocuments(trx, ids), ownersWithBooks(trx, 'subscriber', ids)]);
  const outcomes = rows.map((s) => {
    if (s.status !== 'lead' && s.status !== 'archived') return result(s, `it is ${s.status}: only leads and archived subscribers can be deleted`);
    if (documents.has(s.id)) return result(s, 'it has KYC documents on file, which are kept');
    if (books.accounts.has(s.id)) return result(s, 'it has accounts in the ledger, which are kept');
    return result(s);
  });
  if (outcomes.some((o) => !o.ok)) return outcomes;
  for (const s of rows) await audit(trx, deps, actor, 'subscriber.delete', s, { accountNumber: s.account_number, name: s.name, status: s.status });
  await repo.remove(trx, ids);
  return outcomes;
}

async function run(trx: Trx, deps: Deps, actor: Actor, rows: SubscriberRow[], input: BulkAction): Promise<StatusChangeOutcome[]> {
  switch (input.action) {
    case 'activate':
      return applyStatus(trx, deps, actor, rows, 'active', input.reason);
    case 'resume': {
      const notSuspended = rows.filter((s) => s.status !== 'suspended' && s.status !== 'active');
      if (notSuspended.length) return rows.map((s) => (notSuspended.includes(s) ? result(s, `it is ${s.status}, not suspended`) : result(s)));
      return applyStatus(trx, deps, actor, rows, 'active', input.reason);
    }
    case 'archive':
      return applyStatus(trx, deps, actor, rows, 'archived', input.reason);
    case 'suspend':
      return suspend(trx, deps, actor, rows, input);
    case 'move':
      return move(trx, deps, actor, rows, input);
    case 'assign':
      return assign(trx, deps, actor, rows, input);
    case 'delete':
      return remove(trx, deps, actor, rows);
  }
}

export async function bulkAction(deps: Deps, actor: Actor, input: BulkAction) {
  requirePermission(actor, input.action === 'delete' ? 'subscribers.delete' : 'subscribers.update');
  const scope = actor.principal.scope;
  let outcomes: StatusChangeOutcome[];
  try {
    outcomes = await deps.db.transaction().execute(async (trx) => {
      const ids = input.ids ?? (await repo.idsMatching(trx, scope, input.filter!, MAX_BULK + 1));
      if (ids.length > MAX_BULK) throw new ConflictError(`The filter selects more than ${MAX_BULK} subscribers: narrow it down`);
      const rows = await repo.lockInScope(trx, scope, [...new Set(ids)]);
      if (input.ids && rows.length !== new Set(ids).size) throw new NotFoundError('Subscriber');
      const done = await run(trx, deps, actor, rows, input);
      if (input.dryRun || done.some((o) => !o.ok)) throw new Rollback(done);
      return done;
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    outcomes = err.outcomes;
    return { applied: false, dryRun: input.dryRun, total: outcomes.length, failed: outcomes.filter((o) => !o.ok).length, results: outcomes };
  }
  return { applied: true, dryRun: false, total: outcomes.length, failed: 0, results: outcomes };
}

/** One subscriber, with the safeguards of the bulk delete. */
export async function deleteSubscriber(deps: Deps, actor: Actor, id: string): Promise<void> {
  const r = await bulkAction(deps, actor, { action: 'delete', ids: [id], reason: '', renumber: false, dryRun: false });
  if (!r.applied) throw new ConflictError(`The subscriber cannot be deleted: ${r.results[0]!.error}`);
}
