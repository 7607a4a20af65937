/**
 * The SQL of recharge cards: batches, cards, their history, the PIN key and the failed-attempt
 * counters. A caller sees a card when the card's organization is in its scope (the ISP or reseller
 * that printed it) or the card is assigned to a distributor in its scope (the card partner).
 */
import { sql, type Insertable, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Card, CardBatch, CardBatchesTable, CardEventsTable, CardState, CardsTable } from '../../platform/db/schema/cards.ts';
import { subtreePattern, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** `<column> in (the scope's subtree)`, for any aliased column holding an organization id. */
const within = (scope: Scope, column: string) => sql<SqlBool>`${sql.ref(column)} in (select o.id from organizations o where o.path like ${subtreePattern(scope)})`;

export type BatchRow = CardBatch & { organization_name: string; plan_name: string | null; plan_code: string | null; counts: Record<string, number> };

const stateCounts = sql<Record<string, number>>`(select coalesce(jsonb_object_agg(state, n), '{}'::jsonb) from (select state, count(*)::int as n from cards c where c.batch_id = b.id group by state) s)`;

function batches(db: Db) {
  return db
    .selectFrom('card_batches as b')
    .innerJoin('organizations as o', 'o.id', 'b.organization_id')
    .leftJoin('plans as p', 'p.id', 'b.plan_id')
    .selectAll('b')
    .select(['o.name as organization_name', 'p.name as plan_name', 'p.code as plan_code', stateCounts.as('counts')]);
}

/** A batch the scope printed, or one with a card assigned to a distributor in the scope. */
function batchVisible(scope: Scope) {
  return sql<SqlBool>`(${within(scope, 'b.organization_id')} or exists (select 1 from cards c where c.batch_id = b.id and ${within(scope, 'c.distributor_id')}))`;
}

export function listBatches(db: Db, scope: Scope, query: { limit: number; cursor?: string }): Promise<BatchRow[]> {
  let q = batches(db).where(batchVisible(scope));
  if (query.cursor) q = q.where('b.id', '<', query.cursor);
  return q.orderBy('b.id', 'desc').limit(query.limit + 1).execute();
}

export function findBatchVisible(db: Db, scope: Scope, id: string): Promise<BatchRow | undefined> {
  return batches(db).where('b.id', '=', id).where(batchVisible(scope)).executeTakeFirst();
}

/** A batch the scope owns (printed by an organization of the scope): what staff may change. */
export function findBatchOwned(db: Db, scope: Scope, id: string): Promise<BatchRow | undefined> {
  return batches(db).where('b.id', '=', id).where(within(scope, 'b.organization_id')).executeTakeFirst();
}

export function findBatch(db: Db, id: string): Promise<CardBatch | undefined> {
  return db.selectFrom('card_batches').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertBatch(db: Db, values: Insertable<CardBatchesTable>): Promise<CardBatch> {
  return db.insertInto('card_batches').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertCards(db: Db, rows: Insertable<CardsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto('cards').values(rows.slice(i, i + 1000)).execute();
}

export type CardRow = Card & { distributor_name: string | null; batch_number: bigint };

function cards(db: Db) {
  return db
    .selectFrom('cards')
    .innerJoin('card_batches as b', 'b.id', 'cards.batch_id')
    .leftJoin('organizations as d', 'd.id', 'cards.distributor_id')
    .selectAll('cards')
    .select(['d.name as distributor_name', 'b.number as batch_number']);
}

/** The cards of a batch the caller sees: all of them when it owns the batch, else those assigned to its distributors. */
export function cardsOfBatch(db: Db, scope: Scope, batchId: string, owned: boolean, query: { state?: CardState; limit: number; cursor?: number }): Promise<CardRow[]> {
  let q = cards(db).where('cards.batch_id', '=', batchId);
  if (!owned) q = q.where(within(scope, 'cards.distributor_id'));
  if (query.state) q = q.where('cards.state', '=', query.state);
  if (query.cursor !== undefined) q = q.where('cards.seq', '>', query.cursor);
  return q.orderBy('cards.seq').limit(query.limit + 1).execute();
}

/** Every card of a batch in the serial range the caller may act on, locked. */
export function lockRange(trx: Transaction<DB>, scope: Scope, batchId: string, owned: boolean, from: number, to: number): Promise<Card[]> {
  let q = trx.selectFrom('cards').selectAll().where('batch_id', '=', batchId).where('seq', '>=', from).where('seq', '<=', to);
  if (!owned) q = q.where(within(scope, 'cards.distributor_id'));
  return q.orderBy('seq').forUpdate().execute();
}

export function allCardsOfBatch(db: Db, batchId: string): Promise<Card[]> {
  return db.selectFrom('cards').selectAll().where('batch_id', '=', batchId).orderBy('seq').execute();
}

export async function updateCards(db: Db, ids: readonly string[], values: Partial<Insertable<CardsTable>>): Promise<void> {
  if (ids.length > 0) await db.updateTable('cards').set(values).where('id', 'in', ids).execute();
}

export async function insertEvents(db: Db, rows: Insertable<CardEventsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto('card_events').values(rows.slice(i, i + 1000)).execute();
}

export function eventsOfCard(db: Db, cardId: string) {
  return db
    .selectFrom('card_events as e')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    .selectAll('e')
    .select('u.name as user_name')
    .where('e.card_id', '=', cardId)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
}

export function findCardVisible(db: Db, scope: Scope, id: string): Promise<CardRow | undefined> {
  return cards(db)
    .where('cards.id', '=', id)
    .where(sql<SqlBool>`(${within(scope, 'cards.organization_id')} or ${within(scope, 'cards.distributor_id')})`)
    .executeTakeFirst();
}

export function findByPinHash(db: Db, pinHash: string): Promise<Card | undefined> {
  return db.selectFrom('cards').selectAll().where('pin_hash', '=', pinHash).executeTakeFirst();
}

/**
 * Takes a sold card for one subscriber: the state check in the update is what makes a card
 * redeemable once, whatever the concurrency (a second update waits for the first's row lock, then
 * finds the state changed and matches nothing).
 */
export function claimSold(trx: Transaction<DB>, cardId: string, subscriberId: string, now: Date): Promise<Card | undefined> {
  return trx
    .updateTable('cards')
    .set({ state: 'redeemed', redeemed_at: now, subscriber_id: subscriberId, pin_enc: null, updated_at: now })
    .where('id', '=', cardId)
    .where('state', '=', 'sold')
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

// ---- the PIN key ----

export function pinKey(db: Db): Promise<{ key_enc: string } | undefined> {
  return db.selectFrom('card_keys').select('key_enc').where('id', '=', 1).executeTakeFirst();
}

export async function insertPinKey(db: Db, keyEnc: string): Promise<void> {
  await db.insertInto('card_keys').values({ id: 1, key_enc: keyEnc }).onConflict((oc) => oc.column('id').doNothing()).execute();
}

// ---- failed attempts ----

/** The latest lock among the buckets that is still in force, if any. */
export async function lockedUntil(db: Db, buckets: readonly string[], now: Date): Promise<Date | null> {
  if (buckets.length === 0) return null;
  const row = await db
    .selectFrom('card_redeem_limits')
    .select((eb) => eb.fn.max('locked_until').as('until'))
    .where('bucket', 'in', buckets)
    .where('locked_until', '>', now)
    .executeTakeFirst();
  return row?.until ? new Date(row.until as unknown as string) : null;
}

/**
 * Counts one failure in a bucket: a new window when the last one is over; a lock once the count
 * reaches the limit within the window. One statement, so concurrent failures all count.
 */
export async function countFailure(db: Db, bucket: string, now: Date, limit: { failures: number; windowSeconds: number; lockSeconds: number }): Promise<void> {
  const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000);
  const lockEnd = new Date(now.getTime() + limit.lockSeconds * 1000);
  await sql`
    insert into card_redeem_limits as l (bucket, failures, window_started_at, locked_until)
    values (${bucket}, 1, ${now}, ${limit.failures <= 1 ? lockEnd : null})
    on conflict (bucket) do update set
      failures = case when l.window_started_at < ${windowStart} then 1 else l.failures + 1 end,
      window_started_at = case when l.window_started_at < ${windowStart} then ${now} else l.window_started_at end,
      locked_until = case
        when (case when l.window_started_at < ${windowStart} then 1 else l.failures + 1 end) >= ${limit.failures} then ${lockEnd}::timestamptz
        else l.locked_until end`.execute(db);
}

// ---- expiry ----

export function lockExpired(trx: Transaction<DB>, now: Date, limit: number): Promise<Card[]> {
  return trx
    .selectFrom('cards')
    .selectAll()
    .where('state', 'in', ['generated', 'assigned', 'sold'])
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}
