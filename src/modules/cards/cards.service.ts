/**
 * Recharge cards as staff and distributors handle them: print a batch, hand ranges of it to a card
 * partner, record them sold, void them, read their history and export them. Every move of a card
 * is a row of its history; every move of money is one journal entry in the books of the
 * organization that printed the batch (the value is owed as unredeemed cards until redeemed).
 */
import type { Transaction } from 'kysely';
import { cardPartnerPaid, cardsSold, reversalLines, type PostingLine } from '../../core/ledger.ts';
import { formatMoney, parseMoney, type Money } from '../../core/money.ts';
import { formatPin, formatSerial, generatePin, pinLookupHash } from '../../core/voucher-codes.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Organization } from '../../platform/db/schema.ts';
import type { Card, CardBatch, CardState } from '../../platform/db/schema/cards.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { toCsv } from '../../platform/http/list.ts';
import { orgInScope } from '../../platform/tenancy/scope.ts';
import { postEvent } from '../ledger/ledger.service.ts';
import * as ledgerRepo from '../ledger/ledger.repo.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as repo from './cards.repo.ts';
import { type AssignInput, type CreateBatchInput, type SellInput, type VoidInput, mapBatch, mapCard } from './cards.schemas.ts';
import { pinKey } from './pin-key.ts';

export type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets'>;
type Trx = Transaction<DB>;

const sellerKinds = new Set(['isp', 'reseller', 'sub_reseller']);

async function organizationInScope(db: Deps['db'] | Trx, actor: Actor, id: string): Promise<Organization> {
  const org = await db.selectFrom('organizations').selectAll().where('id', '=', id).where(orgInScope(actor.principal.scope)).executeTakeFirst();
  if (!org) throw new NotFoundError('Organization');
  return org;
}

export async function createBatch(deps: Deps, actor: Actor, input: CreateBatchInput) {
  requirePermission(actor, 'cards.create');
  const key = await pinKey(deps.db, deps.secrets);
  const now = deps.clock.now();
  const expiresAt = new Date(input.expiresAt);
  if (expiresAt <= now) throw new UnprocessableError('A batch cannot expire in the past', [{ field: 'expiresAt', message: 'is in the past' }]);
  return deps.db.transaction().execute(async (trx) => {
    const org = await organizationInScope(trx, actor, input.organizationId ?? actor.principal.scope.orgId);
    if (!sellerKinds.has(org.kind)) throw new UnprocessableError(`${org.name} is a ${org.kind.replace('_', ' ')}: cards are printed by the ISP or a reseller`, [{ field: 'organizationId', message: 'cannot print cards' }]);
    const currency = input.currency ?? org.currency;
    const value = parseMoney(input.value, currency);
    if (value.minor <= 0n) throw new UnprocessableError('A card must be worth more than zero', [{ field: 'value', message: 'must be more than zero' }]);
    if (input.planId) await planOfBatch(trx, org, input.planId);
    const batch = await repo.insertBatch(trx, {
      organization_id: org.id,
      name: input.name,
      prefix: input.prefix,
      plan_id: input.planId ?? null,
      face_value: value.minor,
      currency,
      quantity: input.quantity,
      expires_at: expiresAt,
      created_by: actor.principal.userId,
    });
    const rows = Array.from({ length: input.quantity }, (_, i) => {
      const pin = generatePin();
      return {
        batch_id: batch.id,
        organization_id: org.id,
        seq: i + 1,
        serial: formatSerial(batch.prefix, batch.number, i + 1),
        pin_hash: pinLookupHash(key, pin),
        pin_enc: deps.secrets.seal(pin),
        expires_at: expiresAt,
        updated_at: now,
      };
    });
    // A PIN drawn twice (1 in 2^59 per pair) fails the unique index and the whole batch: printing again is the remedy.
    await repo.insertCards(trx, rows);
    const ids = (await repo.allCardsOfBatch(trx, batch.id)).map((c) => c.id);
    await repo.insertEvents(trx, ids.map((card_id) => ({ card_id, organization_id: org.id, from_state: null, to_state: 'generated' as const, at: now, user_id: actor.principal.userId })));
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'cards.batch_created',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'card_batch',
      objectId: batch.id,
      after: { name: batch.name, number: batch.number, quantity: batch.quantity, value: input.value, currency, planId: batch.plan_id, expiresAt: expiresAt.toISOString() },
    });
    return mapBatch((await repo.findBatchOwned(trx, actor.principal.scope, batch.id))!);
  });
}

