/**
 * Saved cards and automatic payment of invoices, through the HTTP API and the daily autopay run,
 * against the Stripe simulator: the subscriber saves the card while paying by Stripe Checkout in the
 * portal, sees it (and staff see it on the subscriber), removes it; an invoice that falls due is
 * charged off-session and paid through the normal gateway path; a declined card or one that needs
 * its holder leaves a failed attempt with Stripe's reason and the invoice open, tried once a day.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from '../../src/integrations/payments/stripe/simulator.ts';
import { chargeDueInvoices } from '../../src/modules/saved-cards/autopay.ts';
import { createTestContext, json, type TestContext } from '../support/app.ts';
import { counts, gatewayWorld, listen, securityEvents, type PayingSubscriber } from '../gateways/fixtures.ts';

let t: TestContext;
let sim: StripeSimulator;
let world: Awaited<ReturnType<typeof gatewayWorld>>;

beforeAll(async () => {
  t = await createTestContext();
  await listen(t);
  sim = await startStripeSimulator({ secretKey: 'sk_test_autopay', webhookSecrets: ['whsec_autopay'] });
  world = await gatewayWorld(t);
  const account = await world.saveAccount('stripe', { secretKey: 'sk_test_autopay', publishableKey: 'pk_test_autopay', webhookSecret: 'whsec_autopay', apiBase: sim.url });
  sim.webhookUrl = json(await world.admin.get(`/api/gateways/${account.id}/callback-urls`)).urls.webhook;
}, 120_000);
afterAll(() => sim?.close());

/** The subscriber pays its invoice by Stripe in the portal, saving the card used, and comes back. */
async function payAndSave(who: PayingSubscriber, card = 'pm_card_visa') {
  const res = await who.customer.post('/api/portal/payments', { method: 'stripe', purpose: 'invoice', invoiceId: who.invoice.id, saveCard: true });
  expect(res.statusCode, res.body).toBe(201);
  const { intent } = json(res);
  const session = [...sim.checkoutSessions.values()].find((s) => s.client_reference_id === intent.id)!;
  await sim.payCheckout(session.id, card);
  expect(json(await who.customer.post(`/api/portal/payments/${intent.id}/complete`, {}))).toMatchObject({ status: 'paid' });
  return session;
}

/** A new invoice of the subscriber that falls due today (the organization's calendar day). */
async function invoiceDueToday(who: PayingSubscriber, amount: bigint) {
  const invoice = await world.f.invoice(world.org, who.id, amount);
  await sql`update invoices set due_date = (${t.clock.now()}::timestamptz at time zone o.timezone)::date from organizations o where o.id = invoices.organization_id and invoices.id = ${invoice.id}`.execute(t.ctx.db);
  return invoice;
}

const invoiceState = async (id: string) => t.ctx.db.selectFrom('invoices').select(['status', 'amount_paid']).where('id', '=', id).executeTakeFirstOrThrow();
const portalCards = async (who: PayingSubscriber) => json(await who.customer.get('/api/portal/saved-cards'));

