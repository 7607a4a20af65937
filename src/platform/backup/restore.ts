import pino from 'pino';
import type { Database } from '../db/database.ts';
import { migrateTo } from '../db/migrate.ts';
import { JobQueue } from '../jobs/queue.ts';
import { verifyAuditChain, type VerifyResult } from '../audit/audit.ts';
import { BackupError, readArchive, type ArchiveTable, type Row } from './archive.ts';
import type { Progress } from './backup.ts';
import { quoteIdent, quoteTable, readCatalog, setTextFormats, sqlOn, type Sql } from './catalog.ts';
import { planRestore, type ArchiveSummary, type RestorePlan } from './inspect.ts';

export interface RestoreOptions {
  summary: ArchiveSummary;
  /** Id of the secret key this installation uses, to warn when the archive's secrets need another. */
  secretKeyId?: string | null;
  onProgress?: (p: Progress) => void;
}

export interface RestoreResult {
  tables: number;
  rows: number;
  audit: VerifyResult;
  warnings: string[];
}

/**
 * Replaces the whole database with an archive (already checked by inspectArchive): drops and
 * recreates the schemas, migrates to exactly the archive's schema, loads every row with triggers
 * off, sets sequences, then checks row counts and the audit chain.
 */
export async function restoreBackup(database: Database, opts: RestoreOptions): Promise<RestoreResult> {
  const { header } = opts.summary;
  const plan = planRestore(header);
  const warnings = [...plan.warnings];
  // Encrypted columns (two-factor seeds, NAS secrets) are readable only with the source's key.
  if (header.secretKeyId && header.secretKeyId !== opts.secretKeyId)
    warnings.push(
      `the archive's secrets were encrypted with the secret key whose id is ${header.secretKeyId}, ` +
        `${opts.secretKeyId ? `this installation uses ${opts.secretKeyId}` : 'and this installation has no key yet'}: ` +
        'before starting, set UPLINK_SECRET_KEY to the source’s key (or copy its secret.key into the data folder)',
    );
  await assertCanRestore(database);
  const tables = header.tables.filter((t) => plan.jobQueue || !t.name.startsWith('pgboss.'));
  try {
    await resetSchemas(database);
    await rebuildSchema(database, plan);
    await assertSameTables(database, tables);
    const rows = await loadRows(database, opts, tables, plan);
    await assertRowCounts(database, tables);
    return { tables: tables.length, rows, audit: await verifyAuditChain(database.kysely), warnings };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new BackupError(`the restore failed after the database was emptied: ${why}. Fix the cause and run the restore again`);
  }
}

/** Loading with triggers off needs session_replication_role, which only a superuser (or a grant) may set. */
async function assertCanRestore(database: Database): Promise<void> {
  try {
    await database.kysely.transaction().execute((trx) => sqlOn(trx)('set local session_replication_role = replica'));
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err;
    const [u] = await sqlOn(database.kysely)('select current_user as u');
    throw new BackupError(
      `restore needs a PostgreSQL superuser (it turns triggers off while loading rows) and "${u!.u}" is not one; ` +
        `connect as a superuser, or grant it: GRANT SET ON PARAMETER session_replication_role TO "${u!.u}"`,
    );
  }
  if (database.engine !== 'postgres') return;
  const others = await otherConnections(database);
  if (others > 0) throw new BackupError(`${others} other connection(s) use this database; stop every Uplink process using it before restoring`);
}

/** Connections to this database but ours; a server backend lingers a moment after its client left, so look again before answering. */
async function otherConnections(database: Database): Promise<number> {
  let n = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 400));
    const [row] = await sqlOn(database.kysely)(
      'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    n = Number(row!.n);
    if (n === 0) break;
  }
  return n;
}

async function resetSchemas(database: Database): Promise<void> {
  await database.kysely.transaction().execute(async (trx) => {
    const sql = sqlOn(trx);
    const [o] = await sql("select coalesce((select nspowner::regrole::text from pg_namespace where nspname = 'public'), 'pg_database_owner') as owner");
    await sql('drop schema if exists pgboss cascade');
    await sql('drop schema if exists public cascade');
    await sql(`create schema public authorization ${quoteIdent(String(o!.owner))}`);
    // The PostgreSQL 15+ default: everyone may use the schema, only its owner creates in it.
    await sql('grant usage on schema public to public');
  });
}

