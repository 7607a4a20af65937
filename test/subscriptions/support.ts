import { expect } from 'vitest';
import { parseMoney } from '../../src/core/money.ts';
import { settleFromWallet } from '../../src/modules/invoices/invoice-engine.ts';
import { topUpWallet } from '../../src/modules/ledger/wallets.service.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { json, seedTree, seedUser, sessionFor, type Api, type TestContext } from '../support/app.ts';

export interface Subscription {
  id: string;
  organizationId: string;
  subscriberId: string;
  planId: string;
  status: string;
  statusReason: string;
  currency: string;
  username: string | null;
  password?: string | null;
  macAddress: string | null;
  staticIpv4: string | null;
  staticIpv6Prefix: string | null;
  activatedAt: string | null;
  billedThrough: string | null;
  nextBillAt: string | null;
  graceUntil: string | null;
  suspendAt: string | null;
  resumeAt: string | null;
  terminateAt: string | null;
  pendingPlanId: string | null;
  installationAddressId: string | null;
}

/** A tree, an ISP admin and a reseller admin, signed in. */
export async function world(t: TestContext) {
  const tree = await seedTree(t.ctx);
  const adminUser = await seedUser(t.ctx, tree.isp, 'admin');
  const admin = await sessionFor(t, adminUser);
  const resellerB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
  return { tree, adminUser, admin, resellerB };
}

export async function subscriber(api: Api, org: Organization, body: Record<string, unknown> = {}) {
  const res = await api.post('/api/subscribers', { organizationId: org.id, name: `Subscriber ${crypto.randomUUID().slice(0, 6)}`, addresses: [{ line1: 'Ngong Rd 7', installation: true }], ...body });
  expect(res.statusCode, res.body).toBe(201);
  return json<{ id: string; accountNumber: string; status: string; addresses: { id: string }[] }>(res);
}

/** A monthly plan at a KES price, postpaid unless told, calendar-aligned unless told. */
export async function monthlyPlan(
  api: Api,
  price: string,
  opts: { billingModel?: string; serviceType?: string; alignment?: string; timing?: string; cycle?: string; taxClassId?: string; organizationId?: string; currencies?: string[]; graceDays?: number; code?: string } = {},
) {
  const currencies = opts.currencies ?? ['KES'];
  return createPlan(
    api,
    { billingModel: opts.billingModel ?? 'postpaid', serviceType: opts.serviceType ?? 'pppoe', ...(opts.organizationId ? { organizationId: opts.organizationId } : {}), ...(opts.code ? { code: opts.code } : {}) },
    {
      billing: { cycle: opts.cycle ?? 'monthly', alignment: opts.alignment ?? 'calendar', graceDays: opts.graceDays ?? 0, ...(opts.timing ? { timing: opts.timing } : {}) },
      prices: currencies.map((currency) => ({ currency, components: [{ kind: 'fixed', price }] })),
      ...(opts.taxClassId ? { taxClassId: opts.taxClassId } : {}),
    },
  ) as Promise<{ id: string; code: string }>;
}

export async function subscribe(api: Api, body: Record<string, unknown>, status = 201) {
  const res = await api.post('/api/subscriptions', body);
  expect(res.statusCode, res.body).toBe(status);
  return json<Subscription>(res);
}

/** Cash into the wallet, then the wallet pays unpaid invoices oldest first: what the top-up endpoint does. */
export async function topUp(t: TestContext, organizationId: string, subscriberId: string, amount: string, reference = crypto.randomUUID()) {
  await t.ctx.db.transaction().execute(async (trx) => {
    await topUpWallet(trx, t.ctx.clock, { organizationId, subscriberId, currency: 'KES' }, { amount: parseMoney(amount, 'KES'), via: { kind: 'cash' }, idempotencyKey: `test-top-up:${reference}` });
    await settleFromWallet(trx, t.ctx.clock, subscriberId, 'KES');
  });
}

export function invoicesOf(t: TestContext, subscriberId: string) {
  return t.ctx.db.selectFrom('invoices').selectAll().where('subscriber_id', '=', subscriberId).orderBy('created_at').orderBy('id').execute();
}

export function linesOf(t: TestContext, invoiceId: string) {
  return t.ctx.db.selectFrom('invoice_lines').selectAll().where('invoice_id', '=', invoiceId).orderBy('line_no').execute();
}

export async function subscriberStatus(t: TestContext, id: string) {
  return (await t.ctx.db.selectFrom('subscribers').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}
