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
import { applyOutcome, type Applied } from './apply-outcome.ts';
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

async function record(
  deps: Deps,
  account: GatewayAccount | undefined,
  cb: IncomingCallback,
  outcome: string,
  applied: Pick<Applied, 'result' | 'intentId' | 'paymentId' | 'security'>,
  db: Kysely<DB> | Transaction<DB> = deps.db,
): Promise<void> {
  const at = deps.clock.now();
  await repo.insertEvent(db, {
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
  });
  if (applied.security) {
    await repo.insertSecurityEvent(db, {
      organization_id: account?.organization_id ?? null,
      gateway_account_id: account?.id ?? null,
      gateway: account?.kind ?? 'unknown',
      kind: applied.security.kind,
      remote_address: cb.remoteAddress?.slice(0, 100) ?? null,
      detail: applied.security.detail.slice(0, 1000),
      at,
    });
    deps.logger.warn({ gatewayAccountId: account?.id, kind: applied.security.kind, remoteAddress: cb.remoteAddress }, 'payment callback refused');
  }
}

export async function handleCallback(deps: Deps, cb: IncomingCallback): Promise<CallbackAnswer> {
  const account = uuidPattern.test(cb.accountId) ? await repo.accountById(deps.db, cb.accountId) : undefined;
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
  // The event is kept in the same transaction as its effect: one commit per callback.
  const applied = await deps.db.transaction().execute(async (trx) => {
    const done = await applyOutcome(trx, deps.clock, account, outcome);
    await record(deps, account, cb, outcome.kind, done, trx);
    return done;
  });
  if (applied.security) return adapter.answer(new CallbackRejected('mismatch', applied.result), false);
  return adapter.answer(outcome, applied.accepted);
}

/** Asks the gateway what became of a pending attempt and applies the answer, as a callback would be. */
export async function settleByQuery(deps: Deps, intent: PaymentIntent, how: 'query' | 'complete' = 'query'): Promise<Applied> {
  const account = await repo.accountById(deps.db, intent.gateway_account_id);
  if (!account || !intent.gateway_ref) return { accepted: false, result: 'no account or gateway reference' };
  const adapter = adapterOf(account);
  const creds = openCredentials(deps.secrets, account);
  const outcome = how === 'complete' && adapter.complete ? await adapter.complete(creds, intent.gateway_ref) : await adapter.query(creds, intent.gateway_ref);
  const applied = await deps.db.transaction().execute((trx) => applyOutcome(trx, deps.clock, account, outcome));
  await repo.updateIntent(deps.db, intent.id, { checked_at: deps.clock.now() });
  await record(deps, account, { accountId: account.id, endpoint: how, rawBody: Buffer.from(`${how}:${intent.gateway_ref}`), headers: {} }, outcome.kind, applied);
  return applied;
}
