import { describe, expect, it } from 'vitest';
import { runOverdue } from '../../src/modules/billing/penalties.jobs.ts';
import { createInvoice, payFromWallet } from '../../src/modules/invoices/invoice-engine.ts';
import { balance, trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import { topUpWallet } from '../../src/modules/ledger/wallets.service.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createSubscriber } from '../usage/fixtures.ts';

/**
 * The overdue job on the test clock, in Nairobi (UTC+3). Every invoice is KES 3,000.00 + VAT 16%
 * = 3,480.00, issued on 1 March and due 14 days later, on 15 March (local dates).
 */
describe(`overdue invoices and late-payment penalties (${engine})`, async () => {
  const t = await createTestContext();
  t.clock.set('2026-03-01T09:00:00Z');
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  // Reseller A rounds KES to whole shillings.
  await t.ctx.db.insertInto('billing_settings').values({ organization_id: tree.resellerA.id, rounding: JSON.stringify({ KES: { mode: 'half-up', increment: '100' } }) }).execute();

  const penaltyClass = async (body: Record<string, unknown>) => {
    const res = await admin.post('/api/billing/penalty-classes', body);
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  const flat = await penaltyClass({ name: 'Flat 200', kind: 'fixed', amount: '200' });
  const min250 = await penaltyClass({ name: '5% min 250', kind: 'percentage', percent: '5', minimum: '250' });
  const onPenalties = await penaltyClass({ name: '5% min 100, penalties too', kind: 'percentage', percent: '5', minimum: '100', penaltyOnPenalty: true });
  const plain5 = await penaltyClass({ name: '5%', kind: 'percentage', percent: '5' });
  const week = await penaltyClass({ name: 'Flat 300 after a week', kind: 'fixed', amount: '300', daysAfterDue: 7 });
  const dollars = await penaltyClass({ name: 'USD 10', kind: 'fixed', amount: '10', currency: 'USD' });

  const subscriber = async (org: Organization, classId: string | null) => {
    const s = await createSubscriber(admin, org);
    await t.ctx.db.updateTable('subscribers').set({ penalty_class_id: classId }).where('id', '=', s.id).execute();
    return s.id;
  };
  const issue = (org: Organization, subscriberId: string) =>
    t.ctx.db.transaction().execute((trx) =>
      createInvoice(trx, t.clock, {
        organizationId: org.id,
        subscriberId,
        currency: 'KES',
        source: 'manual',
        mode: 'issue',
        lines: [{ kind: 'manual', serviceType: 'pppoe', quantity: '1', unitPrice: '3000.00', amount: 300000n, net: 300000n, taxes: [{ code: 'VAT', percent: '16', amount: 48000n }], gross: 348000n }],
      }),
    );
  const walletPays = (org: Organization, subscriberId: string, invoiceId: string, minor: bigint) =>
    t.ctx.db.transaction().execute(async (trx) => {
      await topUpWallet(trx, t.clock, { organizationId: org.id, subscriberId, currency: 'KES' }, { amount: { minor, currency: 'KES' }, via: { kind: 'cash' }, idempotencyKey: `cash:${invoiceId}` });
      return payFromWallet(trx, t.clock, invoiceId);
    });

  const s = {
    flat: await subscriber(tree.isp, flat),
    min250: await subscriber(tree.isp, min250),
    onPenalties: await subscriber(tree.isp, onPenalties),
    partial: await subscriber(tree.resellerA, plain5),
    week: await subscriber(tree.isp, week),
    none: await subscriber(tree.isp, null),
    dollars: await subscriber(tree.isp, dollars),
  };
  const inv = {
    flat: await issue(tree.isp, s.flat),
    flatPaid: await issue(tree.isp, s.flat),
    min250: await issue(tree.isp, s.min250),
    onPenalties: await issue(tree.isp, s.onPenalties),
    partial: await issue(tree.resellerA, s.partial),
    week: await issue(tree.isp, s.week),
    none: await issue(tree.isp, s.none),
    dollars: await issue(tree.isp, s.dollars),
  };
  expect(await walletPays(tree.isp, s.flat, inv.flatPaid.id, 348000n)).toBe(348000n);
  // 989.50 paid: 2,490.50 still owed.
  expect(await walletPays(tree.resellerA, s.partial, inv.partial.id, 98950n)).toBe(98950n);

  const invoice = (id: string) => t.ctx.db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const penaltiesFor = (id: string) =>
    t.ctx.db
      .selectFrom('invoice_lines')
      .innerJoin('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .select(['invoices.id', 'invoices.source', 'invoices.status', 'invoices.total', 'invoices.number', 'invoices.due_date', 'invoice_lines.kind', 'invoice_lines.service_type', 'invoice_lines.gross', 'invoice_lines.description_key', 'invoice_lines.details'])
      .where('invoice_lines.penalty_for_invoice_id', '=', id)
      .execute();
  const penaltyInvoices = async () =>
    Number((await t.ctx.db.selectFrom('invoices').select((eb) => eb.fn.countAll<bigint>().as('n')).where('source', '=', 'penalty').executeTakeFirstOrThrow()).n);

  it('issued invoices are due on 15 March, local date', async () => {
    expect(inv.flat).toMatchObject({ status: 'open', issue_date: '2026-03-01', due_date: '2026-03-15', total: 348000n });
    expect(await invoice(inv.partial.id)).toMatchObject({ status: 'partially_paid', amount_paid: 98950n });
    expect((await invoice(inv.flatPaid.id)).status).toBe('paid');
  });

  it('nothing is overdue during the due date, up to its last local second', async () => {
    t.clock.set('2026-03-15T20:59:59Z');
    expect(await runOverdue(t.ctx)).toEqual({ overdue: 0, penalties: 0 });
  });

  it('at local midnight after the due date: unpaid invoices turn overdue and each class charges its penalty once, even with two runs at once', async () => {
    t.clock.set('2026-03-15T21:00:00Z');
    const [a, b] = await Promise.all([runOverdue(t.ctx), runOverdue(t.ctx)]);
    expect(a.overdue + b.overdue).toBe(7);
    expect(a.penalties + b.penalties).toBe(4);
    for (const id of [inv.flat, inv.min250, inv.onPenalties, inv.partial, inv.week, inv.none, inv.dollars].map((i) => i.id)) expect((await invoice(id)).status).toBe('overdue');
    expect((await invoice(inv.flatPaid.id)).status).toBe('paid');

    // Fixed: KES 200.00.
    const [flatPenalty] = await penaltiesFor(inv.flat.id);
    expect(flatPenalty).toMatchObject({ source: 'penalty', status: 'open', total: 20000n, kind: 'penalty', service_type: 'penalty', gross: 20000n, due_date: '2026-03-30' });
    expect(flatPenalty!.number).toMatch(/^INV-\d{6}$/);
    expect(flatPenalty).toMatchObject({ description_key: 'invoiceLine.penalty', details: { invoice: inv.flat.number, dueDate: '2026-03-15', penaltyClass: 'Flat 200' } });
    // 5% of 3,480.00 is 174.00, below the minimum: 250.00.
    expect((await penaltiesFor(inv.min250.id)).map((p) => p.total)).toEqual([25000n]);
    // 5% of 3,480.00 with a minimum of 100: 174.00.
    expect((await penaltiesFor(inv.onPenalties.id)).map((p) => p.total)).toEqual([17400n]);
    // 5% of the 2,490.50 still owed is 124.525, rounded to whole shillings as reseller A rounds: 125.00.
    expect((await penaltiesFor(inv.partial.id)).map((p) => p.total)).toEqual([12500n]);
    // Not yet a week late; no class; a class in another currency.
    for (const id of [inv.week.id, inv.none.id, inv.dollars.id]) {
      expect(await penaltiesFor(id)).toEqual([]);
      expect((await invoice(id)).penalized).toBe(false);
    }
    for (const id of [inv.flat.id, inv.min250.id, inv.onPenalties.id, inv.partial.id]) expect((await invoice(id)).penalized).toBe(true);

    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'object_id', 'after']).where('action', 'in', ['invoice.overdue', 'invoice.penalty']).execute();
    expect(audit.filter((e) => e.action === 'invoice.overdue')).toHaveLength(7);
    expect(audit.find((e) => e.action === 'invoice.penalty' && e.object_id === inv.min250.id)?.after).toMatchObject({ amount: '250.00', currency: 'KES', penaltyClassId: min250 });

    // The ledger earns the penalties as revenue:penalty, and the books still balance.
    const revenue = await t.ctx.db.selectFrom('ledger_accounts').select(['id', 'organization_id']).where('system_key', '=', 'revenue:penalty').execute();
    const byOrg = Object.fromEntries(await Promise.all(revenue.map(async (r) => [r.organization_id, (await balance(t.ctx.db, r.id)).minor])));
    expect(byOrg).toEqual({ [tree.isp.id]: 20000n + 25000n + 17400n, [tree.resellerA.id]: 12500n });
    for (const org of [tree.isp, tree.resellerA]) for (const c of (await trialBalance(t.ctx.db, org.id)).currencies) expect(c.debit).toBe(c.credit);
  });

  it('running again charges nothing more', async () => {
    expect(await runOverdue(t.ctx)).toEqual({ overdue: 0, penalties: 0 });
    expect(await penaltyInvoices()).toBe(4);
  });

  it('a penalty line already on record is the backstop when the flag is lost: no second penalty', async () => {
    await t.ctx.db.updateTable('invoices').set({ penalized: false }).where('id', '=', inv.flat.id).execute();
    expect(await runOverdue(t.ctx)).toEqual({ overdue: 0, penalties: 0 });
    expect((await invoice(inv.flat.id)).penalized).toBe(true);
    expect(await penaltiesFor(inv.flat.id)).toHaveLength(1);
  });

  it('days after due: charged only once the due date plus 7 days has passed locally', async () => {
    t.clock.set('2026-03-22T20:59:59Z');
    expect(await runOverdue(t.ctx)).toEqual({ overdue: 0, penalties: 0 });
    t.clock.set('2026-03-22T21:00:00Z');
    expect(await runOverdue(t.ctx)).toEqual({ overdue: 0, penalties: 1 });
    expect((await penaltiesFor(inv.week.id)).map((p) => [p.total, p.due_date])).toEqual([[30000n, '2026-04-06']]);
  });

  it('overdue penalty invoices are penalised only when the class says so', async () => {
    // The four penalties of 16 March fell due on 30 March.
    t.clock.set('2026-03-30T21:00:00Z');
    expect(await runOverdue(t.ctx)).toEqual({ overdue: 4, penalties: 1 });
    const [onPenalty] = await penaltiesFor(inv.onPenalties.id);
    // 5% of the 174.00 penalty is 8.70, below the minimum: 100.00.
    expect((await penaltiesFor(onPenalty!.id)).map((p) => p.total)).toEqual([10000n]);
    for (const id of [inv.flat.id, inv.min250.id, inv.partial.id]) {
      const [p] = await penaltiesFor(id);
      expect((await invoice(p!.id)).status).toBe('overdue');
      expect(await penaltiesFor(p!.id)).toEqual([]);
    }
    expect(await runOverdue(t.ctx)).toEqual({ overdue: 0, penalties: 0 });
    expect(await penaltyInvoices()).toBe(6);
  });
});
