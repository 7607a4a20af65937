/**
 * radacct writes. One batch is one transaction: each run of session records is one INSERT … ON
 * CONFLICT (acctuniqueid) that also files the session's counters under its local day (radacct_days,
 * for the usage roll-up) in the same statement; an Accounting-On/Off in the batch closes the NAS's
 * open sessions at its place in the order.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { RadacctTable } from '../../platform/db/schema/aaa.ts';
import type { AccountingItem } from './accounting.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface SessionRow extends Omit<RadacctTable, 'radacctid' | 'subscription_id' | 'acctinterval' | 'acctsessiontime' | 'acctinputoctets' | 'acctoutputoctets'> {
  acctsessiontime: bigint;
  acctinputoctets: bigint;
  acctoutputoctets: bigint;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const earliest = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));
const latest = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

/** Two records of one session in one batch become one row (a statement may not touch a row twice). */
export function mergeSession(a: SessionRow, b: SessionRow): SessionRow {
  return {
    ...a,
    ...Object.fromEntries(Object.entries(b).filter(([, v]) => v !== null)),
    acctstarttime: earliest(a.acctstarttime, b.acctstarttime),
    acctupdatetime: latest(a.acctupdatetime, b.acctupdatetime),
    acctstoptime: a.acctstoptime ?? b.acctstoptime,
    acctsessiontime: max(a.acctsessiontime, b.acctsessiontime),
    acctinputoctets: max(a.acctinputoctets, b.acctinputoctets),
    acctoutputoctets: max(a.acctoutputoctets, b.acctoutputoctets),
  };
}

async function upsertSessions(db: Db, rows: SessionRow[]): Promise<void> {
  const byId = new Map<string, SessionRow>();
  for (const r of rows) {
    const seen = byId.get(r.acctuniqueid);
    byId.set(r.acctuniqueid, seen ? mergeSession(seen, r) : r);
  }
  const unique = [...byId.values()];
  for (let at = 0; at < unique.length; at += 1000) {
    const chunk = unique.slice(at, at + 1000);
    await db
      .with('up', (qb) =>
        qb
          .insertInto('radacct')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('acctuniqueid').doUpdateSet({
              acctstarttime: sql`coalesce(radacct.acctstarttime, excluded.acctstarttime)`,
              acctupdatetime: sql`greatest(radacct.acctupdatetime, excluded.acctupdatetime)`,
              acctinterval: sql`case when excluded.acctupdatetime > radacct.acctupdatetime
                then extract(epoch from excluded.acctupdatetime - radacct.acctupdatetime)::bigint else radacct.acctinterval end`,
              acctstoptime: sql`coalesce(radacct.acctstoptime, excluded.acctstoptime)`,
              acctsessiontime: sql`greatest(radacct.acctsessiontime, excluded.acctsessiontime)`,
              acctinputoctets: sql`greatest(radacct.acctinputoctets, excluded.acctinputoctets)`,
              acctoutputoctets: sql`greatest(radacct.acctoutputoctets, excluded.acctoutputoctets)`,
              acctterminatecause: sql`coalesce(radacct.acctterminatecause, excluded.acctterminatecause)`,
              connectinfo_stop: sql`coalesce(radacct.connectinfo_stop, excluded.connectinfo_stop)`,
              framedipaddress: sql`coalesce(excluded.framedipaddress, radacct.framedipaddress)`,
              framedipv6address: sql`coalesce(excluded.framedipv6address, radacct.framedipv6address)`,
              framedipv6prefix: sql`coalesce(excluded.framedipv6prefix, radacct.framedipv6prefix)`,
              delegatedipv6prefix: sql`coalesce(excluded.delegatedipv6prefix, radacct.delegatedipv6prefix)`,
              class: sql`coalesce(radacct.class, excluded.class)`,
            }),
          )
          .returning(['radacctid', 'subscription_id', 'acctupdatetime', 'acctstoptime', 'acctinputoctets', 'acctoutputoctets', 'acctsessiontime']),
      )
      .insertInto('radacct_days')
      .columns(['radacctid', 'day', 'subscription_id', 'input_octets', 'output_octets', 'session_seconds'])
      .expression((eb) =>
        eb
          .selectFrom('up')
          .innerJoin('subscriptions as s', 's.id', 'up.subscription_id')
          .innerJoin('organizations as o', 'o.id', 's.organization_id')
          .select([
            'up.radacctid',
            sql<string>`(coalesce(up.acctstoptime, up.acctupdatetime) at time zone o.timezone)::date`.as('day'),
            'up.subscription_id',
            sql<bigint>`coalesce(up.acctinputoctets, 0)`.as('input_octets'),
            sql<bigint>`coalesce(up.acctoutputoctets, 0)`.as('output_octets'),
            sql<bigint>`coalesce(up.acctsessiontime, 0)`.as('session_seconds'),
          ]) as any,
      )
      .onConflict((oc) =>
        oc.columns(['radacctid', 'day']).doUpdateSet({
          input_octets: sql`greatest(radacct_days.input_octets, excluded.input_octets)`,
          output_octets: sql`greatest(radacct_days.output_octets, excluded.output_octets)`,
          session_seconds: sql`greatest(radacct_days.session_seconds, excluded.session_seconds)`,
        }),
      )
      .execute();
  }
}

/** Accounting-On/Off: the NAS restarted, so every session it had open has ended. */
export async function closeNasSessions(db: Db, nasAddress: string, at: Date, cause: string): Promise<number> {
  const r = await db
    .updateTable('radacct')
    .set({
      acctstoptime: at,
      acctupdatetime: sql`greatest(acctupdatetime, ${at}::timestamptz)`,
      acctsessiontime: sql`greatest(acctsessiontime, extract(epoch from ${at}::timestamptz - acctstarttime)::bigint)`,
      acctterminatecause: cause,
    })
    .where(sql<boolean>`nasipaddress = ${nasAddress}::inet`)
    .where('acctstoptime', 'is', null)
    .where('acctstarttime', '<=', at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function writeAccounting(db: Kysely<DB>, items: readonly AccountingItem[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    let run: SessionRow[] = [];
    for (const item of items) {
      if (item.kind === 'session') {
        run.push(item.row);
        continue;
      }
      if (run.length) await upsertSessions(trx, run);
      run = [];
      await closeNasSessions(trx, item.nasAddress, item.at, item.cause);
    }
    if (run.length) await upsertSessions(trx, run);
  });
}

/**
 * Sessions that stopped reporting: no update for three interim intervals (their own, else the
 * default) are closed at their last update, as FreeRADIUS operators do with a cron script.
 */
export async function closeStaleSessions(db: Db, now: Date, defaultIntervalSeconds = 300): Promise<number> {
  const r = await db
    .updateTable('radacct')
    .set({ acctstoptime: sql`coalesce(acctupdatetime, acctstarttime)`, acctterminatecause: 'Stale-Session' })
    .where('acctstoptime', 'is', null)
    .where(
      sql<boolean>`coalesce(acctupdatetime, acctstarttime) < ${now}::timestamptz - make_interval(secs => 3 * greatest(coalesce(acctinterval, ${defaultIntervalSeconds}), 60))`,
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
