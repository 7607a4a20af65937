import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Settlement } from '../../src/core/ledger.ts';
import { parseMoney } from '../../src/core/money.ts';
import { receivePayment } from '../../src/modules/payments/receive.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { json, type Api, type TestContext } from '../support/app.ts';

export interface Invoice {
  id: string;
  number: string;
  status: string;
  total: string;
  amountPaid: string;
  amountCredited: string;
  balanceDue: string;
  dueDate: string;
  allocations: { source: string; amount: string }[];
}

export async function created<T = any>(p: Promise<{ statusCode: number; body: string }>): Promise<T> {
  const res = await p;
  expect(res.statusCode, res.body).toBeLessThan(300);
  return JSON.parse(res.body) as T;
}

/** Fixtures of the payment-cases tests: subscribers, issued invoices, payments, balances. */
export function fixtures(t: TestContext, org: Organization, staff: Api, accountant: Api) {
  const subscriber = () =>
    created<{ id: string; accountNumber: string }>(staff.post('/api/subscribers', { organizationId: org.id, name: `Baraka Mwangi ${randomUUID().slice(0, 4)}`, contacts: [{ kind: 'phone', value: '0722 000 111' }] }));
  /** An issued invoice of `amount` (untaxed), due in 14 days. */
  const invoice = (subscriberId: string, amount = '1000', api: Api = staff) =>
    created<Invoice>(api.post('/api/invoices', { subscriberId, issue: true, lines: [{ description: 'Home fibre 20 Mbps', serviceType: 'internet', quantity: '1', unitPrice: amount }] }));
  const getInvoice = async (id: string) => json<Invoice>(await staff.get(`/api/invoices/${id}`));
  /** A payment received the way every channel records one. */
  const pay = (subscriberId: string | null, amount: string, opts: { channel?: string; via?: Settlement; invoiceIds?: string[]; applyToInvoices?: boolean; transactionId?: string; reference?: string } = {}) =>
    t.ctx.db.transaction().execute((trx) =>
      receivePayment(trx, t.ctx.clock, {
        organizationId: org.id,
        channel: opts.channel ?? 'cash',
        transactionId: opts.transactionId ?? `R${randomUUID().slice(0, 8)}`,
        amount: parseMoney(amount, org.currency),
        via: opts.via ?? { kind: 'cash' },
        receivedAt: t.ctx.clock.now(),
        subscriberId,
        reference: opts.reference ?? null,
        invoiceIds: opts.invoiceIds,
        applyToInvoices: opts.applyToInvoices,
      }),
    );
  const wallet = async (subscriberId: string) => json<{ balance: string; owed: string }>(await accountant.get(`/api/subscribers/${subscriberId}/wallet`));
  const payment = (id: string) => t.ctx.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** Every currency's debits equal its credits. */
  const expectBalancedBooks = async () => {
    const trial = json<{ currencies: { currency: string; debit: string; credit: string }[] }>(await accountant.get(`/api/ledger/trial-balance?organizationId=${org.id}`));
    expect(trial.currencies.length).toBeGreaterThan(0);
    for (const c of trial.currencies) expect(c.debit, c.currency).toBe(c.credit);
  };
  /** The balance of one of the organization's own accounts (a debit-positive sum of its lines). */
  const accountSum = async (systemKey: string, ownerId?: string) => {
    let q = t.ctx.db
      .selectFrom('journal_lines as l')
      .innerJoin('ledger_accounts as a', 'a.id', 'l.account_id')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<bigint>('l.amount'), eb.val(0n)).as('sum'))
      .where('a.organization_id', '=', org.id)
      .where('a.system_key', '=', systemKey);
    if (ownerId) q = q.where('a.owner_id', '=', ownerId);
    return BigInt((await q.executeTakeFirstOrThrow()).sum);
  };
  return { subscriber, invoice, getInvoice, pay, wallet, payment, expectBalancedBooks, accountSum };
}
