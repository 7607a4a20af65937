import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { createTestDatabase, engine } from '../support/db.ts';

/*
 * Every value is checked with toStrictEqual, so a Buffer is not a Uint8Array, '1.10' is not 1.1 and
 * 9007199254740993n is not 9007199254740992. Each run checks its own engine; the server run also
 * opens an embedded database and checks it in the same run.
 */
const cases: [name: string, expression: string, expected: unknown][] = [
  ['int8 beyond 2^53', '9007199254740993::int8', 9007199254740993n],
  ['int8 minimum', '(-9223372036854775807 - 1)::int8', -9223372036854775808n],
  ['count(*) is int8', '(select count(*) from generate_series(1, 3))', 3n],
  ['int8[] with null', "'{9007199254740993,-1,null}'::int8[]", [9007199254740993n, -1n, null]],
  ['int4', '2147483647::int4', 2147483647],
  ['numeric keeps every digit', "'12345678901234567890.123456789'::numeric", '12345678901234567890.123456789'],
  ['numeric arithmetic is decimal', '0.1::numeric + 0.2::numeric', '0.3'],
  ['numeric keeps its scale', "'1.10'::numeric(12, 2)", '1.10'],
  ['numeric[] keeps digits and scale', "'{1.10,0.000000000000000001,12345678901234567890,null}'::numeric[]", ['1.10', '0.000000000000000001', '12345678901234567890', null]],
  ['date', "'2024-02-29'::date", '2024-02-29'],
  ['date[]', "'{2024-02-29,1999-12-31,null}'::date[]", ['2024-02-29', '1999-12-31', null]],
  ['timestamptz', "'2026-03-01T12:34:56.789+03:00'::timestamptz", new Date('2026-03-01T09:34:56.789Z')],
  ['timestamptz drops microseconds', "'2026-03-01T00:00:00.999999Z'::timestamptz", new Date('2026-03-01T00:00:00.999Z')],
  ['timestamptz[]', "array['2026-03-01T00:00:00Z'::timestamptz, null]", [new Date('2026-03-01T00:00:00Z'), null]],
  ['jsonb object', `'{"a": 1, "b": [true, null], "c": {"d": "é"}}'::jsonb`, { a: 1, b: [true, null], c: { d: 'é' } }],
  ['json array', "'[1, \"two\", 3.5]'::json", [1, 'two', 3.5]],
  ['jsonb scalar string', `'"text"'::jsonb`, 'text'],
  ['jsonb[]', `array['{"x": 1}'::jsonb, 'null'::jsonb]`, [{ x: 1 }, null]],
  ['bytea', "'\\x00ff10'::bytea", Buffer.from([0x00, 0xff, 0x10])],
  ['text[] with commas, quotes and null', `array['a', 'b,c', 'd"e', null]::text[]`, ['a', 'b,c', 'd"e', null]],
  ['uuid', "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['bool', 'true', true],
  ['float8', '1.5::float8', 1.5],
  ['interval', "'3 days 04:05:06'::interval", '3 days 04:05:06'],
  ['interval[]', "array['1 mon'::interval, null]", ['1 mon', null]],
  ['null int8', 'null::int8', null],
  ['null numeric', 'null::numeric', null],
  ['null date', 'null::date', null],
  ['null timestamptz', 'null::timestamptz', null],
  ['null jsonb', 'null::jsonb', null],
  ['null bytea', 'null::bytea', null],
];

async function engines(): Promise<Database[]> {
  const own = await createTestDatabase();
  return engine === 'postgres' ? [own, await openDatabase({})] : [own];
}

describe('type parsing', () => {
  let dbs: Database[] = [];
  beforeAll(async () => {
    dbs = await engines();
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
  });

  it.each(cases)('%s', async (_name, expression, expected) => {
    for (const db of dbs) {
      const viaKysely = await sql.raw<{ v: unknown }>(`select ${expression} as v`).execute(db.kysely);
      expect(viaKysely.rows[0]!.v, `${db.engine} through Kysely`).toStrictEqual(expected);
      // The job queue and raw-SQL tools use executeSql: the same parsing applies there.
      const viaExecutor = await db.sql.executeSql(`select ${expression} as v`, []);
      expect(viaExecutor.rows[0].v, `${db.engine} through executeSql`).toStrictEqual(expected);
    }
  });

  it('parameters round-trip exactly', async () => {
    const at = new Date('2026-05-06T07:08:09.123Z');
    for (const db of dbs) {
      const r = await sql<Record<string, unknown>>`select
          ${9007199254740993n}::int8 as big,
          ${'98765432109876543210.000000001'}::numeric as amount,
          ${'2026-02-28'}::date as day,
          ${at}::timestamptz as at,
          ${JSON.stringify({ nested: { list: [1, 2] } })}::jsonb as doc,
          ${Buffer.from('hello')}::bytea as bytes,
          ${[1n, 2n]}::int8[] as ids,
          ${null}::int8 as nothing`.execute(db.kysely);
      expect(r.rows[0], db.engine).toStrictEqual({
        big: 9007199254740993n,
        amount: '98765432109876543210.000000001',
        day: '2026-02-28',
        at,
        doc: { nested: { list: [1, 2] } },
        bytes: Buffer.from('hello'),
        ids: [1n, 2n],
        nothing: null,
      });
    }
  });
});
