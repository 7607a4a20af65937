import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { formatMoney } from '../../src/core/money.ts';
import { createInvoice } from '../../src/modules/invoices/invoice-engine.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { portalFixtures, type PortalFixtures } from '../portal/fixtures.ts';
import { json, seedOrganization, seedUser, sessionFor, type Api, type TestContext } from '../support/app.ts';
import { seedSubscription } from '../usage/fixtures.ts';

/** The app listening on 127.0.0.1, so a simulator can post its callbacks as the gateway would; callback URLs point at it. */
export async function listen(t: TestContext): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  t.ctx.config.publicUrl = base;
  return base;
}

export interface PayingSubscriber {
  id: string;
  accountNumber: string;
  customer: Api;
  invoice: { id: string; number: string | null };
  subscriptionId: string;
}

export async function gatewayWorld(t: TestContext, currency = 'KES') {
  const isp = await seedOrganization(t.ctx, null, 'isp', `ISP ${crypto.randomUUID().slice(0, 4)}`);
  if (currency !== 'KES') await t.ctx.db.updateTable('organizations').set({ currency }).where('id', '=', isp.id).execute();
  const org: Organization = { ...isp, currency };
  const admin = await sessionFor(t, await seedUser(t.ctx, org, 'admin'));
  const f: PortalFixtures = portalFixtures(t, admin);

  async function saveAccount(kind: string, settings: Record<string, string>, extra: Record<string, unknown> = {}) {
    const res = await admin.put('/api/gateways', { kind, label: kind.toUpperCase(), settings, ...extra });
    expect(res.statusCode, res.body).toBe(200);
    return json(res);
  }

  async function bangladeshi(): Promise<{ id: string; accountNumber: string }> {
    const res = await admin.post('/api/subscribers', { organizationId: org.id, name: `Rahim ${crypto.randomUUID().slice(0, 4)}`, contacts: [{ kind: 'phone', value: '+880 1770 618575' }] });
    expect(res.statusCode, res.body).toBe(201);
    return json(res);
  }

  /** A subscriber with a portal login, an unpaid invoice of `amount` minor units, and a subscription suspended for non-payment. */
  async function payingSubscriber(amount: bigint): Promise<PayingSubscriber> {
    const s = currency === 'KES' ? await f.subscriber(org) : await bangladeshi();
    const { api: customer } = await f.customer(s.id);
    const invoice = currency === 'KES' ? await f.invoice(org, s.id, amount) : await issueInvoice(t, org, s.id, amount, currency);
    const sub = await seedSubscription(t.ctx, admin, org, { subscriberId: s.id });
    await t.ctx.db.updateTable('subscriptions').set({ status: 'suspended', status_reason: 'unpaid', currency }).where('id', '=', sub.id).execute();
    return { id: s.id, accountNumber: s.accountNumber, customer, invoice, subscriptionId: sub.id };
  }

  return { org, admin, f, saveAccount, payingSubscriber };
}

async function issueInvoice(t: TestContext, org: Organization, subscriberId: string, amount: bigint, currency: string) {
  const invoice = await t.ctx.db.transaction().execute((trx) =>
    createInvoice(trx, t.clock, {
      organizationId: org.id,
      subscriberId,
      currency,
      source: 'manual',
      mode: 'issue',
      lines: [{ kind: 'manual', serviceType: 'installation', description: 'Installation', quantity: '1', unitPrice: formatMoney({ minor: amount, currency }), amount, net: amount, taxes: [], gross: amount }],
    }),
  );
  return { id: invoice.id, number: invoice.number };
}

export async function counts(t: TestContext, subscriberId: string) {
  const payments = await t.ctx.db.selectFrom('payments').selectAll().where('subscriber_id', '=', subscriberId).execute();
  const entries = await t.ctx.db
    .selectFrom('journal_entries')
    .select('id')
    .where('idempotency_key', 'in', payments.length ? payments.map((p) => `payment:${p.channel}:${p.transaction_id}`) : ['-'])
    .execute();
  return { payments, entries: entries.length };
}

export async function invoiceAndSubscription(t: TestContext, who: PayingSubscriber) {
  const invoice = await t.ctx.db.selectFrom('invoices').select(['status', 'amount_paid']).where('id', '=', who.invoice.id).executeTakeFirstOrThrow();
  const sub = await t.ctx.db.selectFrom('subscriptions').select(['status', 'status_reason']).where('id', '=', who.subscriptionId).executeTakeFirstOrThrow();
  return { invoice: invoice.status, paid: invoice.amount_paid, subscription: sub.status };
}

export async function securityEvents(t: TestContext, kind?: string) {
  let q = t.ctx.db.selectFrom('payment_security_events').selectAll();
  if (kind) q = q.where('kind', '=', kind as never);
  return q.execute();
}
