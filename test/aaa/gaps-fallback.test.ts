/**
 * Router-API fallback for enforcement: a NAS that does not answer CoA (or refuses it) gets the
 * change applied through its MikroTik management API, over both protocols, against the in-project
 * RouterOS simulator. The RADIUS side is real: packets go to a UDP listener on the NAS's address
 * that stays silent or answers NAK.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AaaAccounting } from '../../src/modules/aaa/accounting.ts';
import { MAX_ATTEMPTS, sendDueEnforcements } from '../../src/modules/aaa/enforcement.ts';
import { applyFairUsage } from '../../src/modules/aaa/fair-usage.ts';
import { rollUpUsage } from '../../src/modules/aaa/usage-rollup.ts';
import type { ChangeSender } from '../../src/radius/contract.ts';
import { createChangeSender } from '../../src/radius/index.ts';
import { startNasListener, type NasListener } from '../radius/nas-listener.ts';
import { seedRouterNas } from '../routers/fixtures.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { accounting, networkPlan, seedNas, subscriptionWithLogin } from './support.ts';

const t = await createTestContext();
t.clock.set('2026-03-10T09:00:00Z');
const tree = await seedTree(t.ctx);
const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
const plan = await networkPlan(admin, tree.resellerA);
const quotaPlan = await networkPlan(admin, tree.resellerA, { quotaBytes: '1000000000' });
const sink = new AaaAccounting(t.ctx);
const radius = createChangeSender();
// The real sender, waiting 150 ms instead of 3 s × 3 for an answer that never comes.
const sender: ChangeSender = { send: (client, kind, attributes) => radius.send(client, kind, attributes, { timeoutMs: 150, retries: 0 }) };
const closers: { close(): Promise<void> }[] = [radius];
afterAll(async () => {
  for (const c of closers) await c.close();
});

/** A router NAS whose CoA port is a listener on its own address behaving as asked. */
async function routerNas(kind: 'binary' | 'rest', behaviour: Parameters<typeof startNasListener>[1]) {
  const { nas, sim } = await seedRouterNas(t.ctx, tree.resellerA, kind);
  const listener: NasListener = await startNasListener('radius-secret', behaviour, sim.host);
  closers.push(sim, listener);
  await t.ctx.db.updateTable('nas_devices').set({ coa_port: listener.port }).where('id', '=', nas.id).execute();
  const client = { id: nas.id, organizationId: nas.organization_id, name: nas.name, type: 'mikrotik' as const, address: sim.host, secret: 'radius-secret', requireMessageAuthenticator: true, coaPort: listener.port };
  return { nas, sim, listener, client };
}

const request = (subscriptionId: string) => t.ctx.db.selectFrom('enforcement_requests').selectAll().where('subscription_id', '=', subscriptionId).executeTakeFirstOrThrow();
const commands = (nasId: string) => t.ctx.db.selectFrom('router_commands').select(['command', 'outcome', 'user_id']).where('nas_id', '=', nasId).orderBy('id').execute();

/**
 * Sends until the request is settled, making each retry due at once (the backoff itself is tested
 * in accounting.test.ts; moving the clock an hour would end the admin's API session).
 */
async function sendUntilSettled(): Promise<void> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    await sendDueEnforcements(t.ctx, sender);
    await t.ctx.db.updateTable('enforcement_requests').set({ next_attempt_at: new Date(0) }).where('status', '=', 'timeout').execute();
  }
}

