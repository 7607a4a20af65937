/**
 * Whose gateway account a subscriber pays through (the nearest up the organization tree: a
 * reseller may use its own), who may see an attempt, and what the settings API refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MpesaSimulator } from '../../src/integrations/payments/mpesa/simulator.ts';
import { applyOutcome } from '../../src/modules/gateways/apply-outcome.ts';
import { portalFixtures } from '../portal/fixtures.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor, type Api, type TestContext } from '../support/app.ts';
import { listen } from './fixtures.ts';

let t: TestContext;
let ispSim: MpesaSimulator;
let resellerSim: MpesaSimulator;
let tree: Awaited<ReturnType<typeof seedTree>>;
let rootAdmin: Api;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  ispSim = await MpesaSimulator.start({ shortCode: '600100' });
  resellerSim = await MpesaSimulator.start({ shortCode: '600200' });
  tree = await seedTree(t.ctx);
  rootAdmin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const resellerAdmin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'reseller'));
  expect((await rootAdmin.put('/api/gateways', { kind: 'mpesa', label: 'ISP paybill', settings: ispSim.credentials })).statusCode).toBe(200);
  const own = await resellerAdmin.put('/api/gateways', { kind: 'mpesa', label: 'Reseller A paybill', settings: resellerSim.credentials });
  expect(own.statusCode, own.body).toBe(200);
  expect(json(own).organizationId).toBe(tree.resellerA.id);
}, 120_000);
afterAll(async () => {
  await ispSim?.close();
  await resellerSim?.close();
});

async function customerIn(org: (typeof tree)['isp']) {
  const f = portalFixtures(t, rootAdmin);
  const s = await f.subscriber(org);
  const { api } = await f.customer(s.id);
  const invoice = await f.invoice(org, s.id, 50_000n);
  return { id: s.id, api, invoice };
}

const startStk = (api: Api, invoiceId: string) => api.post('/api/portal/payments', { method: 'mpesa', purpose: 'invoice', invoiceId, phone: '0712345678' });

describe('gateway accounts up the organization tree', () => {
  it("a reseller's subscribers pay into the reseller's own paybill; a sub-reseller's too; reseller B's into the ISP's", async () => {
    for (const [org, sim, label] of [
      [tree.resellerA, resellerSim, 'Reseller A paybill'],
      [tree.subA, resellerSim, 'Reseller A paybill'],
      [tree.resellerB, ispSim, 'ISP paybill'],
    ] as const) {
      const c = await customerIn(org);
      expect(json(await c.api.get('/api/portal/gateways')).items).toEqual([{ kind: 'mpesa', label, needsPhone: true, redirects: false, savesCards: false }]);
      const before = sim.pushes.size;
      const res = await startStk(c.api, c.invoice.id);
      expect(res.statusCode, res.body).toBe(201);
      expect(sim.pushes.size).toBe(before + 1);
      await sim.pay(sim.lastPush().checkoutRequestId);
      expect(json(await c.api.get(`/api/portal/payments/${json(res).intent.id}`)).status).toBe('paid');
      const payment = await t.ctx.db.selectFrom('payments').select(['organization_id', 'subscriber_id']).where('transaction_id', '=', sim.lastPush().checkoutRequestId).executeTakeFirstOrThrow();
      expect(payment).toEqual({ organization_id: org.id, subscriber_id: c.id });
    }
  });

  it('a disabled account is not offered, and the one above it is used instead', async () => {
    const resellerAdmin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'reseller'));
    expect((await resellerAdmin.put('/api/gateways', { kind: 'mpesa', label: 'Reseller A paybill', enabled: false, settings: {} })).statusCode).toBe(200);
    try {
      const c = await customerIn(tree.resellerA);
      expect(json(await c.api.get('/api/portal/gateways')).items).toMatchObject([{ label: 'ISP paybill' }]);
    } finally {
      await resellerAdmin.put('/api/gateways', { kind: 'mpesa', label: 'Reseller A paybill', enabled: true, settings: {} });
    }
  });

  it("an attempt is its subscriber's alone: another subscriber gets 404 for it and cannot pay another's invoice", async () => {
    const a = await customerIn(tree.resellerB);
    const b = await customerIn(tree.resellerB);
    const started = json(await startStk(a.api, a.invoice.id));
    expect((await b.api.get(`/api/portal/payments/${started.intent.id}`)).statusCode).toBe(404);
    expect((await b.api.post(`/api/portal/payments/${started.intent.id}/complete`)).statusCode).toBe(404);
    expect((await startStk(b.api, a.invoice.id)).statusCode).toBe(404);
    // Staff are not customers: the portal payment API refuses them.
    expect((await rootAdmin.post('/api/portal/payments', { method: 'mpesa', purpose: 'wallet', amount: '10', phone: '0712345678' })).statusCode).toBe(403);
  });

  it('the M-PESA token is fetched once and reused while valid', async () => {
    const c = await customerIn(tree.resellerB);
    const before = ispSim.tokensIssued;
    for (let i = 0; i < 3; i++) expect((await c.api.post('/api/portal/payments', { method: 'mpesa', purpose: 'wallet', amount: '10', phone: '0712345678' })).statusCode).toBe(201);
    expect(ispSim.tokensIssued - before).toBeLessThanOrEqual(1);
  });

  it('settings: unknown gateway or setting, a missing required one, or bad input answer 400 and change nothing', async () => {
    const count = async () => (await t.ctx.db.selectFrom('gateway_accounts').select('id').execute()).length;
    const before = await count();
    const cases = [
      { kind: 'westernunion', label: 'X', settings: {} },
      { kind: 'bkash', label: 'X', settings: { baseUrl: 'http://x', sneaky: '1' } },
      { kind: 'bkash', label: 'X', settings: { baseUrl: 'http://x' } },
      { kind: 'bkash', label: '', settings: {} },
      { kind: 'BKASH!', label: 'X', settings: {} },
    ];
    for (const body of cases) {
      const res = await rootAdmin.put('/api/gateways', body);
      expect(res.statusCode, res.body).toBe(400);
    }
    expect(await count()).toBe(before);
    const other = await rootAdmin.put('/api/gateways', { organizationId: crypto.randomUUID(), kind: 'mpesa', label: 'X', settings: {} });
    expect(other.statusCode).toBe(404);
  });

  it('the callback URLs carry the secret and need gateways.update; an accountant (read only) gets 403', async () => {
    const account = json(await rootAdmin.get('/api/gateways')).items.find((a: { organizationId: string }) => a.organizationId === tree.isp.id);
    const urls = json(await rootAdmin.get(`/api/gateways/${account.id}/callback-urls`)).urls;
    expect(Object.keys(urls).sort()).toEqual(['c2b-confirmation', 'c2b-validation', 'stk']);
    expect(urls.stk).toMatch(new RegExp(`/api/callbacks/${account.id}/stk/[A-Za-z0-9_-]{32}$`));
    const accountant = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'accountant'));
    expect((await accountant.get(`/api/gateways/${account.id}`)).statusCode).toBe(200);
    expect((await accountant.get(`/api/gateways/${account.id}/callback-urls`)).statusCode).toBe(403);
  });

  it('a refund the gateway reports goes to the refunds module once: the payment is refunded and the invoice owed again', async () => {
    const c = await customerIn(tree.resellerB);
    const started = json(await startStk(c.api, c.invoice.id));
    const ref = ispSim.lastPush().checkoutRequestId;
    await ispSim.pay(ref);
    expect(json(await c.api.get(`/api/portal/payments/${started.intent.id}`)).status).toBe('paid');
    const account = await t.ctx.db.selectFrom('gateway_accounts').selectAll().where('organization_id', '=', tree.isp.id).executeTakeFirstOrThrow();
    const outcome = { kind: 'refunded', transactionId: ref, amount: { minor: 50_000n, currency: 'KES' }, refundId: 'RFD-1' } as const;
    const first = await t.ctx.db.transaction().execute((trx) => applyOutcome(trx, t.clock, account, outcome));
    const again = await t.ctx.db.transaction().execute((trx) => applyOutcome(trx, t.clock, account, outcome));
    expect(first.result).toMatch(/applied$/);
    expect(again.result).toMatch(/already applied$/);
    const payment = await t.ctx.db.selectFrom('payments').select(['status', 'amount_refunded']).where('transaction_id', '=', ref).executeTakeFirstOrThrow();
    expect(payment).toEqual({ status: 'refunded', amount_refunded: 50_000n });
    const invoice = await t.ctx.db.selectFrom('invoices').select(['status', 'amount_paid']).where('id', '=', c.invoice.id).executeTakeFirstOrThrow();
    expect(invoice.amount_paid).toBe(0n);
    expect(['open', 'overdue']).toContain(invoice.status);
    const unknown = await t.ctx.db.transaction().execute((trx) => applyOutcome(trx, t.clock, account, { ...outcome, transactionId: 'ws_CO_NEVER' }));
    expect(unknown.result).toMatch(/never recorded/);
  });
});
