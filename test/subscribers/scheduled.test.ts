import { describe, expect, it } from 'vitest';
import { applyScheduledSuspensions } from '../../src/modules/subscribers/subscribers.jobs.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`scheduled suspensions (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  t.clock.set('2026-03-10T09:00:00Z');
  const staffUser = await seedUser(t.ctx, tree.isp, 'staff');
  const staff = await sessionFor(t, staffUser);
  const create = async (name: string) => json<{ id: string }>(await staff.post('/api/subscribers', { name, status: 'active' }));
  const row = (id: string) => t.ctx.db.selectFrom('subscribers').select(['status', 'suspend_on']).where('id', '=', id).executeTakeFirstOrThrow();

  it('take effect when the day begins in the organization’s time zone (Nairobi, UTC+3), with the reason in the history', async () => {
    const due = await create('Due on the first');
    const resumed = await create('Resumed before the day');
    for (const s of [due, resumed]) {
      const r = json(await staff.post('/api/subscribers/bulk', { action: 'suspend', ids: [s.id], reason: 'Contract ends', suspendOn: '2026-04-01' }));
      expect(r.applied).toBe(true);
    }
    await staff.post(`/api/subscribers/${resumed.id}/status`, { status: 'disconnected', reason: 'Cancelled instead' });

    t.clock.set('2026-03-31T20:59:00Z');
    expect(await applyScheduledSuspensions(t.ctx)).toBe(0);
    expect(await row(due.id)).toMatchObject({ status: 'active', suspend_on: '2026-04-01' });

    t.clock.set('2026-03-31T21:00:00Z');
    expect(await applyScheduledSuspensions(t.ctx)).toBe(1);
    expect(await row(due.id)).toMatchObject({ status: 'suspended', suspend_on: null });
    expect((await row(resumed.id)).status).toBe('disconnected');
    // Three weeks later the first session has long expired.
    const history = json(await (await sessionFor(t, staffUser)).get(`/api/subscribers/${due.id}/history`));
    expect(history[0]).toMatchObject({ from: 'active', to: 'suspended', reason: 'Contract ends', by: null });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['actor_type', 'action']).where('object_id', '=', due.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_type: 'system', action: 'subscriber.status' });
    expect(await applyScheduledSuspensions(t.ctx)).toBe(0);
  });
});
