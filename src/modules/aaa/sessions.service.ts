/**
 * Online sessions, a subscription's session history and enforcement log, and the disconnect
 * button. Reading needs sessions.read, disconnecting sessions.update, the CSV sessions.export; a
 * session or subscription outside the caller's subtree answers 404.
 */
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { EnforcementRequest } from '../../platform/db/schema/aaa.ts';
import { NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import * as repo from './sessions.repo.ts';
import type { SessionHistoryQuery, SessionListQuery } from './sessions.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;

export function mapSession(r: repo.SessionRow, now: Date) {
  const start = r.acctstarttime;
  const live = r.acctstoptime === null && start ? Math.max(0, Math.floor((now.getTime() - start.getTime()) / 1000)) : null;
  return {
    id: r.radacctid.toString(),
    acctSessionId: r.acctsessionid,
    username: r.username,
    subscriptionId: r.subscription_id,
    subscriberId: r.subscriber_id,
    subscriberName: r.subscriber_name,
    nasId: r.nas_id,
    nasName: r.nas_name,
    nasAddress: r.nas_address,
    framedIpAddress: r.framed_ip,
    framedIpv6Prefix: r.framed_ipv6_prefix,
    delegatedIpv6Prefix: r.delegated_ipv6_prefix,
    callingStationId: r.callingstationid,
    startedAt: start?.toISOString() ?? null,
    updatedAt: r.acctupdatetime?.toISOString() ?? null,
    stoppedAt: r.acctstoptime?.toISOString() ?? null,
    durationSeconds: live ?? Number(r.acctsessiontime ?? 0n),
    inputBytes: (r.acctinputoctets ?? 0n).toString(),
    outputBytes: (r.acctoutputoctets ?? 0n).toString(),
    terminateCause: r.acctterminatecause,
  };
}

/** A new request's time is -infinity (due at once; PGlite hands it over as text): shown as null. */
function retryTime(at: unknown): string | null {
  return at instanceof Date && Number.isFinite(at.getTime()) ? at.toISOString() : null;
}

export function mapEnforcement(e: EnforcementRequest) {
  const open = e.status === 'pending' || e.status === 'timeout';
  return {
    id: e.id,
    subscriptionId: e.subscription_id,
    nasId: e.nas_id,
    sessionId: e.radacct_id?.toString() ?? null,
    acctSessionId: e.acct_session_id,
    kind: e.kind,
    reason: e.reason,
    status: e.status,
    attempts: e.attempts,
    nextAttemptAt: open ? retryTime(e.next_attempt_at) : null,
    lastError: e.last_error,
    fallback: e.fallback,
    fallbackDetail: e.fallback_detail,
    fallbackAt: e.fallback_at?.toISOString() ?? null,
    attributes: (e.attributes as [string, string | number][] | null) ?? null,
    createdAt: e.created_at.toISOString(),
    updatedAt: e.updated_at.toISOString(),
  };
}

const rowId = (r: repo.SessionRow) => r.radacctid.toString();
const rowValue = (r: repo.SessionRow) => r.radacctid;

export async function listOnlineSessions(deps: Deps, actor: Actor, query: SessionListQuery) {
  requirePermission(actor, 'sessions.read');
  const rows = await repo.listOnline(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.sessionSort, query, rowValue, rowId);
  const now = deps.clock.now();
  return { items: p.items.map((r) => mapSession(r, now)), nextCursor: p.nextCursor };
}

const csvColumns = ['id', 'username', 'subscriberName', 'nasName', 'nasAddress', 'framedIpAddress', 'callingStationId', 'startedAt', 'durationSeconds', 'inputBytes', 'outputBytes'];

export async function exportOnlineSessions(deps: Deps, actor: Actor, query: Omit<SessionListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'sessions.export');
  const rows = await everyPage<SessionListQuery, ReturnType<typeof mapSession>>(query, async (q) => {
    const r = await repo.listOnline(deps.db, actor.principal.scope, q);
    const p = page(r, repo.sessionSort, q, rowValue, rowId);
    return { items: p.items.map((x) => mapSession(x, deps.clock.now())), nextCursor: p.nextCursor };
  });
  return toCsv(csvColumns, rows);
}

async function subscriptionOf(deps: Deps, actor: Actor, id: string) {
  const sub = await repo.subscriptionInScope(deps.db, actor.principal.scope, id);
  if (!sub) throw new NotFoundError('Subscription');
  return sub;
}

export async function sessionsOfSubscription(deps: Deps, actor: Actor, subscriptionId: string, query: SessionHistoryQuery) {
  requirePermission(actor, 'sessions.read');
  await subscriptionOf(deps, actor, subscriptionId);
  const rows = await repo.listOfSubscription(deps.db, actor.principal.scope, subscriptionId, query);
  const p = page(rows, repo.sessionSort, { ...query, q: undefined }, rowValue, rowId);
  const now = deps.clock.now();
  return { items: p.items.map((r) => mapSession(r, now)), nextCursor: p.nextCursor };
}

export async function enforcementOfSubscription(deps: Deps, actor: Actor, subscriptionId: string, query: SessionHistoryQuery) {
  requirePermission(actor, 'sessions.read');
  await subscriptionOf(deps, actor, subscriptionId);
  const rows = await repo.enforcementOf(deps.db, subscriptionId, query);
  const p = page(rows, repo.enforcementSort, { ...query, q: undefined }, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapEnforcement), nextCursor: p.nextCursor };
}

/** Queues a Disconnect-Request for an open session; the enforcement worker sends it. */
export async function disconnectSession(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'sessions.update');
  return deps.db.transaction().execute(async (trx) => {
    const session = await repo.findInScope(trx, actor.principal.scope, BigInt(id));
    if (!session) throw new NotFoundError('Session');
    if (session.acctstoptime !== null) throw new UnprocessableError('The session has already ended', [{ field: 'id', message: 'is not an open session' }]);
    if (!session.subscription_id) throw new UnprocessableError('The session belongs to no subscription; disconnect it on the NAS', [{ field: 'id', message: 'has no subscription' }]);
    const sub = await trx.selectFrom('subscriptions').innerJoin('organizations', 'organizations.id', 'subscriptions.organization_id').select(['subscriptions.organization_id', 'organizations.path']).where('subscriptions.id', '=', session.subscription_id).executeTakeFirstOrThrow();
    const request = mapEnforcement(await repo.queueDisconnect(trx, session, sub.organization_id, actor.principal.userId));
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'session.disconnect',
      organizationId: sub.organization_id,
      organizationPath: sub.path,
      objectType: 'subscription',
      objectId: session.subscription_id,
      after: { sessionId: id, acctSessionId: session.acctsessionid, enforcementId: request.id },
    });
    return request;
  });
}
