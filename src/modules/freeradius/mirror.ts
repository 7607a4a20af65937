/**
 * The clear-text mirror FreeRADIUS reads (migration 20261122T0350_freeradius): subscription
 * passwords and NAS shared secrets are sealed with SecretBox, which SQL cannot open, so Uplink
 * writes their clear text into schema `freeradius` — only while the operator has turned the mirror
 * on. Subscription passwords follow every change the subscriptions service makes, in the same
 * transaction; NAS secrets are copied by a job every minute (FreeRADIUS reads its clients only when
 * it starts, so a new NAS needs a FreeRADIUS restart anyway).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { SecretBox } from '../../platform/crypto.ts';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;
export type MirrorDeps = Pick<AppContext, 'db' | 'secrets'>;

const BATCH = 1000;

export async function mirrorEnabled(db: Db): Promise<boolean> {
  const { rows } = await sql<{ on: boolean }>`select mirror_secrets as on from freeradius.settings`.execute(db);
  return rows[0]?.on === true;
}

/** Copies the current password of these subscriptions (none for a subscription without a login). */
export async function mirrorSubscriptions(db: Db, secrets: SecretBox, ids: readonly string[]): Promise<void> {
  if (ids.length === 0 || !(await mirrorEnabled(db))) return;
  await copyPasswords(db, secrets, ids);
}

async function copyPasswords(db: Db, secrets: SecretBox, ids: readonly string[]): Promise<void> {
  const rows = await db.selectFrom('subscriptions').select(['id', 'password_enc']).where('id', 'in', [...ids]).execute();
  const held = rows.filter((r) => r.password_enc !== null);
  await sql`delete from freeradius.radius_credentials where subscription_id = any(${[...ids]}::uuid[])`.execute(db);
  if (held.length === 0) return;
  await sql`insert into freeradius.radius_credentials (subscription_id, password)
    select * from unnest(${held.map((r) => r.id)}::uuid[], ${held.map((r) => secrets.open(r.password_enc!))}::text[])`.execute(db);
}

/** Makes the NAS secrets mirror equal to nas_devices (a full pass: an ISP has hundreds of NAS, not millions). */
export async function mirrorNasSecrets(db: Db, secrets: SecretBox): Promise<number> {
  if (!(await mirrorEnabled(db))) return 0;
  const rows = await db.selectFrom('nas_devices').select(['id', 'secret_enc']).execute();
  await sql`delete from freeradius.nas_secrets n where not exists (select 1 from nas_devices d where d.id = n.nas_id)`.execute(db);
  if (rows.length === 0) return 0;
  await sql`insert into freeradius.nas_secrets (nas_id, secret)
    select * from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => secrets.open(r.secret_enc))}::text[])
    on conflict (nas_id) do update set secret = excluded.secret where freeradius.nas_secrets.secret <> excluded.secret`.execute(db);
  return rows.length;
}

/**
 * Turns the mirror on and fills it afresh: every live login's password and every NAS secret. Run
 * again, it also drops what terminated subscriptions left behind (nothing watches terminations).
 */
export async function enableMirror(deps: MirrorDeps): Promise<{ subscriptions: number; nas: number }> {
  let subscriptions = 0;
  await deps.db.transaction().execute(async (trx) => {
    await sql`update freeradius.settings set mirror_secrets = true, updated_at = now()`.execute(trx);
    await sql`delete from freeradius.radius_credentials`.execute(trx);
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const ids = (
        await trx
          .selectFrom('subscriptions')
          .select('id')
          .where('password_enc', 'is not', null)
          .where('status', '<>', 'terminated')
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) break;
      await copyPasswords(trx, deps.secrets, ids);
      subscriptions += ids.length;
      after = ids[ids.length - 1]!;
    }
  });
  const nas = await mirrorNasSecrets(deps.db, deps.secrets);
  return { subscriptions, nas };
}

/** Turns the mirror off and forgets every clear secret it held. */
export async function disableMirror(db: Db): Promise<void> {
  await sql`update freeradius.settings set mirror_secrets = false, updated_at = now()`.execute(db);
  await sql`delete from freeradius.radius_credentials`.execute(db);
  await sql`delete from freeradius.nas_secrets`.execute(db);
}