/** The plan a plan card buys: one the batch's organization sells (its own, or shared from above). */
async function planOfBatch(db: Deps['db'] | Trx, org: Organization, planId: string) {
  const plan = await db
    .selectFrom('plans')
    .innerJoin('organizations as o', 'o.id', 'plans.organization_id')
    .select(['plans.id', 'plans.name', 'plans.status', 'plans.organization_id', 'plans.shared_with_subtree', 'o.path'])
    .where('plans.id', '=', planId)
    .executeTakeFirst();
  const sells = plan && (plan.organization_id === org.id || (plan.shared_with_subtree && org.path.startsWith(plan.path)));
  if (!plan || !sells) throw new UnprocessableError(`${org.name} does not sell this plan`, [{ field: 'planId', message: 'is not a plan of the organization' }]);
  if (plan.status !== 'active') throw new UnprocessableError(`The plan ${plan.name} is archived`, [{ field: 'planId', message: 'is archived' }]);
  return plan;
}

export async function listBatches(deps: Deps, actor: Actor, query: { limit: number; cursor?: string }) {
  requirePermission(actor, 'cards.read');
  const rows = await repo.listBatches(deps.db, actor.principal.scope, query);
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  return { items: items.map(mapBatch), nextCursor: more ? items.at(-1)!.id : null };
}

async function visibleBatch(db: Deps['db'] | Trx, actor: Actor, id: string): Promise<{ batch: repo.BatchRow; owned: boolean }> {
  const owned = await repo.findBatchOwned(db, actor.principal.scope, id);
  if (owned) return { batch: owned, owned: true };
  const seen = await repo.findBatchVisible(db, actor.principal.scope, id);
  if (!seen) throw new NotFoundError('Card batch');
  return { batch: seen, owned: false };
}

export async function getBatch(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'cards.read');
  return mapBatch((await visibleBatch(deps.db, actor, id)).batch);
}

export async function listCards(deps: Deps, actor: Actor, batchId: string, query: { state?: CardState; limit: number; cursor?: number }) {
  requirePermission(actor, 'cards.read');
  const { batch, owned } = await visibleBatch(deps.db, actor, batchId);
  const rows = await repo.cardsOfBatch(deps.db, actor.principal.scope, batch.id, owned, query);
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  return { items: items.map((c) => mapCard(c, batch.currency)), nextCursor: more ? String(items.at(-1)!.seq) : null };
}

export async function getCard(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'cards.read');
  const card = await repo.findCardVisible(deps.db, actor.principal.scope, id);
  if (!card) throw new NotFoundError('Card');
  const batch = (await repo.findBatch(deps.db, card.batch_id))!;
  const history = await repo.eventsOfCard(deps.db, card.id);
  return {
    ...mapCard(card, batch.currency),
    history: history.map((e) => ({ from: e.from_state, to: e.to_state, at: e.at.toISOString(), by: e.user_name, note: e.note })),
  };
}

// ---- moves of a range of cards ----

interface RangeMove {
  /** States a card may leave for this move. */
  readonly from: readonly CardState[];
  readonly to: CardState;
}

async function lockedRange(trx: Trx, actor: Actor, batchId: string, from: number, to: number, mustOwn: boolean) {
  const { batch, owned } = await visibleBatch(trx, actor, batchId);
  if (mustOwn && !owned) throw new NotFoundError('Card batch');
  if (to > batch.quantity) throw new UnprocessableError(`The batch has ${batch.quantity} cards`, [{ field: 'to', message: `must be at most ${batch.quantity}` }]);
  const cards = await repo.lockRange(trx, actor.principal.scope, batch.id, owned, from, to);
  if (cards.length === 0) throw new UnprocessableError('None of these cards is yours to change', [{ field: 'from', message: 'names no card you hold' }]);
  return { batch, owned, cards };
}

function split(cards: readonly Card[], move: RangeMove) {
  const movable = cards.filter((c) => move.from.includes(c.state));
  const skipped = cards.filter((c) => !move.from.includes(c.state)).map((c) => ({ serial: c.serial, state: c.state }));
  return { movable, skipped };
}

async function recordMoves(trx: Trx, deps: Deps, actor: Actor, cards: readonly Card[], to: CardState, note = '', details: Record<string, unknown> = {}) {
  await repo.insertEvents(
    trx,
    cards.map((c) => ({ card_id: c.id, organization_id: c.organization_id, from_state: c.state, to_state: to, at: deps.clock.now(), user_id: actor.principal.userId, note, details })),
  );
}

async function auditRange(trx: Trx, deps: Deps, actor: Actor, batch: repo.BatchRow, action: string, after: Record<string, unknown>) {
  const org = (await orgRepo.findById(trx, batch.organization_id))!;
  await appendAudit(trx, deps.clock, actor.audit, { action, organizationId: org.id, organizationPath: org.path, objectType: 'card_batch', objectId: batch.id, after });
}

