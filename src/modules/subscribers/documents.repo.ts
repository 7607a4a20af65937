import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB, SubscriberDocument, SubscriberDocumentsTable } from '../../platform/db/schema.ts';
import { inScope, type Scope } from '../../platform/tenancy/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export function documentsOf(db: Db, subscriberId: string): Promise<SubscriberDocument[]> {
  return db.selectFrom('subscriber_documents').selectAll().where('subscriber_id', '=', subscriberId).orderBy('uploaded_at', 'desc').orderBy('id').execute();
}

export function findDocumentInScope(db: Db, scope: Scope, subscriberId: string, id: string): Promise<SubscriberDocument | undefined> {
  return db
    .selectFrom('subscriber_documents')
    .innerJoin('subscribers', 'subscribers.id', 'subscriber_documents.subscriber_id')
    .selectAll('subscriber_documents')
    .where('subscriber_documents.id', '=', id)
    .where('subscriber_documents.subscriber_id', '=', subscriberId)
    .where(inScope(scope, 'subscribers.organization_id'))
    .executeTakeFirst();
}

export function insertDocument(db: Db, values: Insertable<SubscriberDocumentsTable>): Promise<SubscriberDocument> {
  return db.insertInto('subscriber_documents').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function deleteDocument(db: Db, id: string): Promise<void> {
  await db.deleteFrom('subscriber_documents').where('id', '=', id).execute();
}
