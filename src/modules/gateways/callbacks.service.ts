/**
 * Callbacks from gateways, and the status queries that stand in for a lost one. A callback is
 * checked by its adapter (signature or path secret), then applied in one transaction; whatever
 * happens is kept as a gateway event, and a callback that must not be believed also as a security
 * event. The caller gets the answer its gateway expects.
 */
import { CallbackRejected, type CallbackAnswer, type GatewayOutcome } from '../../integrations/payments/contract.ts';
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import type { GatewayAccount, PaymentIntent } from '../../platform/db/schema/gateways.ts';
import { WriteBehind } from '../../platform/write-behind.ts';
import { applyOutcome, applyUnsolicitedPayments, isUnsolicitedPayment, type Applied } from './apply-outcome.ts';
import { adapterOf, openCredentials } from './credentials.ts';
import * as repo from './gateways.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface IncomingCallback {
  readonly accountId: string;
  readonly endpoint: string;
  readonly pathSecret?: string;
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress?: string;
}

interface EventToRecord {
  readonly account: GatewayAccount | undefined;
  readonly cb: IncomingCallback;
  readonly outcome: string;
  readonly applied: Pick<Applied, 'result' | 'intentId' | 'paymentId' | 'security'>;
}

/** Keeps what callbacks did as gateway events (and refusals as security events too), in two statements at most. */
async function recordAll(deps: Deps, events: readonly EventToRecord[], db: Kysely<DB> | Transaction<DB> = deps.db): Promise<void> {
  if (events.length === 0) return;
  const at = deps.clock.now();
  await repo.insertEvents(
    db,
    events.map(({ account, cb, outcome, applied }) => ({
      organization_id: account?.organization_id ?? null,
      gateway_account_id: account?.id ?? null,
      endpoint: cb.endpoint.slice(0, 60),
      body_hash: sha256Hex(cb.rawBody),
      outcome,
      result: applied.result.slice(0, 500),
      intent_id: applied.intentId ?? null,
      payment_id: applied.paymentId ?? null,
      remote_address: cb.remoteAddress?.slice(0, 100) ?? null,
      received_at: at,
    })),
  );
  const refused = events.filter((e) => e.applied.security);
  await repo.insertSecurityEvents(
    db,
    refused.map(({ account, cb, applied }) => ({
      organization_id: account?.organization_id ?? null,
      gateway_account_id: account?.id ?? null,
      gateway: account?.kind ?? 'unknown',
      kind: applied.security!.kind,
      remote_address: cb.remoteAddress?.slice(0, 100) ?? null,
      detail: applied.security!.detail.slice(0, 1000),
      at,
    })),
  );
  for (const { account, cb, applied } of refused)
    deps.logger.warn({ gatewayAccountId: account?.id, kind: applied.security!.kind, remoteAddress: cb.remoteAddress }, 'payment callback refused');
}

function record(
  deps: Deps,
  account: GatewayAccount | undefined,
  cb: IncomingCallback,
  outcome: string,
  applied: Pick<Applied, 'result' | 'intentId' | 'paymentId' | 'security'>,
  db: Kysely<DB> | Transaction<DB> = deps.db,
): Promise<void> {
  return recordAll(deps, [{ account, cb, outcome, applied }], db);
}

type Unsolicited = Extract<GatewayOutcome, { kind: 'paid' }>;
interface Queued {
  readonly account: GatewayAccount;
  readonly cb: IncomingCallback;
  readonly outcome: Unsolicited;
}
type BatchResult = { ok: true; applied: Applied } | { ok: false; error: unknown };

/** A callback applied on its own: its effect and its gateway event in one transaction. */
function applyAlone(deps: Deps, account: GatewayAccount, cb: IncomingCallback, outcome: GatewayOutcome): Promise<Applied> {
  return deps.db.transaction().execute(async (trx) => {
    const done = await applyOutcome(trx, deps.clock, account, outcome);
    await record(deps, account, cb, outcome.kind, done, trx);
    return done;
  });
}

/**
 * Payments that name no attempt of ours (M-PESA C2B confirmations: the bulk of a paybill's traffic
 * at the start of a month) arriving together are applied together: one transaction, a fixed number
 * of statements, each callback answered once the batch holding it has committed. A payment refused
 * on its own (a mismatch, a subscriber gone) does not hold up the others; should the batch's
 * transaction fail as a whole, each callback is applied alone, as it would be unbatched.
 */