/** Percent text ("7.5") of a face value, rounded half up to the minor unit. */
function commissionOf(face: bigint, percent: string): bigint {
  const [whole = '0', frac = ''] = percent.split('.');
  const basisPoints = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  if (basisPoints > 10_000n) throw new UnprocessableError('A commission cannot be more than 100%', [{ field: 'commissionPercent', message: 'is more than 100' }]);
  return (face * basisPoints + 5_000n) / 10_000n;
}

export async function assignCards(deps: Deps, actor: Actor, batchId: string, input: AssignInput) {
  requirePermission(actor, 'cards.update');
  return deps.db.transaction().execute(async (trx) => {
    const { batch, cards } = await lockedRange(trx, actor, batchId, input.from, input.to, true);
    const distributor = await organizationInScope(trx, actor, input.distributorId).catch(() => undefined);
    const batchOrg = (await orgRepo.findById(trx, batch.organization_id))!;
    if (!distributor || distributor.kind !== 'card_partner' || !distributor.path.startsWith(batchOrg.path))
      throw new UnprocessableError('Cards go to a card partner under the organization that printed them', [{ field: 'distributorId', message: 'is not a card partner of this organization' }]);
    const { movable, skipped } = split(cards, { from: ['generated', 'assigned'], to: 'assigned' });
    const now = deps.clock.now();
    await recordMoves(trx, deps, actor, movable, 'assigned', '', { distributorId: distributor.id, commissionPercent: input.commissionPercent });
    await repo.updateCards(trx, movable.map((c) => c.id), { state: 'assigned', distributor_id: distributor.id, commission: commissionOf(batch.face_value, input.commissionPercent), assigned_at: now, updated_at: now });
    await auditRange(trx, deps, actor, batch, 'cards.assigned', { from: input.from, to: input.to, distributorId: distributor.id, commissionPercent: input.commissionPercent, cards: movable.length });
    return { changed: movable.length, skipped, entryId: null };
  });
}

/**
 * Cards sold: by a distributor (it then owes their value less its commission, or the value with
 * the commission payable), or by the organization itself at its counter. One journal entry per
 * distributor in the range.
 */
export async function sellCards(deps: Deps, actor: Actor, batchId: string, input: SellInput) {
  requirePermission(actor, 'cards.update');
  return deps.db.transaction().execute(async (trx) => {
    const { batch, owned, cards } = await lockedRange(trx, actor, batchId, input.from, input.to, false);
    const { movable, skipped } = split(cards, { from: owned ? ['generated', 'assigned'] : ['assigned'], to: 'sold' });
    const now = deps.clock.now();
    const groups = new Map<string | null, Card[]>();
    for (const c of movable) groups.set(c.distributor_id, [...(groups.get(c.distributor_id) ?? []), c]);
    let lastEntry: string | null = null;
    for (const [distributorId, group] of groups) {
      const terms = distributorId ? input.commissionSettlement : input.via;
      const posted = await postEvent(trx, deps.clock, {
        organizationId: batch.organization_id,
        kind: 'card_sale',
        lines: saleLines(batch, group, terms),
        idempotencyKey: `card-sale:${group[0]!.id}:${group.length}:${now.getTime()}`,
        memo: `Cards ${group[0]!.serial} … ${group.at(-1)!.serial} sold (${group.length})`,
        occurredAt: now,
        createdBy: actor.principal.userId,
      });
      await recordMoves(trx, deps, actor, group, 'sold', '', { entryId: posted.entry.id, terms });
      await repo.updateCards(trx, group.map((c) => c.id), { state: 'sold', sold_at: now, sale_entry_id: posted.entry.id, sale_terms: terms, updated_at: now });
      lastEntry = posted.entry.id;
    }
    await auditRange(trx, deps, actor, batch, 'cards.sold', { from: input.from, to: input.to, cards: movable.length });
    return { changed: movable.length, skipped, entryId: lastEntry };
  });
}

function saleLines(batch: Pick<CardBatch, 'face_value' | 'currency'>, cards: readonly Card[], terms: 'withheld' | 'payable' | 'cash' | 'bank'): PostingLine[] {
  const money = (minor: bigint): Money => ({ minor, currency: batch.currency });
  const distributorId = cards[0]!.distributor_id;
  const face = money(batch.face_value * BigInt(cards.length));
  const commission = money(cards.reduce((sum, c) => sum + c.commission, 0n));
  if (distributorId && (terms === 'withheld' || terms === 'payable')) return cardsSold({ distributorId, faceValue: face, commission, commissionSettlement: terms });
  return cardsSold({ faceValue: face, commission: money(0n), commissionSettlement: 'withheld', via: { kind: terms === 'bank' ? 'bank' : 'cash' } });
}

