import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import pg from 'pg';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { PgliteDialect, SessionLock } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

export type Engine = 'pglite' | 'postgres';

/** What the job queue and raw-SQL tools need: one statement with parameters, or a script without. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export interface Database {
  engine: Engine;
  kysely: Kysely<DB>;
  sql: SqlExecutor;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Only for the embedded engine: the underlying instance (backups, test templates). */
  pglite?: PGlite;
}

/*
 * Both engines parse the same types the same way:
 * int8 → bigint, numeric and numeric[] → string (exact), date → 'YYYY-MM-DD' string, timestamptz → Date,
 * interval → its PostgreSQL text ('3 days 04:05:06'), json/jsonb → parsed values.
 */
const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;
const DATE_ARRAY = 1182;
const NUMERIC_ARRAY = 1231;
const INTERVAL = 1186;
const INTERVAL_ARRAY = 1187;

// The runtime object has create(); its published type says otherwise.
const arrayParser = pg.types.arrayParser as unknown as {
  create(source: string, transform: (x: string) => unknown): { parse(): unknown[] };
};

function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8) return (v: string) => BigInt(v);
      if (oid === INT8_ARRAY)
        return (v: string) => arrayParser.create(v, (x: string) => (x === null ? null : BigInt(x))).parse();
      if (oid === DATE || oid === INTERVAL) return (v: string) => v;
      // node-postgres turns numeric[] into JS numbers (1.10 → 1.1, lossy past 15 digits): keep the text.
      if (oid === DATE_ARRAY || oid === NUMERIC_ARRAY || oid === INTERVAL_ARRAY) return (v: string) => arrayParser.create(v, (x: string) => x).parse();
      return pg.types.getTypeParser(oid, format as any);
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** Folder for the embedded database; `memory://` for a throw-away one. */
  pgliteDir?: string;
  /** Start the embedded database from a dumped data directory (test templates, restores). */
  pgliteLoadDataDir?: Blob;
  poolSize?: number;
  logger?: Logger;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts);
}

async function openPglite(opts: OpenOptions): Promise<Database> {
  const dir = opts.pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  const pglite = await PGlite.create(dir, {
    extensions: { pg_trgm, btree_gist },
    loadDataDir: opts.pgliteLoadDataDir,
    parsers: {
      [INT8]: (v: string) => BigInt(v),
      [DATE]: (v: string) => v,
      [pgliteTypes.NUMERIC]: (v: string) => v,
      // PGlite hands bytea out as Uint8Array; node-postgres as Buffer. Buffer everywhere.
      [pgliteTypes.BYTEA]: (v: unknown) => (typeof v === 'string' ? Buffer.from(v.slice(2), 'hex') : Buffer.from(v as Uint8Array)),
    },
  });
  const lock = new SessionLock();
  const kysely = new Kysely<DB>({ dialect: new PgliteDialect(pglite, lock) });
  const sql: SqlExecutor = {
    executeSql: (text, values) =>
      lock.run(async () => {
        if (values && values.length > 0) return pglite.query(text, values as any[]);
        const results = await pglite.exec(text);
        return results[results.length - 1] ?? { rows: [] };
      }),
  };
  return {
    engine: 'pglite',
    kysely,
    sql,
    pglite,
    ping: async () => {
      await sql.executeSql('select 1', []);
    },
    close: async () => {
      await kysely.destroy();
      await lock.run(() => pglite.close());
    },
  };
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types: pgTypes(),
    application_name: 'uplink',
  });
  // An idle client losing its server emits here; without a listener the process would die.
  pool.on('error', (err) => opts.logger?.warn({ err: err.message }, 'database connection lost'));
  // A client checked out by Kysely has no pool listener: when its connection drops, pg rejects the
  // running query (the request answers 503) and then emits 'error' on the client, which would crash.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  rerunDeadlockVictims(kysely, opts.logger);
  const sql: SqlExecutor = {
    executeSql: async (text, values) => pool.query(text, values as any[]),
  };
  return {
    engine: 'postgres',
    kysely,
    sql,
    ping: async () => {
      await pool.query('select 1');
    },
    close: async () => {
      await kysely.destroy();
    },
  };
}

export const deadlockAttempts = 4;

/**
 * A transaction that PostgreSQL picks as a deadlock victim (40P01) has been rolled back whole, so
 * running it again is safe and is what PostgreSQL's manual asks of applications. Deadlocks do
 * happen here: every audited change ends on the one advisory lock that orders the audit chain, so
 * a use case that audits before it takes another lock (activation audits, then bills and numbers
 * an invoice) can meet one that took that lock first (an invoice numbered, then audited). Rather
 * than order every lock of every use case, `db.transaction().execute(fn)` runs a victim's `fn`
 * again, a few times, after a short random pause. (The embedded engine has one session: no deadlocks.)
 */
function rerunDeadlockVictims(kysely: Kysely<DB>, logger?: Logger): void {
  const begin = kysely.transaction.bind(kysely);
  kysely.transaction = () => {
    const builder = begin();
    const execute = builder.execute.bind(builder);
    builder.execute = async <T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await execute(fn);
        } catch (err) {
          if ((err as { code?: string }).code !== '40P01' || attempt >= deadlockAttempts) throw err;
          logger?.warn({ attempt }, 'transaction chosen as a deadlock victim: running it again');
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
        }
      }
    };
    return builder;
  };
}
