import type { Transaction } from 'kysely';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Organization, SubscriberStatus } from '../../platform/db/schema.ts';
import { BadRequestError, ConflictError, NotFoundError, UnprocessableError, type FieldError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import { addressRows, normaliseContacts } from './contacts.ts';
import { phoneCountryOf } from './phones.ts';
import * as repo from './subscribers.repo.ts';
import { canChangeStatus, formatAccountNumber, searchTextOf, statusesNeedingReason } from './subscribers.rules.ts';
import {
  mapAddress,
  mapContact,
  mapSubscriber,
  type CreateSubscriberInput,
  type SubscriberListQuery,
  type SubscriberRow,
  type UpdateSubscriberInput,
} from './subscribers.schemas.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type Trx = Transaction<DB>;

/** The organization in the caller's subtree that may hold subscribers (a card partner holds none). */
export async function holdingOrganization(trx: Trx | AppContext['db'], actor: Actor, id: string): Promise<Organization> {
  const org = await orgRepo.findInScope(trx, actor.principal.scope, id);
  if (!org) throw new NotFoundError('Organization');
  if (org.kind === 'card_partner') throw new UnprocessableError('A card partner sells cards and holds no subscribers', [{ field: 'organizationId', message: 'is a card partner' }]);
  return org;
}

/** `count` fresh account numbers of the organization, in order, skipping any already held (imported numbers). */
export async function allocateAccountNumbers(trx: Trx, organizationId: string, count: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < count) {
    const want = count - out.length;
    const { format, last } = await repo.advanceSequence(trx, organizationId, want);
    const candidates = Array.from({ length: want }, (_, i) => formatAccountNumber(format, last - BigInt(want - 1 - i)));
    const taken = await repo.takenAccountNumbers(trx, organizationId, candidates);
    out.push(...candidates.filter((c) => !taken.has(c)));
  }
  return out;
}

async function checkAssignee(trx: Trx, actor: Actor, userId: string | null | undefined): Promise<void> {
  if (userId && !(await repo.userInScope(trx, actor.principal.scope, userId)))
    throw new BadRequestError('The assigned staff member is not in your organization tree', [{ field: 'assignedUserId', message: 'is not a user you can see' }]);
}

function contactsOrThrow(input: Parameters<typeof normaliseContacts>[0], org: Organization) {
  const { rows, errors } = normaliseContacts(input, phoneCountryOf(org.currency));
  if (errors.length) throw new BadRequestError('Some contacts are not valid', errors);
  return rows;
}

async function refreshSearchText(trx: Trx, s: Pick<SubscriberRow, 'id' | 'name' | 'company_name' | 'account_number' | 'national_id'>): Promise<void> {
  const contacts = await repo.contactsOf(trx, [s.id]);
  const services = await repo.serviceIdentifiers(trx, s.id);
  await repo.setSearchText(trx, s.id, searchTextOf({ name: s.name, companyName: s.company_name, accountNumber: s.account_number, nationalId: s.national_id }, contacts, services));
}

/** After a subscription's login, MAC or addresses change: the subscriber is found by them. */
export async function refreshSubscriberSearch(trx: Trx, subscriberId: string): Promise<void> {
  await refreshSearchText(trx, await trx.selectFrom('subscribers').selectAll().where('id', '=', subscriberId).executeTakeFirstOrThrow());
}

function companyCheck(kind: string, companyName: string | null | undefined): void {
  if (kind === 'company' && !companyName) throw new BadRequestError('A company needs its company name', [{ field: 'companyName', message: 'is required for a company' } satisfies FieldError]);
}

export async function audit(trx: Trx, deps: Deps, actor: Actor, action: string, s: { id: string; organization_id: string }, before?: unknown, after?: unknown): Promise<void> {
  const org = await orgRepo.findById(trx, s.organization_id);
  await appendAudit(trx, deps.clock, actor.audit, { action, organizationId: s.organization_id, organizationPath: org?.path ?? null, objectType: 'subscriber', objectId: s.id, before, after });
}

export async function detail(db: Deps['db'] | Trx, actor: Actor, id: string) {
  const s = await repo.findInScope(db, actor.principal.scope, id);
  if (!s) throw new NotFoundError('Subscriber');
  const [contacts, addresses] = await Promise.all([repo.contactsOf(db, [id]), repo.addressesOf(db, id)]);
  return { ...mapSubscriber(s), contacts: contacts.map(mapContact), addresses: addresses.map(mapAddress) };
}

async function subscriberPage(deps: Deps, actor: Actor, request: SubscriberListQuery) {
  const query = repo.withDefaultSort(request);
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  return page(rows, repo.subscriberSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
}

export async function listSubscribers(deps: Deps, actor: Actor, request: SubscriberListQuery) {
  requirePermission(actor, 'subscribers.read');
  const p = await subscriberPage(deps, actor, request);
  return { items: p.items.map(mapSubscriber), nextCursor: p.nextCursor };
}

export const exportColumns = ['accountNumber', 'kind', 'name', 'companyName', 'nationalId', 'status', 'phone', 'email', 'tags', 'organizationId', 'assignedUserId', 'suspendOn', 'createdAt', 'id'];

export async function exportSubscribers(deps: Deps, actor: Actor, query: Omit<SubscriberListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'subscribers.export');
  const subscribers = await everyPage(query, (q: SubscriberListQuery) => subscriberPage(deps, actor, q));
  const rows = subscribers.map((s) => ({ ...mapSubscriber(s), tags: s.tags.join(';') }));
  return toCsv(exportColumns, rows);
}