/** Cards taken out of circulation; a sold card's sale is reversed (the distributor no longer owes it). */
export async function voidCards(deps: Deps, actor: Actor, batchId: string, input: VoidInput) {
  requirePermission(actor, 'cards.delete');
  return deps.db.transaction().execute(async (trx) => {
    const { batch, cards } = await lockedRange(trx, actor, batchId, input.from, input.to, true);
    const { movable, skipped } = split(cards, { from: ['generated', 'assigned', 'sold'], to: 'void' });
    const now = deps.clock.now();
    const sold = movable.filter((c) => c.state === 'sold');
    let entryId: string | null = null;
    const byTerms = new Map<string, Card[]>();
    for (const c of sold) byTerms.set(`${c.distributor_id}|${c.sale_terms}`, [...(byTerms.get(`${c.distributor_id}|${c.sale_terms}`) ?? []), c]);
    for (const group of byTerms.values()) {
      const posted = await postEvent(trx, deps.clock, {
        organizationId: batch.organization_id,
        kind: 'card_void',
        lines: reversalLines(saleLines(batch, group, group[0]!.sale_terms ?? 'cash')),
        idempotencyKey: `card-void:${group[0]!.id}:${group.length}:${now.getTime()}`,
        memo: `Sold cards voided (${group.length}): ${input.reason}`,
        occurredAt: now,
        createdBy: actor.principal.userId,
      });
      entryId = posted.entry.id;
    }
    await recordMoves(trx, deps, actor, movable, 'void', input.reason);
    await repo.updateCards(trx, movable.map((c) => c.id), { state: 'void', voided_at: now, pin_enc: null, updated_at: now });
    await auditRange(trx, deps, actor, batch, 'cards.voided', { from: input.from, to: input.to, cards: movable.length, reason: input.reason });
    return { changed: movable.length, skipped, entryId };
  });
}

// ---- distributors ----

async function partnerBalance(db: Deps['db'] | Trx, organizationId: string, distributorId: string, currency: string, systemKey: string): Promise<bigint> {
  const account = await ledgerRepo.findAccountByKey(db, { organizationId, systemKey, currency, ownerType: 'card_partner', ownerId: distributorId });
  if (!account) return 0n;
  const withBalance = await ledgerRepo.findAccount(db, account.id);
  const raw = withBalance?.balance ?? 0n;
  return systemKey === 'accounts_receivable' ? raw : -raw;
}

