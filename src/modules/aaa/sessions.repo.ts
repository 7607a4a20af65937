/**
 * Sessions (radacct) and enforcement requests as staff see them. A session belongs to the
 * subscription's organization when the username matched one, else to the NAS's: the scope is
 * checked on that owner, so a reseller sees its subscribers' sessions on the ISP's NAS.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { keyset, likeContains, type SortSpec } from '../../platform/http/list.ts';
import { subtreePattern, type Scope } from '../../platform/tenancy/scope.ts';
import type { SessionHistoryQuery, SessionListQuery } from './sessions.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

export const sessionSort: SortSpec = { fields: { id: 'r.radacctid' }, default: '-id', id: 'r.radacctid' };
export const enforcementSort: SortSpec = { fields: { created_at: 'e.created_at' }, default: '-created_at', id: 'e.id' };

function sessions(db: Db, scope: Scope) {
  return db
    .selectFrom('radacct as r')
    .leftJoin('subscriptions as s', 's.id', 'r.subscription_id')
    .leftJoin('subscribers as sb', 'sb.id', 's.subscriber_id')
    .leftJoin('nas_devices as n', 'n.id', 'r.nas_id')
    .select([
      'r.radacctid',
      'r.acctsessionid',
      'r.username',
      'r.subscription_id',
      's.subscriber_id',
      'sb.name as subscriber_name',
      'r.nas_id',
      'n.name as nas_name',
      sql<string>`host(r.nasipaddress)`.as('nas_address'),
      sql<string | null>`host(r.framedipaddress)`.as('framed_ip'),
      sql<string | null>`r.framedipv6prefix::text`.as('framed_ipv6_prefix'),
      sql<string | null>`r.delegatedipv6prefix::text`.as('delegated_ipv6_prefix'),
      'r.callingstationid',
      'r.acctstarttime',
      'r.acctupdatetime',
      'r.acctstoptime',
      'r.acctsessiontime',
      'r.acctinputoctets',
      'r.acctoutputoctets',
      'r.acctterminatecause',
    ])
    .where(sql<boolean>`coalesce(s.organization_id, r.organization_id) in (select o.id from organizations o where o.path like ${subtreePattern(scope)})`);
}

export type SessionRow = Awaited<ReturnType<ReturnType<typeof sessions>['executeTakeFirstOrThrow']>>;

/** Open sessions of the scope, newest first. */
export function listOnline(db: Db, scope: Scope, query: SessionListQuery): Promise<SessionRow[]> {
  let q = sessions(db, scope).where('r.acctstoptime', 'is', null);
  if (query.nasId) q = q.where('r.nas_id', '=', query.nasId);
  if (query.subscriptionId) q = q.where('r.subscription_id', '=', query.subscriptionId);
  if (query.q) {
    const like = likeContains(query.q);
    q = q.where((eb) => eb.or([eb('r.username', 'ilike', like), eb('r.callingstationid', 'ilike', like), sql<boolean>`host(r.framedipaddress) like ${like}`, eb('sb.name', 'ilike', like)]));
  }
  return keyset(q, sessionSort, query).execute();
}

export function listOfSubscription(db: Db, scope: Scope, subscriptionId: string, query: SessionHistoryQuery): Promise<SessionRow[]> {
  return keyset(sessions(db, scope).where('r.subscription_id', '=', subscriptionId), sessionSort, { ...query, q: undefined }).execute();
}

export function findInScope(db: Db, scope: Scope, id: bigint): Promise<SessionRow | undefined> {
  return sessions(db, scope).where('r.radacctid', '=', id).executeTakeFirst();
}

export function subscriptionInScope(db: Db, scope: Scope, id: string) {
  return db
    .selectFrom('subscriptions')
    .select(['id', 'organization_id'])
    .where('id', '=', id)
    .where(sql<boolean>`organization_id in (select o.id from organizations o where o.path like ${subtreePattern(scope)})`)
    .executeTakeFirst();
}

export function enforcementOf(db: Db, subscriptionId: string, query: SessionHistoryQuery) {
  return keyset(db.selectFrom('enforcement_requests as e').selectAll('e').where('e.subscription_id', '=', subscriptionId), enforcementSort, { ...query, q: undefined }).execute();
}

export function queueDisconnect(db: Db, session: SessionRow, organizationId: string, by: string | null) {
  return db
    .insertInto('enforcement_requests')
    .values({
      organization_id: organizationId,
      subscription_id: session.subscription_id!,
      nas_id: session.nas_id,
      radacct_id: session.radacctid,
      acct_session_id: session.acctsessionid,
      username: session.username,
      kind: 'disconnect',
      reason: 'manual',
      requested_by: by,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
