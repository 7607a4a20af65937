import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/database.ts';
import type { Clock } from '../clock.ts';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, ArchiveWriter, type ArchiveHeader, type Row } from './archive.ts';
import { quoteIdent, quoteTable, readCatalog, readSchemaVersions, readSequences, setTextFormats, sqlOn, type CatalogTable, type Sql } from './catalog.ts';

export interface Progress {
  /** What is being worked on, e.g. `public.users`. */
  step: string;
  done: number;
  total: number;
}

export interface BackupOptions {
  file: string;
  clock: Clock;
  secretKeyId?: string | null;
  onProgress?: (p: Progress) => void;
}

export interface BackupSummary {
  file: string;
  tables: number;
  rows: number;
  bytes: number;
}

const FETCH_ROWS = 1000;

export const uplinkVersion: string = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8'),
).version;

/**
 * Writes the whole database (schemas public and pgboss) to one archive, read inside a single
 * REPEATABLE READ READ ONLY transaction: every table comes from the same instant while the
 * service goes on working. (Only on a server: the embedded database opens in one process at a
 * time, so `uplink backup` runs while the service is stopped.)
 */
export async function createBackup(database: Database, opts: BackupOptions): Promise<BackupSummary> {
  const writer = new ArchiveWriter(opts.file);
  try {
    const { tables, rows } = await database.kysely
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const sql = sqlOn(trx);
        await setTextFormats(sql);
        const { header, catalog } = await buildHeader(sql, database, opts);
        await writer.line(header);
        const total = header.tables.reduce((n, t) => n + t.rows, 0);
        let done = 0;
        for (const table of catalog) {
          await writer.line({ table: table.name });
          const before = done;
          done += await copyTable(sql, table, writer, (n) => opts.onProgress?.({ step: table.name, done: before + n, total }));
        }
        await writer.line({ end: true, rows: done });
        return { tables: catalog.length, rows: done };
      });
    await writer.finish();
    return { file: opts.file, tables, rows, bytes: fs.statSync(opts.file).size };
  } catch (err) {
    await writer.abandon();
    throw err;
  }
}

async function buildHeader(sql: Sql, database: Database, opts: BackupOptions): Promise<{ header: ArchiveHeader; catalog: CatalogTable[] }> {
  const catalog = await readCatalog(sql);
  const tables = [];
  for (const t of catalog) {
    const [c] = await sql(`select count(*)::text as n from ${quoteTable(t.name)}`);
    tables.push({ name: t.name, columns: t.columns, rows: Number(c!.n) });
  }
  const [v] = await sql("select current_setting('server_version') as v");
  const header: ArchiveHeader = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    createdAt: opts.clock.now().toISOString(),
    uplinkVersion,
    engine: database.engine,
    postgresVersion: String(v!.v),
    ...(await readSchemaVersions(sql)),
    secretKeyId: opts.secretKeyId ?? null,
    tables,
    sequences: await readSequences(sql),
  };
  return { header, catalog };
}

/** Streams one table through a cursor (ordered by its primary key, so archives are reproducible). */
async function copyTable(sql: Sql, table: CatalogTable, writer: ArchiveWriter, onRows: (n: number) => void): Promise<number> {
  const select = table.columns.map((c, i) => `${quoteIdent(c.name)}::text as c${i}`).join(', ');
  const order = table.primaryKey.length ? ` order by ${table.primaryKey.map(quoteIdent).join(', ')}` : '';
  await sql(`declare uplink_backup no scroll cursor for select ${select} from ${quoteTable(table.name)}${order}`);
  let n = 0;
  for (;;) {
    const batch = await sql(`fetch forward ${FETCH_ROWS} from uplink_backup`);
    for (const r of batch) {
      const row: Row = table.columns.map((_, i) => (r[`c${i}`] ?? null) as string | null);
      await writer.line(row);
    }
    n += batch.length;
    if (batch.length) onRows(n);
    if (batch.length < FETCH_ROWS) break;
  }
  await sql('close uplink_backup');
  return n;
}
