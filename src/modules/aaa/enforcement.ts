/**
 * Sends the enforcement outbox (RFC 5176). The triggers of migration 20261122T0340_aaa and the
 * fair-usage step record what must change; this worker claims due requests (a lease, skipping rows
 * another worker holds), builds the attributes from the subscription's state at sending time, sends
 * through the ChangeSender and records the outcome. No answer is retried with exponential backoff.
 * When the NAS never answered (after the last attempt) or refused (NAK), and it is a router whose
 * management API is configured, the change is applied through that API instead (routers module,
 * session-fallback.ts): the session removed, or its queue set to the new rate where RouterOS allows
 * it. The RADIUS outcome stays as it was; the fallback's own outcome is recorded next to it.
 */
import { sql } from 'kysely';
import { changeAttributes, queueLimits, ratesFor } from '../../core/aaa-policy.ts';
import type { AppContext } from '../../platform/context.ts';
import type { EnforcementRequest } from '../../platform/db/schema/aaa.ts';
import type { AttributeValue, ChangeOutcome, ChangeSender, NasType, RadiusClient } from '../../radius/contract.ts';
import * as routersRepo from '../routers/routers.repo.ts';
import { applyOnRouter, hasRouterApi, type FallbackAction, type FallbackResult } from '../routers/session-fallback.ts';
import * as repo from './aaa.repo.ts';
import { quotaStateCurrent } from './fair-usage.ts';
import { profileOf } from './policy.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>;

export const MAX_ATTEMPTS = 5;
const LEASE_SECONDS = 60;
const BASE_BACKOFF_SECONDS = 15;

/** Seconds before attempt n + 1 (n ≥ 1): 15, 30, 60, 120 … */
export function backoffSeconds(attempt: number): number {
  return BASE_BACKOFF_SECONDS * 2 ** Math.max(0, attempt - 1);
}

async function claimDue(deps: Deps, limit: number): Promise<EnforcementRequest[]> {
  const now = deps.clock.now();
  const r = await sql<EnforcementRequest>`
    update enforcement_requests set attempts = attempts + 1, next_attempt_at = ${new Date(now.getTime() + LEASE_SECONDS * 1000)}, updated_at = ${now}
    where id in (select id from enforcement_requests where status in ('pending', 'timeout') and next_attempt_at <= ${now}
                 order by next_attempt_at limit ${limit} for update skip locked)
    returning *`.execute(deps.db);
  return r.rows;
}

async function clientOf(deps: Deps, nasId: string): Promise<RadiusClient | undefined> {
  const nas = await deps.db
    .selectFrom('nas_devices')
    .select(['id', 'organization_id', 'name', 'type', sql<string>`host(address)`.as('address'), 'secret_enc', 'require_message_authenticator', 'coa_port', 'active'])
    .where('id', '=', nasId)
    .executeTakeFirst();
  if (!nas || !nas.active) return undefined;
  return {
    id: nas.id,
    organizationId: nas.organization_id,
    name: nas.name,
    type: nas.type as NasType,
    address: nas.address,
    secret: deps.secrets.open(nas.secret_enc),
    requireMessageAuthenticator: nas.require_message_authenticator,
    coaPort: nas.coa_port,
  };
}

async function attributesFor(deps: Deps, req: EnforcementRequest, client: RadiusClient): Promise<[string, AttributeValue][]> {
  const ident: [string, AttributeValue][] = [];
  if (req.username) ident.push(['User-Name', req.username]);
  if (req.acct_session_id) ident.push(['Acct-Session-Id', req.acct_session_id]);
  if (req.kind === 'disconnect') return ident;
  const row = await repo.decisionById(deps.db, req.subscription_id);
  if (!row) return ident;
  return [...ident, ...changeAttributes(client.type, profileOf(row), row.throttled === true && quotaStateCurrent(row, deps.clock.now()))];
}

type Settled = { status: EnforcementRequest['status']; last_error: string | null; next_attempt_at?: Date; attributes?: string };

async function finish(deps: Deps, id: string, set: Settled & Partial<Pick<EnforcementRequest, 'fallback' | 'fallback_detail' | 'fallback_at'>>): Promise<void> {
  await deps.db
    .updateTable('enforcement_requests')
    .set({ ...set, updated_at: deps.clock.now() })
    .where('id', '=', id)
    .execute();
}

async function sessionOpen(deps: Deps, radacctId: bigint | null): Promise<boolean> {
  if (radacctId === null) return true;
  const r = await deps.db.selectFrom('radacct').select('acctstoptime').where('radacctid', '=', radacctId).executeTakeFirst();
  return r !== undefined && r.acctstoptime === null;
}

