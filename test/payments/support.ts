import { expect } from 'vitest';
import type { Settlement } from '../../src/core/ledger.ts';
import { balanceDrift } from '../../src/modules/ledger/ledger.repo.ts';
import { trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import { receivePayment, type IncomingPayment } from '../../src/modules/payments/receive.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { json, type Api, type TestContext } from '../support/app.ts';

export async function ok<T = any>(res: Promise<{ statusCode: number; body: string }>, status = 200): Promise<T> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return json(r as never) as T;
}

export async function newSubscriber(api: Api, org: Organization, body: Record<string, unknown> = {}): Promise<{ id: string; accountNumber: string }> {
  return ok(api.post('/api/subscribers', { organizationId: org.id, name: `Subscriber ${crypto.randomUUID().slice(0, 6)}`, ...body }), 201);
}

/** An issued manual invoice of a KES amount. */
export async function invoice(api: Api, subscriberId: string, amount: string): Promise<{ id: string; number: string }> {
  return ok(api.post('/api/invoices', { subscriberId, issue: true, lines: [{ description: 'Service', unitPrice: amount }] }), 201);
}

export function invoiceRow(t: TestContext, id: string) {
  return t.ctx.db.selectFrom('invoices').select(['status', 'amount_paid', 'total']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** receivePayment in its own transaction, as a channel calls it. */
export function receive(t: TestContext, p: Partial<Omit<IncomingPayment, 'amount'>> & { organizationId: string; transactionId: string; amount: bigint }) {
  const via: Settlement = p.via ?? { kind: 'cash' };
  return t.ctx.db.transaction().execute((trx) =>
    receivePayment(trx, t.ctx.clock, { channel: 'cash', receivedAt: t.ctx.clock.now(), ...p, via, amount: { minor: p.amount, currency: 'KES' } } as IncomingPayment),
  );
}

export async function walletOf(api: Api, subscriberId: string): Promise<{ balance: string; owed: string }> {
  return ok(api.get(`/api/subscribers/${subscriberId}/wallet`));
}

export async function expectBooksBalanced(t: TestContext, organizationId: string): Promise<void> {
  const tb = await trialBalance(t.ctx.db, organizationId);
  for (const c of tb.currencies) expect(c.debit, `trial balance in ${c.currency}`).toBe(c.credit);
  expect(await balanceDrift(t.ctx.db)).toEqual([]);
}
