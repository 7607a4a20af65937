import { describe, expect, it } from 'vitest';
import { topUpWallet } from '../../src/modules/ledger/wallets.service.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

interface Result {
  applied: boolean;
  dryRun: boolean;
  total: number;
  failed: number;
  results: { id: string; accountNumber: string; ok: boolean; unchanged?: boolean; error?: string }[];
}

describe(`bulk actions on subscribers (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  t.clock.set('2026-03-10T09:00:00Z');
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const staffUser = await seedUser(t.ctx, tree.isp, 'staff');
  const staff = await sessionFor(t, staffUser);
  const create = async (name: string, status: 'lead' | 'active' = 'active', extra: Record<string, unknown> = {}) => {
    const res = await admin.post('/api/subscribers', { name, status, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string; accountNumber: string }>(res);
  };
  const statusOf = async (id: string) => (await t.ctx.db.selectFrom('subscribers').select(['status', 'suspend_on', 'organization_id', 'account_number']).where('id', '=', id).executeTakeFirstOrThrow());
  const bulk = async (body: Record<string, unknown>, api = staff) => {
    const res = await api.post('/api/subscribers/bulk', body);
    expect(res.statusCode, res.body).toBe(200);
    return json<Result>(res);
  };

  it('suspends a mixed selection all or nothing, saying which subscriber stood in the way', async () => {
    const a = await create('Bulk A');
    const b = await create('Bulk B');
    const lead = await create('Bulk Lead', 'lead');
    const mixed = await bulk({ action: 'suspend', ids: [a.id, b.id, lead.id], reason: 'Tower 7 maintenance' });
    expect(mixed).toMatchObject({ applied: false, total: 3, failed: 1 });
    expect(mixed.results.find((r) => r.id === lead.id)).toMatchObject({ ok: false, error: expect.stringContaining('lead') });
    expect(mixed.results.filter((r) => r.ok).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    for (const s of [a, b]) expect((await statusOf(s.id)).status).toBe('active');
    const history = await t.ctx.db.selectFrom('subscriber_status_history').select('id').where('subscriber_id', 'in', [a.id, b.id]).where('to_status', '=', 'suspended').execute();
    expect(history).toEqual([]);

    const done = await bulk({ action: 'suspend', ids: [a.id, b.id], reason: 'Tower 7 maintenance' });
    expect(done).toMatchObject({ applied: true, failed: 0 });
    for (const s of [a, b]) expect((await statusOf(s.id)).status).toBe('suspended');
    const again = await bulk({ action: 'suspend', ids: [a.id], reason: 'again' });
    expect(again.results[0]).toMatchObject({ ok: true, unchanged: true });

    const resumed = await bulk({ action: 'resume', ids: [a.id, b.id] });
    expect(resumed.applied).toBe(true);
    const notSuspended = await bulk({ action: 'resume', ids: [a.id, lead.id] });
    expect(notSuspended.results.find((r) => r.id === lead.id)!.error).toContain('not suspended');
  });

  it('refuses to suspend without a reason', async () => {
    const a = await create('No Reason');
    const res = await staff.post('/api/subscribers/bulk', { action: 'suspend', ids: [a.id] });
    expect(res.statusCode).toBe(400);
  });

  it('schedules a suspension for a later day in the organization’s time zone, and a dry run keeps nothing', async () => {
    const a = await create('Scheduled');
    const dry = await bulk({ action: 'suspend', ids: [a.id], reason: 'End of contract', suspendOn: '2026-04-01', dryRun: true });
    expect(dry).toMatchObject({ applied: false, dryRun: true, failed: 0 });
    expect((await statusOf(a.id)).suspend_on).toBeNull();
    await bulk({ action: 'suspend', ids: [a.id], reason: 'End of contract', suspendOn: '2026-04-01' });
    expect(await statusOf(a.id)).toMatchObject({ status: 'active', suspend_on: '2026-04-01' });
    const detail = json(await staff.get(`/api/subscribers/${a.id}`));
    expect(detail).toMatchObject({ suspendOn: '2026-04-01', suspendReason: 'End of contract' });
    // Today (Nairobi) or earlier suspends at once and clears the schedule.
    await bulk({ action: 'suspend', ids: [a.id], reason: 'Now', suspendOn: '2026-03-10' });
    expect(await statusOf(a.id)).toMatchObject({ status: 'suspended', suspend_on: null });
  });

  it('selects by filter, activates, assigns and archives', async () => {
    const tag = `batch-${crypto.randomUUID().slice(0, 6)}`;
    const leads = [await create('Filter 1', 'lead', { tags: [tag] }), await create('Filter 2', 'lead', { tags: [tag] })];
    const activated = await bulk({ action: 'activate', filter: { tag } });
    expect(activated).toMatchObject({ applied: true, total: 2 });
    for (const s of leads) expect((await statusOf(s.id)).status).toBe('active');
    expect((await bulk({ action: 'assign', filter: { tag }, assignedUserId: staffUser.id })).applied).toBe(true);
    expect(json(await staff.get(`/api/subscribers?assignedUserId=${staffUser.id}`)).items.map((s: { id: string }) => s.id).sort()).toEqual(leads.map((s) => s.id).sort());
    expect((await staff.post('/api/subscribers/bulk', { action: 'archive', filter: { tag } })).statusCode).toBe(400);
    expect((await bulk({ action: 'archive', filter: { tag }, reason: 'Closed estate' })).applied).toBe(true);
    expect((await staff.post('/api/subscribers/bulk', { action: 'activate', ids: [leads[0]!.id], filter: { tag } })).statusCode).toBe(400);
  });

  it('moves to another organization keeping numbers, or renumbering in the target, never with books in the ledger', async () => {
    await admin.patch('/api/subscribers/numbering', { organizationId: tree.resellerB.id, format: 'RB-{seq:4}' });
    const keep = await create('Mover One');
    const renumber = await create('Mover Two');
    expect((await bulk({ action: 'move', ids: [keep.id], organizationId: tree.resellerA.id })).applied).toBe(true);
    expect(await statusOf(keep.id)).toMatchObject({ organization_id: tree.resellerA.id, account_number: keep.accountNumber });
    expect((await bulk({ action: 'move', ids: [renumber.id], organizationId: tree.resellerB.id, renumber: true })).applied).toBe(true);
    expect(await statusOf(renumber.id)).toMatchObject({ organization_id: tree.resellerB.id, account_number: 'RB-0001' });

    const clash = await create('Clash');
    await t.ctx.db.updateTable('subscribers').set({ account_number: clash.accountNumber }).where('id', '=', keep.id).execute();
    const refused = await bulk({ action: 'move', ids: [clash.id], organizationId: tree.resellerA.id });
    expect(refused.results[0]!.error).toContain('already used');

    const paying = await create('Has a wallet');
    await t.ctx.db.transaction().execute((trx) =>
      topUpWallet(trx, t.ctx.clock, { organizationId: tree.isp.id, subscriberId: paying.id, currency: 'KES' }, { idempotencyKey: `top-up-${paying.id}`, amount: { minor: 50000n, currency: 'KES' }, via: { kind: 'cash' } }),
    );
    const withBooks = await bulk({ action: 'move', ids: [paying.id], organizationId: tree.resellerA.id });
    expect(withBooks.results[0]!.error).toContain('ledger');
    expect((await staff.post('/api/subscribers/bulk', { action: 'move', ids: [keep.id], organizationId: tree.cardA.id })).statusCode).toBe(422);
  });

  it('deletes only leads and archived subscribers without documents or ledger accounts, and only with the delete permission', async () => {
    const lead = await create('Delete Lead', 'lead');
    const active = await create('Delete Active');
    expect((await staff.post('/api/subscribers/bulk', { action: 'delete', ids: [lead.id] })).statusCode).toBe(403);
    const mixed = await bulk({ action: 'delete', ids: [lead.id, active.id] }, admin);
    expect(mixed).toMatchObject({ applied: false, failed: 1 });
    expect(await t.ctx.db.selectFrom('subscribers').select('id').where('id', '=', lead.id).executeTakeFirst()).toBeDefined();
    expect((await bulk({ action: 'delete', ids: [lead.id] }, admin)).applied).toBe(true);
    expect(await t.ctx.db.selectFrom('subscribers').select('id').where('id', '=', lead.id).executeTakeFirst()).toBeUndefined();
  });

  it('answers 404 when a selected id is another tenant’s', async () => {
    const mine = await create('Mine');
    const theirs = json(await admin.post('/api/subscribers', { organizationId: tree.resellerB.id, name: 'Theirs', status: 'active' }));
    const resellerA = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'reseller'));
    const res = await resellerA.post('/api/subscribers/bulk', { action: 'suspend', ids: [theirs.id], reason: 'x' });
    expect(res.statusCode).toBe(404);
    expect((await statusOf(theirs.id)).status).toBe('active');
    expect(mine.id).toBeTruthy();
  });
});
