import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`account numbers (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));

  it('are gapless and unique under 50 concurrent creates, and a failed create gives its number back', async () => {
    expect((await admin.patch('/api/subscribers/numbering', { organizationId: tree.resellerA.id, format: 'KIL-{seq:6}' })).statusCode).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => admin.post('/api/subscribers', { organizationId: tree.resellerA.id, name: `Concurrent ${i}`, contacts: [{ kind: 'phone', value: `07000000${String(i).padStart(2, '0')}` }] })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => json(r).accountNumber as string).sort();
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `KIL-${String(i + 1).padStart(6, '0')}`));

    // A create the database refuses after the number was taken: its transaction gives the number back.
    await sql`create function refuse_address() returns trigger language plpgsql as $$
      begin if new.line1 = 'refuse me' then raise exception 'refused' using errcode = 'check_violation'; end if; return new; end $$`.execute(t.ctx.db);
    await sql`create trigger refuse_address before insert on subscriber_addresses for each row execute function refuse_address()`.execute(t.ctx.db);
    const failed = await admin.post('/api/subscribers', { organizationId: tree.resellerA.id, name: 'Refused', addresses: [{ line1: 'refuse me' }] });
    expect(failed.statusCode).toBe(400);
    const next = json(await admin.post('/api/subscribers', { organizationId: tree.resellerA.id, name: 'After the failure' }));
    expect(next.accountNumber).toBe('KIL-000051');
    expect(json(await admin.get(`/api/subscribers/numbering?organizationId=${tree.resellerA.id}`))).toMatchObject({ lastNumber: '51', example: 'KIL-000052' });
  });

  it('are counted per organization', async () => {
    const other = json(await admin.post('/api/subscribers', { organizationId: tree.resellerB.id, name: 'Other organization' }));
    expect(other.accountNumber).toBe('000001');
  });

  it('refuse a format without one {seq}', async () => {
    expect((await admin.patch('/api/subscribers/numbering', { organizationId: tree.isp.id, format: 'KIL-' })).statusCode).toBe(400);
    expect((await admin.patch('/api/subscribers/numbering', { organizationId: tree.isp.id, format: '{seq}-{seq}' })).statusCode).toBe(400);
  });
});