async function applyBatch(deps: Deps, items: readonly Queued[]): Promise<BatchResult[]> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const results = await applyUnsolicitedPayments(trx, deps.clock, items);
      await recordAll(
        deps,
        items.flatMap((q, i) => {
          const r = results[i]!;
          return r.ok ? [{ account: q.account, cb: q.cb, outcome: q.outcome.kind, applied: r.applied }] : [];
        }),
        trx,
      );
      return results;
    });
  } catch (err) {
    deps.logger.warn({ err, callbacks: items.length }, 'a batch of payment callbacks failed as a whole; applying them one by one');
    return Promise.all(items.map((q) => applyAlone(deps, q.account, q.cb, q.outcome).then((applied) => ({ ok: true as const, applied }), (error: unknown) => ({ ok: false as const, error }))));
  }
}

/** One batcher per database (per running app). */
const batchers = new WeakMap<object, WriteBehind<Queued, BatchResult>>();

function batcherFor(deps: Deps): WriteBehind<Queued, BatchResult> {
  let batcher = batchers.get(deps.db);
  if (!batcher) {
    batcher = new WriteBehind<Queued, BatchResult>((items) => applyBatch(deps, items), { windowMs: 2, maxBatch: 200, maxInFlight: 2 });
    batchers.set(deps.db, batcher);
  }
  return batcher;
}

export async function handleCallback(deps: Deps, cb: IncomingCallback): Promise<CallbackAnswer> {
  const account = uuidPattern.test(cb.accountId) ? await repo.accountForCallback(deps.db, cb.accountId) : undefined;
  if (!account) {
    await record(deps, undefined, cb, 'rejected', { result: 'refused: no such gateway account', security: { kind: 'unknown_account', detail: `A callback for gateway account ${cb.accountId.slice(0, 60)}, which does not exist` } });
    return { status: 404, body: { error: 'not found' } };
  }
  const adapter = adapterOf(account);
  let outcome: GatewayOutcome;
  try {
    outcome = await adapter.parseCallback(openCredentials(deps.secrets, account), {
      headers: cb.headers,
      rawBody: cb.rawBody,
      pathSecret: cb.pathSecret,
      remoteAddress: cb.remoteAddress,
      endpoint: cb.endpoint,
    });
  } catch (err) {
    if (!(err instanceof CallbackRejected)) throw err;
    await record(deps, account, cb, 'rejected', { result: `refused: ${err.message}`, security: { kind: err.reason, detail: err.message } });
    return adapter.answer(err, false);
  }
  // The event is kept in the same transaction as its effect.
  let applied: Applied;
  if (isUnsolicitedPayment(outcome)) {
    const batched = await batcherFor(deps).add({ account, cb, outcome });
    if (!batched.ok) throw batched.error;
    applied = batched.applied;
  } else applied = await applyAlone(deps, account, cb, outcome);
  if (applied.security) return adapter.answer(new CallbackRejected('mismatch', applied.result), false);
  return adapter.answer(outcome, applied.accepted);
}

/** Asks the gateway what became of a pending attempt and applies the answer, as a callback would be. */
export async function settleByQuery(deps: Deps, intent: PaymentIntent, how: 'query' | 'complete' = 'query'): Promise<Applied> {
  const account = await repo.accountById(deps.db, intent.gateway_account_id);
  if (!account || !intent.gateway_ref) return { accepted: false, result: 'no account or gateway reference' };
  const adapter = adapterOf(account);
  const creds = openCredentials(deps.secrets, account);
  let outcome = how === 'complete' && adapter.complete ? await adapter.complete(creds, intent.gateway_ref) : await adapter.query(creds, intent.gateway_ref);
  // Approved by a payer who never came back to us (bKash: authorized, not executed): completing it moves the money they approved.
  if (outcome.kind === 'pending' && outcome.approved && how === 'query' && adapter.complete) outcome = await adapter.complete(creds, intent.gateway_ref);
  const applied = await deps.db.transaction().execute((trx) => applyOutcome(trx, deps.clock, account, outcome));
  await repo.updateIntent(deps.db, intent.id, { checked_at: deps.clock.now() });
  await record(deps, account, { accountId: account.id, endpoint: how, rawBody: Buffer.from(`${how}:${intent.gateway_ref}`), headers: {} }, outcome.kind, applied);
  return applied;
}