async function rebuildSchema(database: Database, plan: RestorePlan): Promise<void> {
  await migrateTo(database, plan.migrations);
  if (!plan.jobQueue) return;
  const queue = new JobQueue(database.sql, pino({ level: 'silent' }));
  await queue.start({ work: false });
  await queue.stop();
}

/** The rebuilt schema must have the archive's tables and columns, or rows would land in the wrong place. */
async function assertSameTables(database: Database, tables: ArchiveTable[]): Promise<void> {
  const catalog = await readCatalog(sqlOn(database.kysely));
  const shape = (cols: { name: string; type: string }[]) => cols.map((c) => `${c.name} ${c.type}`).join(', ');
  for (const t of tables) {
    const here = catalog.find((c) => c.name === t.name);
    if (!here) throw new Error(`table ${t.name} does not exist after migrating`);
    if (shape(here.columns) !== shape(t.columns)) throw new Error(`table ${t.name} differs: archive (${shape(t.columns)}), here (${shape(here.columns)})`);
  }
}

async function loadRows(database: Database, opts: RestoreOptions, tables: ArchiveTable[], plan: RestorePlan): Promise<number> {
  const { header, queueNames, file } = opts.summary;
  const total = tables.reduce((n, t) => n + t.rows, 0);
  return database.kysely.transaction().execute(async (trx) => {
    const sql = sqlOn(trx);
    await setTextFormats(sql);
    await sql('set local session_replication_role = replica');
    // pg-boss keeps each queue's jobs in a partition of its own, made when the queue is created.
    if (plan.jobQueue) for (const name of queueNames) await sql("select pgboss.create_queue($1, '{}'::json)", [name]);
    for (const t of [...tables].reverse()) await sql(`delete from ${quoteTable(t.name)}`);
    const loader = new TableLoader(sql, (done) => opts.onProgress?.({ step: loader.table?.name ?? '', done, total }));
    for await (const rec of readArchive(file)) {
      if (rec.kind === 'table') await loader.begin(tables.find((t) => t.name === rec.name));
      else if (rec.kind === 'row') await loader.add(rec.values);
    }
    await loader.flush();
    for (const s of header.sequences.filter((q) => plan.jobQueue || !q.name.startsWith('pgboss.')))
      await sql('select setval($1::regclass, $2::bigint, $3::boolean)', [quoteTable(s.name), s.lastValue, s.isCalled]);
    return loader.loaded;
  });
}

/** Buffers one table's rows and inserts them in multi-row statements, every value cast from its text form. */
class TableLoader {
  table: ArchiveTable | undefined;
  loaded = 0;
  #rows: Row[] = [];
  #batch = 1;

  constructor(
    private readonly sql: Sql,
    private readonly onProgress: (done: number) => void,
  ) {}

  /** Starts a table; undefined skips the table's rows (job queue tables of another pg-boss version). */
  async begin(table: ArchiveTable | undefined): Promise<void> {
    await this.flush();
    this.table = table;
    // Stay far below PostgreSQL's 65 535 parameters per statement.
    this.#batch = table ? Math.max(1, Math.min(500, Math.floor(30_000 / Math.max(1, table.columns.length)))) : 1;
  }

  async add(row: Row): Promise<void> {
    if (!this.table) return;
    this.#rows.push(row);
    if (this.#rows.length >= this.#batch) await this.flush();
  }

  async flush(): Promise<void> {
    const t = this.table;
    if (!t || this.#rows.length === 0) return;
    const rows = this.#rows;
    this.#rows = [];
    if (t.columns.length === 0) {
      for (let i = 0; i < rows.length; i++) await this.sql(`insert into ${quoteTable(t.name)} default values`);
    } else {
      const cols = t.columns.map((c) => quoteIdent(c.name)).join(', ');
      const tuples = rows.map((_, r) => `(${t.columns.map((c, i) => `$${r * t.columns.length + i + 1}::text::${c.type}`).join(', ')})`);
      await this.sql(`insert into ${quoteTable(t.name)} (${cols}) overriding system value values ${tuples.join(', ')}`, rows.flat());
    }
    this.loaded += rows.length;
    this.onProgress(this.loaded);
  }
}

async function assertRowCounts(database: Database, tables: ArchiveTable[]): Promise<void> {
  const sql = sqlOn(database.kysely);
  for (const t of tables) {
    const [c] = await sql(`select count(*)::text as n from ${quoteTable(t.name)}`);
    if (Number(c!.n) !== t.rows) throw new Error(`table ${t.name} holds ${c!.n} rows after loading, the archive ${t.rows}`);
  }
}
