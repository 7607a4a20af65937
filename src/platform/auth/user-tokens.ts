import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import { randomToken, sha256 } from '../crypto.ts';
import type { DB } from '../db/schema.ts';

type Purpose = 'setup' | 'mfa' | 'password_reset';
type Db = Kysely<DB> | Transaction<DB>;

/** One-time tokens (first-run setup, sign-in second step, password links); only hashes are stored. */
export async function issueUserToken(
  db: Db,
  clock: Clock,
  input: { userId: string | null; purpose: Purpose; ttlMinutes: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken(32);
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + input.ttlMinutes * 60_000);
  await db
    .insertInto('user_tokens')
    .values({ user_id: input.userId, purpose: input.purpose, token_hash: sha256(token), created_at: now, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

/** Looks a token up without using it (to show a form); undefined when unknown, used or expired. */
export async function peekUserToken(db: Db, clock: Clock, token: string, purpose: Purpose) {
  return db
    .selectFrom('user_tokens')
    .select(['id', 'user_id'])
    .where('token_hash', '=', sha256(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', clock.now())
    .executeTakeFirst();
}

/** Uses a token exactly once: a concurrent second use finds it already spent. */
export async function consumeUserToken(db: Db, clock: Clock, token: string, purpose: Purpose) {
  const now = clock.now();
  return db
    .updateTable('user_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', sha256(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'user_id'])
    .executeTakeFirst();
}

/** Invalidates a user's outstanding tokens of one purpose (a new reset link replaces the old). */
export async function revokeUserTokens(db: Db, clock: Clock, userId: string, purpose: Purpose): Promise<void> {
  await db
    .updateTable('user_tokens')
    .set({ used_at: clock.now() })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}