describe('Stripe saved cards and automatic payment', () => {
  it('the card saved while paying in the portal is shown to the subscriber and to staff (brand, last 4, expiry)', async () => {
    const who = await world.payingSubscriber(50_000n);
    const session = await payAndSave(who);
    expect(session.customer).toMatch(/^cus_/);
    const created = sim.requests.find((r) => r.path === '/v1/checkout/sessions' && r.params.client_reference_id === session.client_reference_id)!;
    expect(created.params).toMatchObject({ customer: session.customer, payment_intent_data: { setup_future_usage: 'off_session' } });
    const card = { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 };
    expect(await portalCards(who)).toMatchObject({ items: [card], attempts: [] });
    const staff = await world.admin.get(`/api/subscribers/${who.id}/saved-cards`);
    expect(staff.statusCode, staff.body).toBe(200);
    expect(json(staff).items).toMatchObject([card]);
    expect(staff.body).not.toContain('pm_');
    // Paying without saving keeps no card.
    const other = await world.payingSubscriber(50_000n);
    const res = await other.customer.post('/api/portal/payments', { method: 'stripe', purpose: 'invoice', invoiceId: other.invoice.id });
    expect(res.statusCode).toBe(201);
    const plain = [...sim.checkoutSessions.values()].find((s) => s.client_reference_id === json(res).intent.id)!;
    expect(plain.customer).toBeNull();
    await sim.payCheckout(plain.id);
    expect((await portalCards(other)).items).toEqual([]);
  });

  it('an invoice that falls due is charged off-session and paid once; the webhook and the charge agree on one payment', async () => {
    const who = await world.payingSubscriber(50_000n);
    await payAndSave(who);
    const mismatchesBefore = (await securityEvents(t, 'mismatch')).length;
    const notYet = await world.f.invoice(world.org, who.id, 10_000n);
    const due = await invoiceDueToday(who, 120_000n);
    const report = await chargeDueInvoices(t.ctx);
    expect(report).toMatchObject({ charged: 1, paid: 1, failed: 0, errors: 0 });
    expect(await invoiceState(due.id)).toEqual({ status: 'paid', amount_paid: 120_000n });
    expect((await invoiceState(notYet.id)).status).toBe('open');
    const intent = await t.ctx.db.selectFrom('payment_intents').selectAll().where('invoice_id', '=', due.id).executeTakeFirstOrThrow();
    expect(intent).toMatchObject({ status: 'paid', gateway_kind: 'stripe', amount: 120_000n, saved_card_id: expect.any(String) });
    const pi = sim.paymentIntents.get(intent.gateway_ref!)!;
    expect(pi).toMatchObject({ status: 'succeeded', amount: 120000, metadata: { intentId: intent.id } });
    const { payments, entries } = await counts(t, who.id);
    expect(payments.filter((p) => p.transaction_id === pi.id)).toMatchObject([{ channel: 'stripe', amount: 120_000n }]);
    expect(entries).toBe(payments.length);
    // The webhook of the off-session charge found its attempt: no "names no attempt of ours".
    await expect.poll(async () => (await t.ctx.db.selectFrom('gateway_events').select('result').where('intent_id', '=', intent.id).where('endpoint', '=', 'webhook').execute()).length).toBeGreaterThan(0);
    expect((await securityEvents(t, 'mismatch')).length).toBe(mismatchesBefore);
    expect((await portalCards(who)).attempts).toMatchObject([{ invoiceId: due.id, invoiceNumber: due.number, amount: '1200.00', status: 'paid', card: { last4: '4242' } }]);
    expect(await chargeDueInvoices(t.ctx)).toMatchObject({ charged: 0 });
  });

  it('a card whose bank wants the cardholder fails off-session as authentication_required', async () => {
    const who = await world.payingSubscriber(50_000n);
    await payAndSave(who, 'pm_card_authenticationRequired');
    const due = await invoiceDueToday(who, 30_000n);
    expect(await chargeDueInvoices(t.ctx)).toMatchObject({ charged: 1, failed: 1 });
    expect((await portalCards(who)).attempts).toMatchObject([{ status: 'failed', failureCode: 'authentication_required', card: { last4: '3184' } }]);
    expect((await invoiceState(due.id)).status).toBe('open');
  });

  it('the subscriber removes the card: detached at Stripe, gone from both lists, never charged; no one else can remove it', async () => {
    const who = await world.payingSubscriber(50_000n);
    await payAndSave(who);
    const [card] = (await portalCards(who)).items;
    const neighbour = await world.payingSubscriber(50_000n);
    expect((await neighbour.customer.delete(`/api/portal/saved-cards/${card.id}`)).statusCode).toBe(404);
    expect((await world.admin.delete(`/api/portal/saved-cards/${card.id}`)).statusCode).toBe(403);
    const removed = await who.customer.delete(`/api/portal/saved-cards/${card.id}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(json(removed).items).toEqual([]);
    const pm = [...sim.paymentIntents.values()].filter((p) => p.customer).at(-1)!.payment_method!;
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v1/payment_methods/${pm}/detach` });
    expect((await portalCards(who)).items).toEqual([]);
    expect(json(await world.admin.get(`/api/subscribers/${who.id}/saved-cards`)).items).toEqual([]);
    const due = await invoiceDueToday(who, 20_000n);
    expect(await chargeDueInvoices(t.ctx)).toMatchObject({ charged: 0 });
    expect((await invoiceState(due.id)).status).toBe('open');
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', '=', 'saved_card.remove').where('object_id', '=', card.id).execute();
    expect(audit).toHaveLength(1);
  });
  it('a declined card: a failed attempt with the reason, shown to both; the invoice stays open; tried again only the next day', async () => {
    const who = await world.payingSubscriber(50_000n);
    await payAndSave(who);
    const pm = [...sim.paymentIntents.values()].filter((p) => p.customer).at(-1)!.payment_method!;
    sim.setCardBehaviour(pm, 'insufficient_funds');
    const due = await invoiceDueToday(who, 80_000n);
    expect(await chargeDueInvoices(t.ctx)).toMatchObject({ charged: 1, paid: 0, failed: 1, errors: 0 });
    expect(await invoiceState(due.id)).toEqual({ status: 'open', amount_paid: 0n });
    const failed = { invoiceId: due.id, status: 'failed', failureCode: 'insufficient_funds', failureMessage: 'Your card has insufficient funds.', card: { brand: 'visa', last4: '4242' } };
    expect((await portalCards(who)).attempts).toMatchObject([failed]);
    expect(json(await world.admin.get(`/api/subscribers/${who.id}/saved-cards`)).attempts).toMatchObject([failed]);
    // Runs later today charge nothing; tomorrow's tries again. (A day later every session has expired: the database says the rest.)
    t.clock.advance({ hours: 3 });
    expect(await chargeDueInvoices(t.ctx)).toMatchObject({ charged: 0 });
    t.clock.advance({ days: 1 });
    sim.setCardBehaviour(pm, 'succeed');
    // Tomorrow's run also tries the other subscribers' cards again (the one that needs its holder fails again).
    expect(await chargeDueInvoices(t.ctx)).toMatchObject({ errors: 0 });
    expect(await invoiceState(due.id)).toEqual({ status: 'paid', amount_paid: 80_000n });
    const attempts = await t.ctx.db.selectFrom('payment_intents').select(['status', 'failure_code']).where('invoice_id', '=', due.id).orderBy('created_at').execute();
    expect(attempts).toEqual([{ status: 'failed', failure_code: 'insufficient_funds' }, { status: 'paid', failure_code: null }]);
  });
});
