import { CompiledQuery, type Kysely } from 'kysely';
import type { ArchiveColumn, ArchiveSequence } from './archive.ts';

/** Every schema a backup covers: the application's tables and the job queue's. */
export const BACKUP_SCHEMAS = ['public', 'pgboss'] as const;

/** One statement on one connection (a transaction, so PGlite's session lock is held throughout). */
export type Sql = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export function sqlOn(db: Kysely<any>): Sql {
  return async (text, params = []) => (await db.executeQuery(CompiledQuery.raw(text, params))).rows as Record<string, unknown>[];
}

/**
 * Values travel as text, so the text forms must not depend on the session: UTC and ISO dates,
 * hex bytea, and floats printed exactly.
 */
export async function setTextFormats(sql: Sql): Promise<void> {
  for (const s of [
    "set local timezone = 'UTC'",
    "set local datestyle = 'ISO, YMD'",
    "set local intervalstyle = 'postgres'",
    "set local bytea_output = 'hex'",
    'set local extra_float_digits = 1',
  ])
    await sql(s);
}

export interface CatalogTable {
  name: string;
  columns: ArchiveColumn[];
  primaryKey: string[];
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `public.users` → `"public"."users"`. */
export function quoteTable(qualified: string): string {
  const dot = qualified.indexOf('.');
  return `${quoteIdent(qualified.slice(0, dot))}.${quoteIdent(qualified.slice(dot + 1))}`;
}

const inSchemas = `n.nspname in (${BACKUP_SCHEMAS.map((s) => `'${s}'`).join(', ')})`;

/**
 * The tables of the backed-up schemas in foreign-key order (parents first). Partitions are left
 * out: their rows are read and written through the partitioned parent.
 */
export async function readCatalog(sql: Sql): Promise<CatalogTable[]> {
  const tables = await sql(`
    select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where ${inSchemas} and c.relkind in ('r', 'p') and not c.relispartition order by 1`);
  const columns = await sql(`
    select n.nspname || '.' || c.relname as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where ${inSchemas} and c.relkind in ('r', 'p') and not c.relispartition
      and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    order by 1, a.attnum`);
  const keys = await sql(`
    select n.nspname || '.' || c.relname as table, a.attname as name
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
    where ${inSchemas} and i.indisprimary order by 1, k.ord`);
  const byName = new Map<string, CatalogTable>();
  for (const t of tables) byName.set(String(t.name), { name: String(t.name), columns: [], primaryKey: [] });
  for (const c of columns) byName.get(String(c.table))?.columns.push({ name: String(c.name), type: String(c.type) });
  for (const k of keys) byName.get(String(k.table))?.primaryKey.push(String(k.name));
  return dependencyOrder([...byName.values()], await foreignKeys(sql));
}

/** Child → parent table pairs; a partition's constraints count as its root table's. */
async function foreignKeys(sql: Sql): Promise<[string, string][]> {
  const rows = await sql(`
    select cn.nspname || '.' || child.relname as child, pn.nspname || '.' || parent.relname as parent
    from pg_constraint con
    join pg_class child on child.oid = coalesce(pg_partition_root(con.conrelid), con.conrelid)
    join pg_namespace cn on cn.oid = child.relnamespace
    join pg_class parent on parent.oid = coalesce(pg_partition_root(con.confrelid), con.confrelid)
    join pg_namespace pn on pn.oid = parent.relnamespace
    where con.contype = 'f'`);
  return rows.map((r) => [String(r.child), String(r.parent)]);
}

/** Topological order, parents first; ties (and any cycle) fall back to name order. */
export function dependencyOrder<T extends { name: string }>(tables: T[], edges: [string, string][]): T[] {
  const names = new Set(tables.map((t) => t.name));
  const parents = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set()]));
  for (const [child, parent] of edges) if (child !== parent && names.has(child) && names.has(parent)) parents.get(child)!.add(parent);
  const placed = new Set<string>();
  const ordered: T[] = [];
  const remaining = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  while (remaining.length) {
    const i = remaining.findIndex((t) => [...parents.get(t.name)!].every((p) => placed.has(p)));
    const [next] = remaining.splice(i >= 0 ? i : 0, 1);
    placed.add(next!.name);
    ordered.push(next!);
  }
  return ordered;
}

export async function readSequences(sql: Sql): Promise<ArchiveSequence[]> {
  const rows = await sql(`
    select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where ${inSchemas} and c.relkind = 'S' order by 1`);
  const out: ArchiveSequence[] = [];
  for (const r of rows) {
    const name = String(r.name);
    const [v] = await sql(`select last_value::text as last_value, is_called::text as is_called from ${quoteTable(name)}`);
    out.push({ name, lastValue: String(v!.last_value), isCalled: v!.is_called === 'true' });
  }
  return out;
}

/** The applied migrations and the job-queue schema version, as stored in the database itself. */
export async function readSchemaVersions(sql: Sql): Promise<{ migrations: string[]; jobQueueVersion: number | null }> {
  const [reg] = await sql(`select to_regclass('public.schema_migrations')::text as m, to_regclass('pgboss.version')::text as q`);
  const migrations = reg?.m ? (await sql('select name from public.schema_migrations order by name')).map((r) => String(r.name)) : [];
  const version = reg?.q ? (await sql('select max(version)::text as v from pgboss.version'))[0]?.v : null;
  return { migrations, jobQueueVersion: version == null ? null : Number(version) };
}
