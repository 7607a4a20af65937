import type { Database } from '../../src/platform/db/database.ts';


const notExtensionMember = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_depend dep where dep.classid = '${catalog}'::regclass and dep.objid = ${oid} and dep.deptype = 'e')`;

const queries = {
  relations: `
    select format('%s kind=%s persistence=%s rls=%s', c.relname, c.relkind, c.relpersistence, c.relrowsecurity)
      || coalesce(' partition by ' || pg_get_partkeydef(c.oid), '')
      || case when parent.oid is null then '' else format(' partition of %s %s', parent.relname, pg_get_expr(c.relpartbound, c.oid)) end as line
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_inherits inh on inh.inhrelid = c.oid
    left join pg_class parent on parent.oid = inh.inhparent
    where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and ${notExtensionMember('pg_class', 'c.oid')}`,
  columns: `
    select c.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
      || case when a.attnotnull then ' not null' else '' end
      || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
      || case when a.attidentity <> '' then format(' identity=%s', a.attidentity) else '' end
      || case when a.attgenerated <> '' then format(' generated=%s', a.attgenerated) else '' end
      || case when a.attcollation <> 0 and a.attcollation <> t.typcollation then ' collate ' || coll.collname else '' end as line
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
    left join pg_collation coll on coll.oid = a.attcollation
    where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped
      and ${notExtensionMember('pg_class', 'c.oid')}`,
  indexes: `select indexdef as line from pg_indexes where schemaname = $1`,
  // contype 'n': PostgreSQL 18 records NOT NULL as constraints too; nullability is compared under columns.
  constraints: `
    select format('%s %s %s %s', coalesce(c.relname, 'domain ' || t.typname), con.conname, con.contype, pg_get_constraintdef(con.oid))
      || case when con.condeferrable then ' deferrable' else '' end as line
    from pg_constraint con
    join pg_namespace n on n.oid = con.connamespace
    left join pg_class c on c.oid = con.conrelid
    left join pg_type t on t.oid = con.contypid
    where n.nspname = $1 and con.contype <> 'n'`,
  triggers: `
    select format('%s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled) as line
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = $1 and not t.tgisinternal`,
  functions: `
    select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || pg_get_functiondef(p.oid) as line
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = $1 and p.prokind in ('f', 'p', 'w') and ${notExtensionMember('pg_proc', 'p.oid')}`,
  types: `
    select format('%s %s', t.typname, t.typtype)
      || coalesce(' over ' || format_type(t.typbasetype, t.typtypmod), '')
      || coalesce(' (' || (select string_agg(e.enumlabel, ', ' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) || ')', '') as line
    from pg_type t
    join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = $1 and t.typtype in ('e', 'd')
      and ${notExtensionMember('pg_type', 't.oid')}`,
  sequences: `
    select sequencename || ' ' || data_type || ' start=' || start_value || ' min=' || min_value || ' max=' || max_value
      || ' increment=' || increment_by || ' cycle=' || cycle as line
    from pg_sequences where schemaname = $1`,
  views: `select viewname || ' ' || definition as line from pg_views where schemaname = $1`,
  policies: `select tablename || ' ' || policyname || ' ' || cmd || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '') as line from pg_policies where schemaname = $1`,
  // Extension versions differ between the engines' bundles; which extensions a schema holds must not.
  extensions: `select e.extname as line from pg_extension e join pg_namespace n on n.oid = e.extnamespace where n.nspname = $1`,
};

/** One schema's catalogue as sorted text lines per kind of object, for comparing two databases. */
export type Catalogue = Record<keyof typeof queries, string[]>;

export async function dumpSchema(db: Database, schema: string): Promise<Catalogue> {
  const catalogue = {} as Catalogue;
  for (const [kind, text] of Object.entries(queries) as [keyof typeof queries, string][]) {
    const result = await db.sql.executeSql(text, [schema]);
    catalogue[kind] = result.rows.map((r: { line: string }) => r.line).sort();
  }
  return catalogue;
}
