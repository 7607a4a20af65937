import { describe, expect, it } from 'vitest';
import { formatPin, normalisePin } from '../../src/core/voucher-codes.ts';
import { trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { engine } from '../support/db.ts';

interface Batch {
  id: string;
  number: string;
  counts: Record<string, number>;
  quantity: number;
}

describe(`recharge cards (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  t.clock.set(new Date('2026-03-10T09:00:00Z'));
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const partner = await sessionFor(t, await seedUser(t.ctx, tree.cardA, 'card_distributor'));

  async function newSubscriber(phone = `07${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`) {
    const res = await admin.post('/api/subscribers', { organizationId: tree.isp.id, name: `Card user ${crypto.randomUUID().slice(0, 4)}`, contacts: [{ kind: 'phone', value: phone }] });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string; accountNumber: string }>(res);
  }
  async function batch(body: Record<string, unknown> = {}): Promise<Batch> {
    const res = await admin.post('/api/cards/batches', { name: 'Scratch 500', prefix: 'NF', value: '500', quantity: 10, expiresAt: '2026-12-31T21:00:00Z', ...body });
    expect(res.statusCode, res.body).toBe(201);
    return json(res);
  }
  /** The PINs as printed, read back through the audited CSV export. */
  async function pins(batchId: string): Promise<Map<string, string>> {
    const res = await admin.get(`/api/cards/batches/${batchId}/export`);
    expect(res.statusCode, res.body).toBe(200);
    const lines = res.body.trim().split('\n').slice(1).map((l) => l.split(','));
    return new Map(lines.map(([serial, pin]) => [serial!, pin!]));
  }
  const sell = (api: Api, b: Batch, from: number, to: number, body: Record<string, unknown> = {}) => api.post(`/api/cards/batches/${b.id}/sell`, { from, to, ...body });
  const wallet = async (subscriberId: string) => json(await admin.get(`/api/subscribers/${subscriberId}/wallet`)).balance as string;
  const account = async (systemKey: string, owner?: string) => {
    const rows = await t.ctx.db
      .selectFrom('ledger_accounts')
      .innerJoin('ledger_balances', 'ledger_balances.account_id', 'ledger_accounts.id')
      .select('ledger_balances.balance')
      .where('organization_id', '=', tree.isp.id)
      .where('system_key', '=', systemKey)
      .where((eb) => (owner ? eb('owner_id', '=', owner) : eb('owner_id', 'is', null)))
      .execute();
    return rows.reduce((s, r) => s + BigInt(r.balance), 0n);
  };

  it('prints a batch: serials in order, PINs kept only as a keyed hash and sealed for printing', async () => {
    const b = await batch({ quantity: 25 });
    expect(b.counts).toEqual({ generated: 25 });
    const rows = await t.ctx.db.selectFrom('cards').selectAll().where('batch_id', '=', b.id).orderBy('seq').execute();
    expect(rows.map((r) => r.serial)).toEqual(Array.from({ length: 25 }, (_, i) => `NF${b.number}-${String(i + 1).padStart(6, '0')}`));
    const printed = await pins(b.id);
    expect(printed.size).toBe(25);
    for (const r of rows) {
      const pin = printed.get(r.serial)!;
      expect(pin).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
      const clear = normalisePin(pin)!;
      expect(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(clear);
      expect(r.pin_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(t.ctx.secrets.open(r.pin_enc!)).toBe(clear);
    }
    expect(new Set(rows.map((r) => r.pin_hash)).size).toBe(25);
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('object_id', '=', b.id).where('action', '=', 'cards.exported').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(normalisePin(printed.values().next().value!)!);
  });

  it('exports PINs only to holders of cards.export; the PDF sheet is a real PDF', async () => {
    const b = await batch({ quantity: 30 });
    expect((await staff.get(`/api/cards/batches/${b.id}/export`)).statusCode).toBe(403);
    expect((await staff.get(`/api/cards/batches/${b.id}/pdf`)).statusCode).toBe(403);
    const pdf = await admin.get(`/api/cards/batches/${b.id}/pdf`);
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    // 30 cards at 24 a page: two pages.
    expect(pdf.rawPayload.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(2);
    // Cards 25–30 alone: one page.
    const part = await admin.get(`/api/cards/batches/${b.id}/pdf?from=25&to=30`);
    expect(part.statusCode).toBe(200);
    expect(part.rawPayload.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(1);
  });

  it('refuses bad batches with clear answers and changes nothing', async () => {
    const before = await t.ctx.db.selectFrom('card_batches').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect((await admin.post('/api/cards/batches', { name: 'x', value: '-5', quantity: 1, expiresAt: '2026-12-31T00:00:00Z' })).statusCode).toBe(400);
    expect((await admin.post('/api/cards/batches', { name: 'x', value: '5', quantity: 10_001, expiresAt: '2026-12-31T00:00:00Z' })).statusCode).toBe(400);
    expect((await admin.post('/api/cards/batches', { name: 'x', value: '5', quantity: 1, expiresAt: '2025-12-31T00:00:00Z' })).statusCode).toBe(422);
    expect((await admin.post('/api/cards/batches', { name: 'x', value: '5', quantity: 1, expiresAt: '2026-12-31T00:00:00Z', organizationId: tree.cardA.id })).statusCode).toBe(422);
    expect((await admin.post('/api/cards/batches', { name: 'x', value: '5', quantity: 1, expiresAt: '2026-12-31T00:00:00Z', planId: crypto.randomUUID() })).statusCode).toBe(422);
    const after = await t.ctx.db.selectFrom('card_batches').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('moves cards generated → assigned → sold → redeemed with history, and books each move', async () => {
    const b = await batch({ quantity: 10, value: '1000' });
    const assigned = await admin.post(`/api/cards/batches/${b.id}/assign`, { from: 1, to: 6, distributorId: tree.cardA.id, commissionPercent: '7.5' });
    expect(json(assigned), assigned.body).toMatchObject({ changed: 6, skipped: [] });
    // A reseller of another branch is not a card partner of the ISP's batch.
    expect((await admin.post(`/api/cards/batches/${b.id}/assign`, { from: 7, to: 7, distributorId: tree.resellerB.id })).statusCode).toBe(422);

    // The distributor sees only its six cards, and sells four of them.
    const seen = json(await partner.get(`/api/cards/batches/${b.id}/cards`));
    expect(seen.items.map((c: { seq: number }) => c.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await partner.post(`/api/cards/batches/${b.id}/assign`, { from: 1, to: 2, distributorId: tree.cardA.id })).statusCode).toBe(404);
    const sold = await sell(partner, b, 1, 4);
    expect(json(sold), sold.body).toMatchObject({ changed: 4, skipped: [] });
    // Cards 7–10 are not the distributor's to sell.
    expect((await sell(partner, b, 7, 10)).statusCode).toBe(422);

    // 4 × 1,000 owed on cards, 4 × 75 commission withheld: the distributor owes 3,700.
    expect(await account('cards_outstanding')).toBe(-400_000n);
    expect(await account('accounts_receivable', tree.cardA.id)).toBe(370_000n);
    expect(await account('commission_expense')).toBe(30_000n);
    const distributors = json(await partner.get('/api/cards/distributors'));
    expect(distributors.items).toEqual([{ distributorId: tree.cardA.id, name: 'Card partner A', currency: 'KES', owed: '3700.00', commissionPayable: '0.00', cards: { sold: 4, assigned: 2 } }]);

    const paid = await admin.post(`/api/cards/distributors/${tree.cardA.id}/payments`, { amount: '2000', reference: 'RCPT-1' });
    expect(json(paid), paid.body).toMatchObject({ owed: '1700.00' });
    expect((await admin.post(`/api/cards/distributors/${tree.cardA.id}/payments`, { amount: '2000', reference: 'RCPT-1' })).statusCode).toBe(409);

    // The ISP sells card 7 at its own counter for cash.
    expect(json(await sell(admin, b, 7, 7))).toMatchObject({ changed: 1 });

    const printed = await pins(b.id);
    const sub = await newSubscriber();
    const redeemed = await admin.post(`/api/subscribers/${sub.id}/cards/redeem`, { pin: printed.get(`NF${b.number}-000001`)!.toLowerCase() });
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    expect(json(redeemed)).toMatchObject({ serial: `NF${b.number}-000001`, amount: '1000.00', currency: 'KES', plan: null, wallet: { balance: '1000.00' } });
    expect(await wallet(sub.id)).toBe('1000.00');
    expect(await account('cards_outstanding')).toBe(-400_000n);

    const card = await t.ctx.db.selectFrom('cards').selectAll().where('batch_id', '=', b.id).where('seq', '=', 1).executeTakeFirstOrThrow();
    expect(card).toMatchObject({ state: 'redeemed', subscriber_id: sub.id, pin_enc: null });
    const payment = await t.ctx.db.selectFrom('payments').selectAll().where('id', '=', card.payment_id!).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ channel: 'card', transaction_id: card.serial, amount: 100_000n, subscriber_id: sub.id, status: 'applied' });

    const history = json(await admin.get(`/api/cards/${card.id}`)).history.map((h: { from: string | null; to: string }) => [h.from, h.to]);
    expect(history).toEqual([[null, 'generated'], ['generated', 'assigned'], ['assigned', 'sold'], ['sold', 'redeemed']]);

    // Void 1–8: 2–4 sold by the distributor (their sale reversed: it owes 3 × 925 less, and has
    // paid 2,000 for 1,850 of cards kept), 7 sold at the counter, 5–6 assigned, 8 generated; 1 (redeemed) is skipped.
    const voided = await admin.post(`/api/cards/batches/${b.id}/void`, { from: 1, to: 8, reason: 'Stolen stock' });
    expect(json(voided).changed).toBe(7);
    expect(json(voided).skipped).toEqual([{ serial: `NF${b.number}-000001`, state: 'redeemed' }]);
    expect(await account('accounts_receivable', tree.cardA.id)).toBe(92_500n - 200_000n);
    expect(await account('cards_outstanding')).toBe(0n);
    // Every organization's books still balance.
    const tb = await trialBalance(t.ctx.db, tree.isp.id, 'KES');
    for (const c of tb.currencies) expect(c.debit).toBe(c.credit);
  });

  it('refuses unsold, void, expired and used cards with clear messages', async () => {
    const b = await batch({ quantity: 4, expiresAt: '2026-04-01T00:00:00Z' });
    const printed = await pins(b.id);
    const pin = (seq: number) => printed.get(`NF${b.number}-${String(seq).padStart(6, '0')}`)!;
    await sell(admin, b, 2, 4);
    await admin.post(`/api/cards/batches/${b.id}/void`, { from: 3, to: 3, reason: 'Damaged' });
    const sub = await newSubscriber();
    const other = await newSubscriber();
    const redeem = (who: string, p: string) => staff.post(`/api/subscribers/${who}/cards/redeem`, { pin: p });

    let res = await redeem(sub.id, pin(1));
    expect([res.statusCode, json(res).detail]).toEqual([422, 'This card has not been sold yet: ask the shop that gave it to you']);
    res = await redeem(sub.id, 'ABCD-EFGH-JKM0');
    expect([res.statusCode, json(res).errors]).toEqual([422, [{ field: 'pin', message: 'is not a PIN' }]]);
    // The void card's PIN was dropped from print; its hash still answers.
    const voidCard = await t.ctx.db.selectFrom('cards').select('pin_enc').where('batch_id', '=', b.id).where('seq', '=', 3).executeTakeFirstOrThrow();
    expect(voidCard.pin_enc).toBeNull();
    expect((await redeem(sub.id, pin(2))).statusCode).toBe(200);
    res = await redeem(other.id, pin(2));
    expect([res.statusCode, json(res).detail]).toEqual([409, 'This card was already used on 2026-03-10']);
    // Time passes (moved on the card: the sessions would expire with the clock).
    await t.ctx.db.updateTable('cards').set({ expires_at: new Date('2026-03-09T21:00:00Z') }).where('batch_id', '=', b.id).where('seq', '=', 4).execute();
    res = await redeem(other.id, pin(4));
    expect([res.statusCode, json(res).detail]).toEqual([422, 'This card expired on 2026-03-09']);
    expect(await wallet(other.id)).toBe('0.00');
  });

  it('locks out a subscriber after five wrong PINs, with a 429 even for a good PIN', async () => {
    const b = await batch({ quantity: 1 });
    await sell(admin, b, 1, 1);
    const good = [...(await pins(b.id)).values()][0]!;
    const sub = await newSubscriber();
    for (let i = 0; i < 5; i++) {
      const res = await staff.post(`/api/subscribers/${sub.id}/cards/redeem`, { pin: formatPin('23456789ABCD') });
      expect(res.statusCode, res.body).toBe(422);
    }
    const locked = await staff.post(`/api/subscribers/${sub.id}/cards/redeem`, { pin: good });
    expect(locked.statusCode, locked.body).toBe(429);
    expect(json(locked).detail).toMatch(/^Too many wrong card PINs: try again in 15 minutes$/);
    expect(await wallet(sub.id)).toBe('0.00');
    t.clock.set(new Date('2026-03-10T09:16:00Z'));
    expect((await staff.post(`/api/subscribers/${sub.id}/cards/redeem`, { pin: good })).statusCode).toBe(200);
    t.clock.set(new Date('2026-03-10T09:00:00Z'));
  });

  it('redeems a plan card: the wallet pays the plan, which starts at once', async () => {
    const plan = await createPlan(admin, { billingModel: 'prepaid' }, { billing: { cycle: 'monthly', alignment: 'anniversary' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '1500' }] }] });
    const b = await batch({ quantity: 2, value: '1500', planId: plan.id, name: 'Home 10 monthly' });
    await sell(admin, b, 1, 2);
    const pin = [...(await pins(b.id)).values()][0]!;
    const sub = await newSubscriber();
    const res = await staff.post(`/api/subscribers/${sub.id}/cards/redeem`, { pin });
    expect(res.statusCode, res.body).toBe(200);
    const r = json(res);
    expect(r.plan).toMatchObject({ id: plan.id, status: 'active' });
    const subscription = await t.ctx.db.selectFrom('subscriptions').selectAll().where('id', '=', r.plan.subscriptionId).executeTakeFirstOrThrow();
    expect(subscription).toMatchObject({ subscriber_id: sub.id, plan_id: plan.id, status: 'active' });
    expect(subscription.username).not.toBeNull();
    // The first month was billed and paid from the card's value.
    const invoices = await t.ctx.db.selectFrom('invoices').select(['status', 'total']).where('subscriber_id', '=', sub.id).execute();
    expect(invoices).toEqual([{ status: 'paid', total: 150_000n }]);
    expect(await wallet(sub.id)).toBe('0.00');
  });

  it('redeems by SMS keyword: the sender’s phone names the subscriber', async () => {
    const b = await batch({ quantity: 1, value: '200' });
    await sell(admin, b, 1, 1);
    const pin = [...(await pins(b.id)).values()][0]!;
    const sub = await newSubscriber('0722 111 333');
    const res = await staff.post('/api/cards/redeem-by-sms', { organizationId: tree.isp.id, phone: '+254722111333', pin });
    expect(res.statusCode, res.body).toBe(200);
    expect(await wallet(sub.id)).toBe('200.00');
    const unknown = await staff.post('/api/cards/redeem-by-sms', { organizationId: tree.isp.id, phone: '+254799000000', pin });
    expect(unknown.statusCode).toBe(422);
  });

  it('redeems in the customer portal: the wallet is credited and the receipt answered', async () => {
    const b = await batch({ quantity: 1, value: '750' });
    await sell(admin, b, 1, 1);
    const pin = [...(await pins(b.id)).values()][0]!;
    const sub = await newSubscriber();
    const login = await admin.post(`/api/subscribers/${sub.id}/portal-login`, { email: `c.${crypto.randomUUID().slice(0, 6)}@example.test`, password: 'correct horse battery staple' });
    expect(login.statusCode, login.body).toBe(201);
    const user = await t.ctx.db.selectFrom('users').selectAll().where('id', '=', json(login).user.id).executeTakeFirstOrThrow();
    const customer = await sessionFor(t, user);
    const res = await customer.post('/api/portal/cards/redeem', { pin });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({ amount: '750.00', wallet: { balance: '750.00' } });
    expect(json(res).receiptNo).toMatch(/^\d+$/);
    expect(json(await customer.get('/api/portal/me')).wallet.balance).toBe('750.00');
    // Staff routes stay closed to the customer.
    expect((await customer.get('/api/cards/batches')).statusCode).toBe(403);
  });
});
