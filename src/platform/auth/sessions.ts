import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { randomToken, sha256 } from '../crypto.ts';
import type { DB } from '../db/schema.ts';

export const SESSION_COOKIE = 'uplink_session';
export const API_TOKEN_PREFIX = 'upl_';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** Creates a session and returns the raw token (the cookie value); only its hash is stored. */
export async function createSession(
  db: Kysely<DB>,
  clock: Clock,
  policy: SessionPolicy,
  input: { userId: string; organizationId: string; ip: string | null; userAgent: string | null },
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + policy.absoluteHours * 3_600_000);
  await db
    .insertInto('sessions')
    .values({
      user_id: input.userId,
      token_hash: sha256(token),
      csrf_token: csrfToken,
      active_organization_id: input.organizationId,
      ip: input.ip,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, csrfToken, expiresAt };
}

export async function endSession(db: Kysely<DB>, clock: Clock, sessionId: string, reason: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ ended_at: clock.now(), end_reason: reason })
    .where('id', '=', sessionId)
    .where('ended_at', 'is', null)
    .execute();
}

/** Ends every open session of a user (disable, password change), optionally keeping one. */
export async function endUserSessions(
  db: Kysely<DB>,
  clock: Clock,
  userId: string,
  reason: string,
  keepSessionId?: string,
): Promise<number> {
  let q = db
    .updateTable('sessions')
    .set({ ended_at: clock.now(), end_reason: reason })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}
