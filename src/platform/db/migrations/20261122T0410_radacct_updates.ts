import { sql, type Kysely } from 'kysely';

/*
 * Every Interim-Update rewrites its session's counters: on a large network, most of accounting's
 * writes. With acctupdatetime in an index, each one was a new row version plus a new entry in every
 * one of radacct's indexes (about 34 buffers touched per update, measured with EXPLAIN). Without it,
 * and with room left on each page, an interim update is a HOT update: the new version goes on the
 * same page and no index changes. The stale-session job never used that index (it compares
 * coalesce(acctupdatetime, acctstarttime) with each session's own interval): it reads the open
 * sessions through the partial indexes on open sessions.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index radacct_open_update_idx`.execute(db);
  await sql`alter table radacct set (fillfactor = 70)`.execute(db);
}
