import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { sha256Hex } from '../crypto.ts';
import type { DB } from '../db/schema.ts';
import { BadRequestError, ConflictError, UnprocessableError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principal: string; key: string };
  }
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;
/** A 'running' record older than this belongs to a request that died; the next retry may run again. */
const abandonedAfterMs = 5 * 60_000;
const waitForRunningMs = 10_000;

/**
 * `Idempotency-Key` on POST: the first response for (caller, key) is stored and replayed for the
 * same request; the same key with a different body is refused (422); a concurrent duplicate waits
 * for the first and gets its response, so the work runs once.
 */
export function idempotencyHooks(deps: { db: Kysely<DB>; clock: Clock }) {
  const { db, clock } = deps;

  async function claim(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    // Only signed-in callers: a public route (sign-in, setup) answers with cookies a replay cannot carry.
    if (req.method !== 'POST' || !req.principal) return;
    const header = req.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !keyPattern.test(header))
      throw new BadRequestError('Idempotency-Key must be 1-255 visible ASCII characters');
    const principal = `${req.principal.via}:${req.principal.tokenId ?? req.principal.userId}`;
    const path = req.url;
    const requestHash = sha256Hex(`${req.method} ${path}\n${JSON.stringify(req.body ?? null)}`);
    const started = Date.now();
    for (;;) {
      const now = clock.now();
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({ principal, key: header, method: req.method, path, request_hash: requestHash, state: 'running', created_at: now })
        .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) {
        req.idempotency = { principal, key: header };
        return;
      }
      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('principal', '=', principal)
        .where('key', '=', header)
        .executeTakeFirst();
      if (!existing) continue; // deleted between our insert and select (a failed first attempt): try again
      if (existing.request_hash !== requestHash)
        throw new UnprocessableError('This Idempotency-Key was already used with a different request');
      if (existing.state === 'done') {
        return reply
          .code(existing.response_status ?? 200)
          .header('idempotent-replayed', 'true')
          .type(existing.response_type ?? 'application/json')
          .send(existing.response_body ?? '');
      }
      if (now.getTime() - existing.created_at.getTime() > abandonedAfterMs) {
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ created_at: now })
          .where('principal', '=', principal)
          .where('key', '=', header)
          .where('state', '=', 'running')
          .where('created_at', '=', existing.created_at)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 1) {
          req.idempotency = { principal, key: header };
          return;
        }
        continue;
      }
      if (Date.now() - started > waitForRunningMs)
        throw new ConflictError('A request with this Idempotency-Key is still being processed; retry later');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function store(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const claimKey = req.idempotency;
    if (!claimKey) return payload;
    req.idempotency = undefined;
    const where = db
      .deleteFrom('idempotency_keys')
      .where('principal', '=', claimKey.principal)
      .where('key', '=', claimKey.key);
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      // A server failure is not an answer to keep: let the client retry the work.
      await where.execute();
      return payload;
    }
    await db
      .updateTable('idempotency_keys')
      .set({
        state: 'done',
        response_status: reply.statusCode,
        response_type: String(reply.getHeader('content-type') ?? 'application/json'),
        response_body: payload,
        completed_at: clock.now(),
      })
      .where('principal', '=', claimKey.principal)
      .where('key', '=', claimKey.key)
      .execute();
    return payload;
  }

  return { claim, store };
}
