import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { z } from 'zod';
import { appendAudit } from '../../src/platform/audit/audit.ts';
import { TestClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { JobQueue } from '../../src/platform/jobs/queue.ts';
import { childPath, rootPath } from '../../src/core/organizations.ts';
import { readCatalog, setTextFormats, sqlOn } from '../../src/platform/backup/catalog.ts';

const system = { type: 'system' as const, id: null, label: 'test', requestId: null, ip: null };

/**
 * Rows that exercise every awkward type: bigint beyond 2^53, microsecond timestamps, bytea,
 * text arrays with commas and quotes, jsonb with big exact numbers and non-ASCII text, an
 * audit chain, and a queued job in a pg-boss partition.
 */
export async function seedVariety(database: Database, label = 'source'): Promise<void> {
  const db = database.kysely;
  const rootId = randomUUID();
  const resellerId = randomUUID();
  const org = (id: string, parent: string | null, kind: 'isp' | 'reseller', name: string, path: string, depth: number) => ({
    id, parent_id: parent, kind, name, path, depth, currency: 'KES', timezone: 'Africa/Nairobi',
    contact_email: null, contact_phone: null, address: 'Moi Avenue, Nairobi — “2nd floor”', tax_id: null,
  });
  await db.insertInto('organizations').values(org(rootId, null, 'isp', `Kilima ${label}`, rootPath(rootId), 0)).execute();
  await db.insertInto('organizations').values(org(resellerId, rootId, 'reseller', 'Dhaka Link — ঢাকা', childPath(rootPath(rootId), resellerId), 1)).execute();
  const user = await db
    .insertInto('users')
    .values({ organization_id: rootId, email: `wanjiku.${label}@example.test`, name: 'Wanjiku Kamau', role_key: 'admin', password_hash: 'x', totp_last_step: 9007199254740993n })
    .returning('id')
    .executeTakeFirstOrThrow();
  await database.sql.executeSql(`update users set locked_until = '2026-03-01 10:00:00.123456+00' where id = $1`, [user.id]);
  const now = new Date('2026-02-02T02:02:02.002Z');
  await db
    .insertInto('api_tokens')
    .values({
      organization_id: rootId, user_id: user.id, name: 'billing export', token_prefix: 'upk_abc', token_hash: randomBytes(32),
      scopes: ['users.read', 'a,b', 'quote"s', 'back\\slash', '{braces}'], created_at: now,
    })
    .execute();
  await db.insertInto('settings').values({ key: 'custom', value: '{"big": 12345678901234567890.5, "nested": {"a": [1, null, "ü"]}}' }).execute();
  await addActivity(database, rootId);
}

/** Five audit entries (continuing the chain) and a queued job. */
export async function addActivity(database: Database, organizationId: string | null = null): Promise<void> {
  const clock = new TestClock('2026-01-01T00:00:00.123Z');
  for (let i = 0; i < 5; i++) {
    clock.advance({ minutes: 7 });
    await database.kysely.transaction().execute((trx) =>
      appendAudit(trx, clock, system, { action: `test.event${i}`, organizationId, after: { i, big: 2n ** 70n, text: 'Ναι · হ্যাঁ' } }),
    );
  }
  const queue = new JobQueue(database.sql, pino({ level: 'silent' }));
  queue.define({ name: 'test.backup', payload: z.object({ n: z.number() }), handler: async () => undefined });
  await queue.start({ work: false });
  await queue.send('test.backup', { n: 42 });
  await queue.stop();
}

/** Every table's catalog shape and rows in text form, sorted: equal snapshots mean equal databases. */
export async function snapshot(database: Database): Promise<Record<string, string[]>> {
  return database.kysely.transaction().execute(async (trx) => {
    const sql = sqlOn(trx);
    await setTextFormats(sql);
    const out: Record<string, string[]> = {};
    for (const t of await readCatalog(sql)) {
      const [schema, name] = t.name.split('.');
      // Sorted here, not in SQL: the two engines may use different collations.
      const rows = (await sql(`select t::text as r from "${schema}"."${name}" t`)).map((r) => String(r.r)).sort();
      out[t.name] = [t.columns.map((c) => `${c.name} ${c.type}`).join(', '), ...rows];
    }
    return out;
  });
}
