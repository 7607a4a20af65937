import { sql, type Kysely, type Transaction } from 'kysely';
import { sha256Hex } from '../crypto.ts';
import type { Clock } from '../clock.ts';
import type { AuditEntry, DB } from '../db/schema.ts';

/** Who did it and from where; built once per request (or job) and passed to services. */
export interface AuditActor {
  type: 'user' | 'api_token' | 'system' | 'anonymous';
  id: string | null;
  label: string | null;
  requestId: string | null;
  ip: string | null;
}

export interface AuditEvent {
  action: string;
  organizationId?: string | null;
  organizationPath?: string | null;
  objectType?: string | null;
  objectId?: string | null;
  before?: unknown;
  after?: unknown;
}

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK = 0x55504c4e; // 'UPLN': serializes appends so the chain has one order

const secretKey = /password|secret|token_hash|totp|csrf/i;

/** Plain JSON with sorted keys, bigints as strings, dates as ISO strings, secrets removed. */
export function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || secretKey.test(k)) continue;
      out[k] = canonical(v);
    }
    return out;
  }
  return value;
}

function stableStringify(value: unknown): string {
  // canonical() already sorted keys; JSON.stringify keeps insertion order.
  return JSON.stringify(canonical(value));
}

interface HashedFields {
  seq: bigint;
  at: Date;
  organization_id: string | null;
  organization_path: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
}

export function entryHash(e: HashedFields): string {
  return sha256Hex(
    stableStringify([
      e.seq.toString(),
      e.at.toISOString(),
      e.organization_id,
      e.organization_path,
      e.actor_type,
      e.actor_id,
      e.actor_label,
      e.action,
      e.object_type,
      e.object_id,
      e.before ?? null,
      e.after ?? null,
      e.request_id,
      e.ip,
      e.prev_hash,
    ]),
  );
}

/** Appends one entry inside the caller's transaction, so the entry commits with the change it records. */
export async function appendAudit(trx: Transaction<DB>, clock: Clock, actor: AuditActor, event: AuditEvent): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const fields: HashedFields = {
    seq: (last?.seq ?? 0n) + 1n,
    at: clock.now(),
    organization_id: event.organizationId ?? null,
    organization_path: event.organizationPath ?? null,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_label: actor.label,
    action: event.action,
    object_type: event.objectType ?? null,
    object_id: event.objectId ?? null,
    before: event.before === undefined ? null : canonical(event.before),
    after: event.after === undefined ? null : canonical(event.after),
    request_id: actor.requestId,
    ip: actor.ip,
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  await trx
    .insertInto('audit_log')
    .values({
      ...fields,
      actor_type: actor.type,
      before: fields.before === null ? null : JSON.stringify(fields.before),
      after: fields.after === null ? null : JSON.stringify(fields.after),
      hash: entryHash(fields),
    })
    .execute();
}

/** Convenience for events with no other change to commit with (logins, failed logins). */
export async function recordAudit(db: Kysely<DB>, clock: Clock, actor: AuditActor, event: AuditEvent): Promise<void> {
  await db.transaction().execute((trx) => appendAudit(trx, clock, actor, event));
}

export type VerifyResult =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenSeq: bigint; reason: string };

/** Walks the whole chain in order; names the first entry whose content, link or sequence is wrong. */
export async function verifyAuditChain(
  db: Kysely<DB>,
  onProgress?: (checked: number, total: number) => void,
): Promise<VerifyResult> {
  const total = Number((await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<bigint>().as('n')).executeTakeFirstOrThrow()).n);
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let checked = 0;
  for (;;) {
    const page: AuditEntry[] = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(2000)
      .execute();
    if (page.length === 0) break;
    for (const e of page) {
      if (e.seq !== expectedSeq) return { ok: false, entries: checked, brokenSeq: expectedSeq, reason: `entry ${expectedSeq} is missing` };
      if (e.prev_hash !== prevHash)
        return { ok: false, entries: checked, brokenSeq: e.seq, reason: 'link to the previous entry is broken' };
      const recomputed = entryHash({ ...e, before: e.before, after: e.after });
      if (recomputed !== e.hash) return { ok: false, entries: checked, brokenSeq: e.seq, reason: 'content does not match its hash' };
      prevHash = e.hash;
      expectedSeq = e.seq + 1n;
      checked++;
    }
    onProgress?.(checked, total);
  }
  return { ok: true, entries: checked };
}
