import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, engine } from '../support/db.ts';

/*
 * Two transactions take two locks in opposite orders, each waiting for the other to hold its first
 * lock: PostgreSQL aborts one as a deadlock victim, and `transaction().execute` runs that one again,
 * so both commit. The embedded engine has one session and cannot deadlock.
 */
describe.skipIf(engine === 'pglite')('deadlock victims are run again (postgres)', async () => {
  const database = await createTestDatabase({ empty: true });

  it('commits both transactions of a deadlock, the victim on its second attempt', async () => {
    const db = database.kysely;
    await sql`create table deadlock_probe (id int primary key, writes int not null default 0)`.execute(db);
    await sql`insert into deadlock_probe (id) values (1), (2)`.execute(db);
    let holding = 0;
    const bothHolding = new Promise<void>((resolve) => {
      const check = setInterval(() => holding >= 2 && (clearInterval(check), resolve()), 5);
    });
    const attempts = { a: 0, b: 0 };
    const crossing = (name: 'a' | 'b', first: number, second: number) =>
      db.transaction().execute(async (trx) => {
        attempts[name]++;
        await sql`update deadlock_probe set writes = writes + 1 where id = ${first}`.execute(trx);
        holding++;
        await bothHolding;
        await sql`update deadlock_probe set writes = writes + 1 where id = ${second}`.execute(trx);
      });
    await Promise.all([crossing('a', 1, 2), crossing('b', 2, 1)]);
    expect(attempts.a + attempts.b).toBe(3);
    const rows = await sql<{ id: number; writes: number }>`select id, writes from deadlock_probe order by id`.execute(db);
    expect(rows.rows).toEqual([
      { id: 1, writes: 2 },
      { id: 2, writes: 2 },
    ]);
    await database.close();
  });

  it('does not run again what failed for another reason', async () => {
    const other = await createTestDatabase({ empty: true });
    const db = other.kysely;
    let attempts = 0;
    await expect(
      db.transaction().execute(async (trx) => {
        attempts++;
        await sql`select 1 / 0`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(attempts).toBe(1);
    await other.close();
  });
});