export async function getSubscriber(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'subscribers.read');
  return detail(deps.db, actor, id);
}

export async function createSubscriber(deps: Deps, actor: Actor, input: CreateSubscriberInput) {
  requirePermission(actor, 'subscribers.create');
  companyCheck(input.kind, input.companyName);
  return deps.db.transaction().execute(async (trx) => {
    const org = await holdingOrganization(trx, actor, input.organizationId ?? actor.principal.scope.orgId);
    const contacts = contactsOrThrow(input.contacts, org);
    await checkAssignee(trx, actor, input.assignedUserId);
    const [accountNumber] = await allocateAccountNumbers(trx, org.id, 1);
    const now = deps.clock.now();
    const { id } = await repo.insert(trx, {
      organization_id: org.id,
      account_number: accountNumber!,
      kind: input.kind,
      name: input.name,
      company_name: input.companyName ?? null,
      national_id: input.nationalId ?? null,
      status: input.status,
      assigned_user_id: input.assignedUserId ?? null,
      tags: input.tags,
      custom_fields: JSON.stringify(input.customFields),
      suspend_on: null,
      suspend_reason: null,
      search_text: searchTextOf({ name: input.name, companyName: input.companyName ?? null, accountNumber: accountNumber!, nationalId: input.nationalId ?? null }, contacts),
      created_at: now,
      updated_at: now,
    });
    await repo.insertContacts(trx, contacts.map((c) => ({ ...c, subscriber_id: id })));
    await repo.insertAddresses(trx, addressRows(input.addresses).map((a) => ({ ...a, subscriber_id: id })));
    await repo.insertStatusChanges(trx, [{ subscriber_id: id, from_status: null, to_status: input.status, reason: '', at: now, changed_by: actor.principal.userId }]);
    const created = await detail(trx, actor, id);
    await audit(trx, deps, actor, 'subscriber.create', { id, organization_id: org.id }, undefined, created);
    return created;
  });
}

export async function updateSubscriber(deps: Deps, actor: Actor, id: string, input: UpdateSubscriberInput) {
  requirePermission(actor, 'subscribers.update');
  return deps.db.transaction().execute(async (trx) => {
    const [current] = await repo.lockInScope(trx, actor.principal.scope, [id]);
    if (!current) throw new NotFoundError('Subscriber');
    const before = await detail(trx, actor, id);
    companyCheck(input.kind ?? current.kind, input.companyName === undefined ? current.company_name : input.companyName);
    if (input.assignedUserId !== undefined) await checkAssignee(trx, actor, input.assignedUserId);
    const org = (await orgRepo.findById(trx, current.organization_id))!;
    if (input.contacts) {
      const rows = contactsOrThrow(input.contacts, org);
      const own = new Set(before.contacts.map((c) => c.id));
      if (rows.some((r) => r.id && !own.has(r.id))) throw new BadRequestError('A contact id is not one of this subscriber’s', [{ field: 'contacts', message: 'names a contact of another subscriber' }]);
      await repo.replaceContacts(trx, id, rows);
    }
    if (input.addresses) {
      const own = new Set(before.addresses.map((a) => a.id));
      if (input.addresses.some((a) => a.id && !own.has(a.id))) throw new BadRequestError('An address id is not one of this subscriber’s', [{ field: 'addresses', message: 'names an address of another subscriber' }]);
      await repo.replaceAddresses(trx, id, addressRows(input.addresses));
    }
    await repo.update(trx, [id], {
      kind: input.kind,
      name: input.name,
      company_name: input.companyName,
      national_id: input.nationalId,
      assigned_user_id: input.assignedUserId,
      tags: input.tags,
      custom_fields: input.customFields === undefined ? undefined : JSON.stringify(input.customFields),
      updated_at: deps.clock.now(),
    });
    await refreshSearchText(trx, (await repo.findInScope(trx, actor.principal.scope, id))!);
    const after = await detail(trx, actor, id);
    await audit(trx, deps, actor, 'subscriber.update', current, before, after);
    return after;
  });
}

export interface StatusChangeOutcome {
  id: string;
  accountNumber: string;
  ok: boolean;
  unchanged?: boolean;
  error?: string;
}

/**
 * Moves locked subscribers to a status, writing history and audit. A subscriber already there is
 * left as it is; one whose status may not go there is answered with the reason and not touched.
 */