/** Each card partner the caller sees with what it owes, the commission owed to it, and its cards. */
export async function listDistributors(deps: Deps, actor: Actor) {
  requirePermission(actor, 'cards.read');
  const partners = await deps.db
    .selectFrom('cards')
    .innerJoin('organizations as d', 'd.id', 'cards.distributor_id')
    .innerJoin('card_batches as b', 'b.id', 'cards.batch_id')
    .select(['d.id', 'd.name', 'b.organization_id', 'b.currency', 'cards.state'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(orgInScope(actor.principal.scope, 'd.path'))
    .groupBy(['d.id', 'd.name', 'b.organization_id', 'b.currency', 'cards.state'])
    .execute();
  const byKey = new Map<string, { distributorId: string; name: string; organizationId: string; currency: string; cards: Record<string, number> }>();
  for (const p of partners) {
    const k = `${p.id}|${p.organization_id}|${p.currency}`;
    const entry = byKey.get(k) ?? { distributorId: p.id, name: p.name, organizationId: p.organization_id, currency: p.currency, cards: {} };
    entry.cards[p.state] = Number(p.n);
    byKey.set(k, entry);
  }
  const items = [];
  for (const e of byKey.values()) {
    const owed = await partnerBalance(deps.db, e.organizationId, e.distributorId, e.currency, 'accounts_receivable');
    const payable = await partnerBalance(deps.db, e.organizationId, e.distributorId, e.currency, 'commission_payable');
    items.push({ distributorId: e.distributorId, name: e.name, currency: e.currency, owed: formatMoney({ minor: owed, currency: e.currency }), commissionPayable: formatMoney({ minor: payable, currency: e.currency }), cards: e.cards });
  }
  return { items };
}

/** Money a distributor paid for cards sold: it owes that much less. Recorded in the books of the organization above it that printed its cards. */
export async function recordDistributorPayment(deps: Deps, actor: Actor, distributorId: string, input: { amount: string; currency?: string; via: 'cash' | 'bank'; reference: string }) {
  requirePermission(actor, 'cards.update');
  return deps.db.transaction().execute(async (trx) => {
    const distributor = await organizationInScope(trx, actor, distributorId);
    if (distributor.kind !== 'card_partner') throw new NotFoundError('Card partner');
    const printer = await trx.selectFrom('cards').innerJoin('card_batches as b', 'b.id', 'cards.batch_id').select(['b.organization_id', 'b.currency']).where('cards.distributor_id', '=', distributor.id).executeTakeFirst();
    if (!printer || printer.organization_id === distributor.id) throw new UnprocessableError(`${distributor.name} holds no cards`);
    const org = await organizationInScope(trx, actor, printer.organization_id).catch(() => undefined);
    if (!org) throw new NotFoundError('Card partner');
    const amount = parseMoney(input.amount, input.currency ?? printer.currency);
    const taken = () => new ConflictError(`A payment with reference ${input.reference} is already recorded for ${distributor.name}`);
    const posted = await postEvent(trx, deps.clock, {
      organizationId: org.id,
      kind: 'card_partner_payment',
      lines: cardPartnerPaid({ distributorId: distributor.id, amount, via: { kind: input.via } }),
      idempotencyKey: `card-partner-payment:${distributor.id}:${input.reference}`,
      memo: `${distributor.name} paid for cards (${input.reference})`,
      occurredAt: deps.clock.now(),
      createdBy: actor.principal.userId,
    }).catch((err: unknown) => {
      // The reference was used before for another amount: the same answer as for the same amount.
      throw err instanceof ConflictError ? taken() : err;
    });
    if (posted.replayed) throw taken();
    await appendAudit(trx, deps.clock, actor.audit, { action: 'cards.partner_paid', organizationId: org.id, organizationPath: org.path, objectType: 'organization', objectId: distributor.id, after: { amount: input.amount, currency: amount.currency, reference: input.reference } });
    const owed = await partnerBalance(trx, org.id, distributor.id, amount.currency, 'accounts_receivable');
    return { distributorId: distributor.id, name: distributor.name, currency: amount.currency, owed: formatMoney({ minor: owed, currency: amount.currency }), commissionPayable: formatMoney({ minor: await partnerBalance(trx, org.id, distributor.id, amount.currency, 'commission_payable'), currency: amount.currency }), cards: {} };
  });
}

// ---- export ----

export interface PrintableCard {
  readonly seq: number;
  readonly serial: string;
  readonly pin: string;
  readonly state: CardState;
  readonly expiresAt: Date;
}

/**
 * The cards of a batch with their PINs opened, for printing and export: only for holders of
 * cards.export, only cards still to be sold or redeemed, and written to the audit log.
 */
export async function printableCards(deps: Deps, actor: Actor, batchId: string, what: 'csv' | 'pdf', range: { from?: number; to?: number } = {}) {
  requirePermission(actor, 'cards.export');
  return deps.db.transaction().execute(async (trx) => {
    const { batch, owned } = await visibleBatch(trx, actor, batchId);
    const rows = owned ? await repo.allCardsOfBatch(trx, batch.id) : (await repo.cardsOfBatch(trx, actor.principal.scope, batch.id, false, { limit: 10_000 })).slice(0, 10_000);
    const inRange = rows.filter((c) => c.seq >= (range.from ?? 1) && c.seq <= (range.to ?? Number.MAX_SAFE_INTEGER));
    const cards: PrintableCard[] = inRange.map((c) => ({ seq: c.seq, serial: c.serial, pin: c.pin_enc ? formatPin(deps.secrets.open(c.pin_enc)) : '', state: c.state, expiresAt: c.expires_at }));
    await auditRange(trx, deps, actor, batch, 'cards.exported', { format: what, from: range.from ?? 1, to: range.to ?? batch.quantity, cards: cards.filter((c) => c.pin).length });
    const org = (await orgRepo.findById(trx, batch.organization_id))!;
    return { batch, org, cards };
  });
}

export async function exportCsv(deps: Deps, actor: Actor, batchId: string): Promise<{ filename: string; csv: string }> {
  const { batch, cards } = await printableCards(deps, actor, batchId, 'csv');
  const value = formatMoney({ minor: batch.face_value, currency: batch.currency });
  const csv = toCsv(
    ['serial', 'pin', 'state', 'value', 'currency', 'plan', 'expiresAt'],
    cards.map((c) => ({ serial: c.serial, pin: c.pin, state: c.state, value, currency: batch.currency, plan: batch.plan_name ?? '', expiresAt: c.expiresAt.toISOString() })),
  );
  return { filename: `cards-${batch.number}.csv`, csv };
}