describe.each(['binary', 'rest'] as const)('over the %s API', (kind) => {
  it('a Disconnect-Request the NAS never answers removes the PPP session through the API after the last retry', async () => {
    const { nas, sim, listener, client } = await routerNas(kind, { kind: 'silent' });
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(client, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': '81a00007', 'NAS-IP-Address': sim.host, 'Framed-IP-Address': '100.64.3.7' }));
    sim.model.seed('/ppp/active', { name: 'someone-else', service: 'pppoe', address: '100.64.3.8', 'session-id': '0x81A00008' });
    sim.model.seed('/ppp/active', { name: s.username, service: 'pppoe', address: '100.64.3.7', 'session-id': '0x81A00007' });
    expect((await admin.post(`/api/subscriptions/${s.id}/suspend`, { reason: 'unpaid' })).statusCode).toBe(200);

    await sendDueEnforcements(t.ctx, sender);
    // Retries still to come: the router is left alone.
    expect(await request(s.id)).toMatchObject({ status: 'timeout', attempts: 1, fallback: null });
    expect(sim.model.print('/ppp/active').map((r) => r.name)).toEqual(['someone-else', s.username]);
    expect(await commands(nas.id)).toEqual([]);
    await sendUntilSettled();

    expect(listener.received.length).toBe(MAX_ATTEMPTS);
    expect(sim.model.print('/ppp/active').map((r) => r.name)).toEqual(['someone-else']);
    const row = await request(s.id);
    expect(row).toMatchObject({ kind: 'disconnect', status: 'failed', attempts: MAX_ATTEMPTS, fallback: 'removed' });
    expect(row.fallback_detail).toContain('/ppp/active');
    expect(row.fallback_at).toBeInstanceOf(Date);
    expect(row.last_error).toMatch(/no answer .* after 5 attempts; router API: removed \/ppp\/active/);
    const log = await commands(nas.id);
    expect(log.some((c) => c.command.includes(kind === 'binary' ? '/ppp/active/remove' : 'DELETE /rest/ppp/active/') && c.outcome === 'ok')).toBe(true);
    expect(log.every((c) => c.user_id === null)).toBe(true);
    // The subscriber's history shows it.
    const history = json(await admin.get(`/api/subscriptions/${s.id}/enforcement`)).items;
    expect(history[0].lastError).toContain('router API: removed');
    expect(history[0].fallback).toBe('removed');
    expect(history[0].fallbackAt).not.toBeNull();
  });

  it('a CoA to the throttle rate that the NAS refuses (NAK) sets the rate on the session’s static queue', async () => {
    const { nas, sim, listener, client } = await routerNas(kind, { kind: 'nak', errorCause: 506 });
    const s = await subscriptionWithLogin(admin, tree.resellerA, quotaPlan.id);
    const base = { 'User-Name': s.username, 'Acct-Session-Id': `q-${kind}`, 'NAS-IP-Address': sim.host, 'Framed-IP-Address': '100.64.4.9' };
    await sink.record(accounting(client, t.clock.now(), { ...base, 'Acct-Status-Type': 1 }));
    await sink.record(accounting(client, t.clock.now(), { ...base, 'Acct-Status-Type': 3, 'Acct-Session-Time': 600, 'Acct-Input-Octets': 100_000_000, 'Acct-Output-Octets': 1_000_000_000 }));
    sim.model.seed('/ppp/active', { name: s.username, service: 'pppoe', address: '100.64.4.9', 'session-id': '0x00AB' });
    const queueId = sim.model.seed('/queue/simple', { name: `static-${s.username}`, target: '100.64.4.9/32', 'max-limit': '2M/10M' });
    const day = t.clock.now().toISOString().slice(0, 10);
    await rollUpUsage(t.ctx.db, day, day);
    await applyFairUsage(t.ctx.db, t.clock.now());
    await sendDueEnforcements(t.ctx, sender);

    expect(listener.received).toHaveLength(1);
    const row = await request(s.id);
    expect(row).toMatchObject({ kind: 'coa', reason: 'quota_exceeded', status: 'nak', attempts: 1, fallback: 'rate_set' });
    expect(row.last_error).toContain('NAK (Error-Cause 506)');
    // Set as 256k/512k; the router (the simulator since 9b334b4) prints rates back in bit/s.
    expect(sim.model.get('/queue/simple', queueId)).toMatchObject({ 'max-limit': '256000/512000', 'burst-limit': '0/0' });
    expect(sim.model.print('/ppp/active').map((r) => r.name)).toEqual([s.username]); // still online, now throttled
    expect((await commands(nas.id)).some((c) => c.command.includes(kind === 'binary' ? '/queue/simple/set' : 'PATCH /rest/queue/simple/'))).toBe(true);
  });

  it('a CoA whose session has only RouterOS’s dynamic queue disconnects it, so the next login gets the new profile', async () => {
    const { sim, client } = await routerNas(kind, { kind: 'silent' });
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(client, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': `d-${kind}`, 'NAS-IP-Address': sim.host, 'Framed-IP-Address': '100.64.5.1' }));
    sim.model.seed('/ppp/active', { name: s.username, service: 'pppoe', address: '100.64.5.1' });
    const dynamicQueue = sim.model.seed('/queue/simple', { name: `<pppoe-${s.username}>`, target: '100.64.5.1/32', 'max-limit': '2M/10M', dynamic: 'true' });
    const other = await networkPlan(admin, tree.resellerA, { quotaBytes: '5000000000' });
    // A plan change (as the plan-change service writes it): the subscriptions trigger queues the CoA.
    await t.ctx.db.updateTable('subscriptions').set({ plan_id: other.id }).where('id', '=', s.id).execute();
    const queued = await request(s.id);
    expect(queued).toMatchObject({ kind: 'coa', reason: 'plan_changed' });
    await sendUntilSettled();

    const row = await request(s.id);
    expect(row).toMatchObject({ status: 'failed', fallback: 'removed' });
    expect(row.fallback_detail).toContain('dynamic');
    expect(sim.model.print('/ppp/active')).toEqual([]);
    expect(sim.model.get('/queue/simple', dynamicQueue)['max-limit']).toBe('2M/10M');
  });
});

describe('fallback edges', () => {
  it('removes a hotspot session when the user is not on PPP', async () => {
    const { sim, client } = await routerNas('binary', { kind: 'nak', errorCause: 503 });
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(client, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': 'hs-1', 'NAS-IP-Address': sim.host, 'Framed-IP-Address': '10.5.50.9' }));
    sim.model.seed('/ip/hotspot/active', { server: 'hs1', user: s.username, address: '10.5.50.9', 'mac-address': '00:11:22:33:44:55' });
    expect((await admin.post(`/api/subscriptions/${s.id}/suspend`, { reason: 'unpaid' })).statusCode).toBe(200);
    await sendDueEnforcements(t.ctx, sender);
    expect(sim.model.print('/ip/hotspot/active')).toEqual([]);
    expect(await request(s.id)).toMatchObject({ status: 'nak', fallback: 'removed' });
  });

  it('records not_found when the router has no such session, and failed when the API is unreachable', async () => {
    const gone = await routerNas('rest', { kind: 'nak', errorCause: 503 });
    const s1 = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(gone.client, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s1.username, 'Acct-Session-Id': 'nf-1', 'NAS-IP-Address': gone.sim.host }));
    expect((await admin.post(`/api/subscriptions/${s1.id}/suspend`, { reason: 'unpaid' })).statusCode).toBe(200);
    await sendDueEnforcements(t.ctx, sender);
    expect(await request(s1.id)).toMatchObject({ status: 'nak', fallback: 'not_found' });

    const down = await routerNas('binary', { kind: 'nak', errorCause: 503 });
    const s2 = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(down.client, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s2.username, 'Acct-Session-Id': 'nf-2', 'NAS-IP-Address': down.sim.host }));
    await down.sim.close();
    expect((await admin.post(`/api/subscriptions/${s2.id}/suspend`, { reason: 'unpaid' })).statusCode).toBe(200);
    await sendDueEnforcements(t.ctx, sender);
    const row = await request(s2.id);
    expect(row).toMatchObject({ status: 'nak', fallback: 'failed' });
    expect(row.last_error).toContain('router API: failed');
    expect((await commands(down.nas.id)).map((c) => c.outcome)).toEqual(['error']);
  });

  it('a NAS without a management API gets no fallback, and says so', async () => {
    const plain = await seedNas(t, tree.resellerA, 'mikrotik', '127.0.0.1');
    const listener = await startNasListener('nas-secret', { kind: 'nak', errorCause: 503 });
    closers.push(listener);
    await t.ctx.db.updateTable('nas_devices').set({ coa_port: listener.port }).where('id', '=', plain.id).execute();
    const s = await subscriptionWithLogin(admin, tree.resellerA, plan.id);
    await sink.record(accounting(plain, t.clock.now(), { 'Acct-Status-Type': 1, 'User-Name': s.username, 'Acct-Session-Id': 'plain-1', 'NAS-IP-Address': '127.0.0.1' }));
    expect((await admin.post(`/api/subscriptions/${s.id}/suspend`, { reason: 'unpaid' })).statusCode).toBe(200);
    await sendDueEnforcements(t.ctx, sender);
    const row = await request(s.id);
    expect(row).toMatchObject({ status: 'nak', fallback: null });
    expect(row.last_error).toContain('no router API configured');
  });
});
