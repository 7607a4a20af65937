import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../src/platform/audit/audit.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';

describe('audit log', async () => {
  const t = await createTestContext();
  const { ctx } = t;
  const tree = await seedTree(ctx);
  const admin = await seedUser(ctx, tree.isp, 'admin');
  const api = await sessionFor(t, admin);

  it('records every change with actor, organization, object, before/after, request id, IP and time', async () => {
    const created = await api.post('/api/organizations', { parentId: tree.resellerA.id, kind: 'card_partner', name: 'Kisumu Cards' }, { 'x-request-id': 'req-audit-1' });
    expect(created.statusCode).toBe(201);
    const id = json(created).id;
    await api.patch(`/api/organizations/${id}`, { name: 'Kisumu Cards Ltd' }, { 'x-request-id': 'req-audit-2' });
    const rows = await ctx.db.selectFrom('audit_log').selectAll().where('object_id', '=', id).orderBy('seq').execute();
    expect(rows.map((r) => r.action)).toEqual(['organization.create', 'organization.update']);
    const update = rows[1]!;
    expect(update).toMatchObject({ actor_type: 'user', actor_id: admin.id, actor_label: admin.email, organization_id: id, request_id: 'req-audit-2', object_type: 'organization' });
    expect(update.ip).toBeTruthy();
    expect(update.at).toBeInstanceOf(Date);
    expect((update.before as { name: string }).name).toBe('Kisumu Cards');
    expect((update.after as { name: string }).name).toBe('Kisumu Cards Ltd');
  });

  it('never stores secrets in before/after', async () => {
    const res = await api.post('/api/users', { email: 'secretive@example.test', name: 'S', role: 'staff', password: 'do not log this pass' });
    expect(res.statusCode).toBe(201);
    const row = await ctx.db.selectFrom('audit_log').select(['after']).where('object_id', '=', json(res).user.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row.after)).not.toContain('do not log this pass');
    expect(JSON.stringify(row.after)).not.toMatch(/password/i);
  });

  it('is append-only in the database itself', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(ctx.db)).rejects.toThrow(/append-only/);
  });

  it('keeps one unbroken chain under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.post('/api/organizations', { parentId: tree.resellerB.id, kind: 'card_partner', name: `Parallel ${i}` })),
    );
    const result = await verifyAuditChain(ctx.db);
    expect(result.ok).toBe(true);
    expect(result.entries).toBeGreaterThanOrEqual(20);
  });

  it('names the first tampered entry', async () => {
    const target = await ctx.db.selectFrom('audit_log').select('seq').orderBy('seq').offset(2).limit(1).executeTakeFirstOrThrow();
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(ctx.db);
    await sql`update audit_log set after = '{"name":"forged"}'::jsonb where seq = ${target.seq}`.execute(ctx.db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(ctx.db);
    const result = await verifyAuditChain(ctx.db);
    expect(result).toMatchObject({ ok: false, brokenSeq: target.seq, reason: 'content does not match its hash' });
    const viaApi = json(await api.get('/api/audit/verify'));
    expect(viaApi).toMatchObject({ ok: false, brokenSeq: target.seq.toString() });
  });

  it('detects a removed entry', async () => {
    const t2 = await createTestContext();
    const actor = { type: 'system' as const, id: null, label: 'test', requestId: null, ip: null };
    for (let i = 0; i < 5; i++) await t2.ctx.db.transaction().execute((trx) => appendAudit(trx, t2.ctx.clock, actor, { action: `test.${i}` }));
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(t2.ctx.db);
    await sql`delete from audit_log where seq = 3`.execute(t2.ctx.db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(t2.ctx.db);
    expect(await verifyAuditChain(t2.ctx.db)).toMatchObject({ ok: false, brokenSeq: 3n, reason: 'entry 3 is missing' });
  });

  it('is searchable and filterable through the API, within the caller’s subtree', async () => {
    const byAction = json(await api.get('/api/audit?action=organization.&q=Kisumu'));
    expect(byAction.items.length).toBeGreaterThanOrEqual(2);
    expect(byAction.items.every((e: { action: string }) => e.action.startsWith('organization.'))).toBe(true);
    const reseller = await sessionFor(t, await seedUser(ctx, tree.resellerB, 'reseller'));
    const theirs = json(await reseller.get('/api/audit?limit=200'));
    expect(theirs.items.some((e: { after: { name?: string } | null }) => e.after?.name === 'Kisumu Cards')).toBe(false);
    expect(theirs.items.some((e: { after: { name?: string } | null }) => e.after?.name?.startsWith('Parallel'))).toBe(true);
    expect((await reseller.get('/api/audit/verify')).statusCode).toBe(403);
    const csv = await api.get('/api/audit/export?action=organization.create');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n')[0]).toMatch(/^seq,at,organizationId/);
    expect(csv.body).toContain('Kisumu Cards');
  });
});
