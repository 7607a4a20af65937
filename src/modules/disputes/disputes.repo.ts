/** SQL of billing disputes and their notes. */
import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Dispute, DisputeNote, DisputesTable, DisputeStatus } from '../../platform/db/schema/payment-cases.ts';
import { type Scope, inScope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function insertDispute(trx: Transaction<DB>, values: Insertable<DisputesTable>): Promise<Dispute> {
  return trx.insertInto('disputes').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findInScope(db: Db, scope: Scope, id: string): Promise<Dispute | undefined> {
  return db.selectFrom('disputes').selectAll().where('id', '=', id).where(inScope(scope, 'disputes.organization_id')).executeTakeFirst();
}

export function lockDispute(trx: Transaction<DB>, id: string): Promise<Dispute | undefined> {
  return trx.selectFrom('disputes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateDispute(trx: Transaction<DB>, id: string, values: Updateable<DisputesTable>): Promise<Dispute> {
  return trx.updateTable('disputes').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function addNote(trx: Transaction<DB>, values: { dispute_id: string; author_id: string | null; body: string; created_at: Date }): Promise<void> {
  await trx.insertInto('dispute_notes').values(values).execute();
}

export function notesOf(db: Db, disputeId: string): Promise<(DisputeNote & { author_name: string | null })[]> {
  return db
    .selectFrom('dispute_notes as n')
    .leftJoin('users as u', 'u.id', 'n.author_id')
    .selectAll('n')
    .select('u.name as author_name')
    .where('n.dispute_id', '=', disputeId)
    .orderBy('n.created_at')
    .orderBy('n.id')
    .execute();
}

export type ListedDispute = Dispute & { subscriber_name: string; invoice_number: string | null; receipt_no: bigint | null };

export function list(db: Db, scope: Scope, query: { status?: DisputeStatus | 'active'; subscriberId?: string; invoiceId?: string; limit: number; before?: string }): Promise<ListedDispute[]> {
  let q = db
    .selectFrom('disputes as d')
    .innerJoin('subscribers as s', 's.id', 'd.subscriber_id')
    .leftJoin('invoices as i', 'i.id', 'd.invoice_id')
    .leftJoin('payments as p', 'p.id', 'd.payment_id')
    .selectAll('d')
    .select(['s.name as subscriber_name', 'i.number as invoice_number', 'p.receipt_no'])
    .where((eb) => inScope(scope, 'd.organization_id')(eb as never));
  if (query.status) q = q.where('d.status', 'in', query.status === 'active' ? ['open', 'under_review'] : [query.status]);
  if (query.subscriberId) q = q.where('d.subscriber_id', '=', query.subscriberId);
  if (query.invoiceId) q = q.where('d.invoice_id', '=', query.invoiceId);
  // uuid_v7 ids grow with time: newest first, and `before` pages on.
  if (query.before) q = q.where('d.id', '<', query.before);
  return q.orderBy('d.id', 'desc').limit(query.limit + 1).execute() as Promise<ListedDispute[]>;
}