function describe(outcome: ChangeOutcome): string | null {
  if (outcome.kind === 'nak') return `NAK${outcome.errorCause !== null ? ` (Error-Cause ${outcome.errorCause})` : ''}`;
  return null;
}

/**
 * The router-API fallback for a request the NAS did not acknowledge; null when the NAS has no
 * management API (nothing more can be done from here). A CoA moves the session's queue to the rates
 * the subscription should have now, or disconnects it when that cannot be done on the router.
 */
async function routerFallback(deps: Deps, req: EnforcementRequest): Promise<FallbackResult | null> {
  if (!req.nas_id) return null;
  const nas = await routersRepo.nasById(deps.db, req.nas_id);
  if (!nas || !hasRouterApi(nas)) return null;
  const session = req.radacct_id === null
    ? undefined
    : await deps.db
        .selectFrom('radacct')
        .select(['username', 'acctsessionid', sql<string | null>`host(framedipaddress)`.as('address')])
        .where('radacctid', '=', req.radacct_id)
        .executeTakeFirst();
  const target = { username: session?.username ?? req.username, acctSessionId: session?.acctsessionid ?? req.acct_session_id, address: session?.address ?? null };
  let action: FallbackAction = { kind: 'disconnect' };
  if (req.kind === 'coa') {
    const row = await repo.decisionById(deps.db, req.subscription_id);
    if (row) action = { kind: 'rate', queue: queueLimits(ratesFor(profileOf(row), row.throttled === true && quotaStateCurrent(row, deps.clock.now()))) };
  }
  return applyOnRouter(deps, nas, target, action);
}

/** Runs the fallback and settles the request with both outcomes. */
async function settleWithFallback(deps: Deps, req: EnforcementRequest, settled: Settled): Promise<void> {
  const fb = await routerFallback(deps, req);
  if (!fb) {
    await finish(deps, req.id, { ...settled, last_error: `${settled.last_error ?? ''}; no router API configured for a fallback`.slice(0, 500) });
    return;
  }
  await finish(deps, req.id, {
    ...settled,
    last_error: `${settled.last_error ?? ''}; router API: ${fb.outcome === 'failed' ? `failed (${fb.detail})` : fb.detail}`.slice(0, 500),
    fallback: fb.outcome,
    fallback_detail: fb.detail.slice(0, 500),
    fallback_at: deps.clock.now(),
  });
}

/** Sends up to `limit` due requests; returns how many were attempted. */
export async function sendDueEnforcements(deps: Deps, sender: ChangeSender, limit = 50): Promise<number> {
  const due = await claimDue(deps, limit);
  for (const req of due) {
    try {
      if (!(await sessionOpen(deps, req.radacct_id))) {
        await finish(deps, req.id, { status: 'failed', last_error: 'the session ended before the request was sent; nothing to change' });
        continue;
      }
      const client = req.nas_id ? await clientOf(deps, req.nas_id) : undefined;
      if (!client) {
        await finish(deps, req.id, { status: 'failed', last_error: 'the NAS holding the session is unknown or inactive' });
        continue;
      }
      const attributes = await attributesFor(deps, req, client);
      const outcome = await sender.send(client, req.kind, attributes, { timeoutMs: 3000, retries: 2 });
      const stored = JSON.stringify(attributes.map(([n, v]) => [n, typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v]));
      if (outcome.kind === 'ack') {
        await finish(deps, req.id, { status: 'ack', last_error: null, attributes: stored });
      } else if (outcome.kind === 'nak') {
        await settleWithFallback(deps, req, { status: 'nak', last_error: describe(outcome), attributes: stored });
      } else if (req.attempts >= MAX_ATTEMPTS) {
        await settleWithFallback(deps, req, { status: 'failed', attributes: stored, last_error: `no answer from ${client.name} after ${req.attempts} attempts` });
      } else {
        await finish(deps, req.id, {
          status: 'timeout',
          attributes: stored,
          last_error: `no answer from ${client.name} (attempt ${req.attempts} of ${MAX_ATTEMPTS})`,
          next_attempt_at: new Date(deps.clock.now().getTime() + backoffSeconds(req.attempts) * 1000),
        });
      }
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message, enforcementId: req.id }, 'enforcement request not sent');
      await finish(deps, req.id, { status: 'failed', last_error: `not sent: ${(err as Error).message}`.slice(0, 500) }).catch(() => undefined);
    }
  }
  return due.length;
}
