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

/** Rows per statement (one array parameter per column, so the size is not bounded by parameters). */
const CHUNK = 5000;

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
  // In key order: two batches written at once lock the sessions they share in the same order (no deadlock).
  const unique = [...byId.values()].sort((a, b) => (a.acctuniqueid < b.acctuniqueid ? -1 : a.acctuniqueid > b.acctuniqueid ? 1 : 0));
  for (let at = 0; at < unique.length; at += CHUNK) await upsertChunk(db, unique.slice(at, at + CHUNK));
}

/** Column name → its array type: one array parameter per column (unnest), not one per value. */
const columns: [keyof SessionRow, string][] = [
  ['acctsessionid', 'text'], ['acctuniqueid', 'text'], ['username', 'text'], ['realm', 'text'], ['nasipaddress', 'inet'],
  ['nasportid', 'text'], ['nasporttype', 'text'], ['acctstarttime', 'timestamptz'], ['acctupdatetime', 'timestamptz'],
  ['acctstoptime', 'timestamptz'], ['acctsessiontime', 'int8'], ['acctauthentic', 'text'], ['connectinfo_start', 'text'],
  ['connectinfo_stop', 'text'], ['acctinputoctets', 'int8'], ['acctoutputoctets', 'int8'], ['calledstationid', 'text'],
  ['callingstationid', 'text'], ['acctterminatecause', 'text'], ['servicetype', 'text'], ['framedprotocol', 'text'],
  ['framedipaddress', 'inet'], ['framedipv6address', 'inet'], ['framedipv6prefix', 'inet'], ['framedinterfaceid', 'text'],
  ['delegatedipv6prefix', 'inet'], ['class', 'text'], ['nas_id', 'uuid'], ['organization_id', 'uuid'],
];

function arrayOf(rows: SessionRow[], column: keyof SessionRow): (string | null)[] {
  return rows.map((r) => {
    const v = r[column];
    return v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v);
  });
}

/*
 * One statement: the rows come in as one array per column (a 5,000-row batch is 29 parameters, not
 * 145,000), the subscription is found by username in the same statement (so the owner trigger
 * stays idle for our rows), and the upserted rows' counters are filed under their local day.
 */
async function upsertChunk(db: Db, rows: SessionRow[]): Promise<void> {
  const names = sql.join(columns.map(([c]) => sql.ref(`u.${c}`)));
  const unnest = sql.join(columns.map(([c, type]) => sql`${arrayOf(rows, c)}::${sql.raw(type)}[]`));
  await sql`
    with u as (
      select * from unnest(${unnest}) as u(${sql.join(columns.map(([c]) => sql.ref(c)))})
    ), up as (
      insert into radacct (${sql.join(columns.map(([c]) => sql.ref(c)))}, subscription_id)
      select ${names}, (select s.id from subscriptions s where lower(s.username) = lower(u.username)
                          and s.username is not null and s.status <> 'terminated')
      from u
      on conflict (acctuniqueid) do update set
        acctstarttime = coalesce(radacct.acctstarttime, excluded.acctstarttime),
        acctupdatetime = greatest(radacct.acctupdatetime, excluded.acctupdatetime),
        acctinterval = case when excluded.acctupdatetime > radacct.acctupdatetime
          then extract(epoch from excluded.acctupdatetime - radacct.acctupdatetime)::bigint else radacct.acctinterval end,
        acctstoptime = coalesce(radacct.acctstoptime, excluded.acctstoptime),
        acctsessiontime = greatest(radacct.acctsessiontime, excluded.acctsessiontime),
        acctinputoctets = greatest(radacct.acctinputoctets, excluded.acctinputoctets),
        acctoutputoctets = greatest(radacct.acctoutputoctets, excluded.acctoutputoctets),
        acctterminatecause = coalesce(radacct.acctterminatecause, excluded.acctterminatecause),
        connectinfo_stop = coalesce(radacct.connectinfo_stop, excluded.connectinfo_stop),
        framedipaddress = coalesce(excluded.framedipaddress, radacct.framedipaddress),
        framedipv6address = coalesce(excluded.framedipv6address, radacct.framedipv6address),
        framedipv6prefix = coalesce(excluded.framedipv6prefix, radacct.framedipv6prefix),
        delegatedipv6prefix = coalesce(excluded.delegatedipv6prefix, radacct.delegatedipv6prefix),
        class = coalesce(radacct.class, excluded.class)
      returning radacctid, subscription_id, acctupdatetime, acctstoptime, acctinputoctets, acctoutputoctets, acctsessiontime
    )
    insert into radacct_days (radacctid, day, subscription_id, input_octets, output_octets, session_seconds)
    select up.radacctid, (coalesce(up.acctstoptime, up.acctupdatetime) at time zone z.timezone)::date, up.subscription_id,
      coalesce(up.acctinputoctets, 0), coalesce(up.acctoutputoctets, 0), coalesce(up.acctsessiontime, 0)
    from up cross join lateral (
      -- A scalar lookup by primary key per row: a join here was planned as a hash over every subscription.
      select (select o.timezone from subscriptions s join organizations o on o.id = s.organization_id where s.id = up.subscription_id) as timezone
    ) z
    where up.subscription_id is not null
    on conflict (radacctid, day) do update set
      input_octets = greatest(radacct_days.input_octets, excluded.input_octets),
      output_octets = greatest(radacct_days.output_octets, excluded.output_octets),
      session_seconds = greatest(radacct_days.session_seconds, excluded.session_seconds)`.execute(db);
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
  // The usual batch (interim updates only, one chunk) is one statement, atomic by itself: no
  // BEGIN/COMMIT round trips around it.
  if (items.length <= CHUNK && items.every((i) => i.kind === 'session')) return upsertSessions(db, items.map((i) => i.row));
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