export async function applyStatus(trx: Trx, deps: Deps, actor: Actor, subscribers: readonly SubscriberRow[], to: SubscriberStatus, reason: string): Promise<StatusChangeOutcome[]> {
  if (statusesNeedingReason.includes(to) && !reason) throw new BadRequestError(`Say why the subscriber is ${to}`, [{ field: 'reason', message: `is required for ${to}` }]);
  const now = deps.clock.now();
  const outcomes: StatusChangeOutcome[] = [];
  const moving: SubscriberRow[] = [];
  for (const s of subscribers) {
    if (s.status === to) outcomes.push({ id: s.id, accountNumber: s.account_number, ok: true, unchanged: true });
    else if (!canChangeStatus(s.status, to)) outcomes.push({ id: s.id, accountNumber: s.account_number, ok: false, error: `it is ${s.status} and cannot become ${to}` });
    else {
      moving.push(s);
      outcomes.push({ id: s.id, accountNumber: s.account_number, ok: true });
    }
  }
  if (outcomes.some((o) => !o.ok)) return outcomes;
  // A scheduled suspension is done (or moot) once the subscriber leaves active.
  await repo.update(trx, moving.map((s) => s.id), { status: to, updated_at: now, ...(to !== 'active' ? { suspend_on: null, suspend_reason: null } : {}) });
  await repo.insertStatusChanges(trx, moving.map((s) => ({ subscriber_id: s.id, from_status: s.status, to_status: to, reason, at: now, changed_by: actor.principal.userId })));
  for (const s of moving) await audit(trx, deps, actor, 'subscriber.status', s, { status: s.status }, { status: to, reason });
  return outcomes;
}

export async function changeStatus(deps: Deps, actor: Actor, id: string, input: { status: SubscriberStatus; reason: string }) {
  requirePermission(actor, 'subscribers.update');
  return deps.db.transaction().execute(async (trx) => {
    const [current] = await repo.lockInScope(trx, actor.principal.scope, [id]);
    if (!current) throw new NotFoundError('Subscriber');
    const [outcome] = await applyStatus(trx, deps, actor, [current], input.status, input.reason);
    if (outcome!.unchanged) throw new ConflictError(`The subscriber is already ${input.status}`);
    if (!outcome!.ok) throw new ConflictError(`The subscriber is ${current.status} and cannot become ${input.status}`, [{ field: 'status', message: outcome!.error! }]);
    return detail(trx, actor, id);
  });
}

export async function statusHistory(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'subscribers.read');
  if (!(await repo.findInScope(deps.db, actor.principal.scope, id))) throw new NotFoundError('Subscriber');
  const rows = await repo.statusHistory(deps.db, id);
  return rows.map((h) => ({
    id: h.id.toString(),
    from: h.from_status,
    to: h.to_status,
    reason: h.reason,
    at: h.at.toISOString(),
    by: h.user_id ? { id: h.user_id, name: h.user_name! } : null,
  }));
}

export async function listNotes(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'subscribers.read');
  if (!(await repo.findInScope(deps.db, actor.principal.scope, id))) throw new NotFoundError('Subscriber');
  const rows = await repo.notesOf(deps.db, id);
  return rows.map((n) => ({ id: n.id, body: n.body, author: n.user_id ? { id: n.user_id, name: n.user_name! } : null, createdAt: n.created_at.toISOString() }));
}

export async function addNote(deps: Deps, actor: Actor, id: string, body: string) {
  requirePermission(actor, 'subscribers.update');
  return deps.db.transaction().execute(async (trx) => {
    const s = await repo.findInScope(trx, actor.principal.scope, id);
    if (!s) throw new NotFoundError('Subscriber');
    const n = await repo.insertNote(trx, { subscriber_id: id, body, author_id: actor.principal.userId, created_at: deps.clock.now() });
    await audit(trx, deps, actor, 'subscriber.note', s, undefined, { noteId: n.id, body });
    return { id: n.id, body: n.body, author: { id: actor.principal.userId, name: actor.principal.userName }, createdAt: n.created_at.toISOString() };
  });
}

export async function getNumbering(deps: Deps, actor: Actor, organizationId: string) {
  requirePermission(actor, 'subscribers.read');
  const org = await holdingOrganization(deps.db, actor, organizationId);
  const seq = await repo.findSequence(deps.db, org.id);
  const format = seq?.format ?? '{seq:6}';
  const last = seq?.last_number ?? 0n;
  return { organizationId: org.id, format, lastNumber: last.toString(), example: formatAccountNumber(format, last + 1n) };
}

export async function setNumbering(deps: Deps, actor: Actor, input: { organizationId: string; format: string }) {
  requirePermission(actor, 'organizations.update');
  await deps.db.transaction().execute(async (trx) => {
    const org = await holdingOrganization(trx, actor, input.organizationId);
    const before = await repo.findSequence(trx, org.id);
    await repo.setSequenceFormat(trx, org.id, input.format);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'subscriber.numbering',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'organization',
      objectId: org.id,
      before: before ? { format: before.format } : null,
      after: { format: input.format },
    });
  });
  return getNumbering(deps, actor, input.organizationId);
}
