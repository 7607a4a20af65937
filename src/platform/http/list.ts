import { sql, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { BadRequestError } from '../errors.ts';

/**
 * The list conventions every collection endpoint shares:
 *   ?limit=1..200 (default 50) &cursor=<opaque> &sort=<field>|-<field> &q=<search> plus per-resource filters.
 * Answers { items, nextCursor }: keyset pagination, stable under inserts, cheap at any depth.
 */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
  sort: z.string().max(64).optional(),
  q: z.string().trim().max(200).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export function pageSchema<T extends z.ZodTypeAny>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().describe('Pass as ?cursor= to get the next page; null on the last page'),
    })
    .meta({ id });
}

export interface SortSpec {
  /** Public sort field → SQL column (non-null columns only). */
  fields: Record<string, string>;
  /** Default sort, e.g. '-created_at'. */
  default: string;
  /** Unique tie-breaker column, e.g. 'users.id'. */
  id: string;
}

interface Cursor {
  s: string;
  v: string | number;
  id: string;
}

function parseSort(spec: SortSpec, sort: string | undefined) {
  const raw = sort ?? spec.default;
  const desc = raw.startsWith('-');
  const field = desc ? raw.slice(1) : raw;
  const column = spec.fields[field];
  if (!column)
    throw new BadRequestError(`Cannot sort by "${field}"`, [
      { field: 'sort', message: `must be one of ${Object.keys(spec.fields).map((f) => `${f}, -${f}`).join(', ')}` },
    ]);
  return { raw, desc, field, column };
}

/** Adds ORDER BY, the keyset condition for the cursor, and LIMIT+1 to detect a next page. */
export function keyset<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  spec: SortSpec,
  query: ListQuery,
): SelectQueryBuilder<DB, TB, O> {
  const { raw, desc, column } = parseSort(spec, query.sort);
  let q = qb;
  if (query.cursor) {
    let c: Cursor;
    try {
      c = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as Cursor;
    } catch {
      throw new BadRequestError('The cursor is malformed', [{ field: 'cursor', message: 'is not a cursor from this list' }]);
    }
    if (c.s !== raw || typeof c.id !== 'string' || (typeof c.v !== 'string' && typeof c.v !== 'number'))
      throw new BadRequestError('The cursor belongs to another sort order', [{ field: 'cursor', message: 'does not match sort' }]);
    const op = sql.raw(desc ? '<' : '>');
    // The cursor's copy of the value went through JS, where a timestamp loses its microseconds; compare
    // with the cursor row's stored value (same query, so same scope), and use the copy only if it is gone.
    const stored = qb.clearSelect().select(sql.ref(column).as('v')).where(sql.ref(spec.id), '=', c.id);
    q = q.where(sql<boolean>`(${sql.ref(column)}, ${sql.ref(spec.id)}) ${op} (coalesce(${stored}, ${c.v}), ${c.id})`) as typeof q;
  }
  const dir = desc ? 'desc' : 'asc';
  return q
    .orderBy(sql.ref(column), dir)
    .orderBy(sql.ref(spec.id), dir)
    .limit(query.limit + 1) as typeof q;
}

/** Cuts the extra row and builds the next cursor from the last row returned. */
export function page<R>(rows: R[], spec: SortSpec, query: ListQuery, value: (row: R, field: string) => unknown, id: (row: R) => string) {
  const { raw, field } = parseSort(spec, query.sort);
  const hasMore = rows.length > query.limit;
  const items = hasMore ? rows.slice(0, query.limit) : rows;
  const last = items[items.length - 1];
  let nextCursor: string | null = null;
  if (hasMore && last) {
    const v = value(last, field);
    const cursor: Cursor = {
      s: raw,
      v: v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : (v as string | number),
      id: id(last),
    };
    nextCursor = Buffer.from(JSON.stringify(cursor)).toString('base64url');
  }
  return { items, nextCursor };
}

/** Escapes LIKE wildcards in user search text. */
export function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/** RFC 4180 CSV with a header row; formula-leading cells are quoted to stop CSV injection in spreadsheets. */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s = v instanceof Date ? v.toISOString() : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

/**
 * Every row of a keyset list, 200 at a time (CSV exports): `fetchPage` answers one page for the
 * query and cursor it is given, exactly as the list endpoint would.
 */
export async function everyPage<Q extends ListQuery, R>(
  query: Omit<Q, 'cursor' | 'limit'>,
  fetchPage: (q: Q) => Promise<{ items: R[]; nextCursor: string | null }>,
): Promise<R[]> {
  const rows: R[] = [];
  let cursor: string | undefined;
  do {
    const p = await fetchPage({ ...query, limit: 200, cursor } as Q);
    rows.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}
