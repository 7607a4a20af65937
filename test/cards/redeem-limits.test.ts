/**
 * A card is redeemed once however many ask at the same moment, and guessing is limited per
 * subscriber, per address and per card range. On PostgreSQL (DATABASE_URL) the 200 requests run
 * on a pool of connections, really at once; on PGlite they queue on its one connection.
 */
import { describe, expect, it } from 'vitest';
import { formatPin } from '../../src/core/voucher-codes.ts';
import type { Deps } from '../../src/modules/cards/cards.service.ts';
import { redeemCard, redeemLimits, type RedeemRequest } from '../../src/modules/cards/redeem.ts';
import { AppError } from '../../src/platform/errors.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`card redemption: exactly once, and guessing limited (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  t.clock.set(new Date('2026-03-10T09:00:00Z'));
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const deps: Deps = t.ctx;
  const audit = { type: 'system' as const, id: null, label: 'test', requestId: null, ip: null };

  async function soldCards(quantity: number, value = '500') {
    const res = await admin.post('/api/cards/batches', { name: 'Race', value, quantity, expiresAt: '2026-12-31T00:00:00Z' });
    expect(res.statusCode, res.body).toBe(201);
    const batch = json<{ id: string }>(res);
    expect((await admin.post(`/api/cards/batches/${batch.id}/sell`, { from: 1, to: quantity })).statusCode).toBe(200);
    const csv = (await admin.get(`/api/cards/batches/${batch.id}/export`)).body.trim().split('\n').slice(1);
    return { batchId: batch.id, pins: csv.map((l) => l.split(',')[1]!), serials: csv.map((l) => l.split(',')[0]!) };
  }
  async function subscribers(n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await admin.post('/api/subscribers', { organizationId: tree.isp.id, name: `Racer ${i}` });
      ids.push(json(res).id);
    }
    return ids;
  }
  const request = (subscriberId: string, pin: string, address: string | null): RedeemRequest => ({
    subscriberId,
    organizationId: tree.isp.id,
    organizationPath: tree.isp.path,
    pin,
    channel: 'portal',
    address,
    userId: null,
    audit,
  });
  const statusOf = (p: Promise<unknown>) => p.then(() => 200, (err: unknown) => (err instanceof AppError ? err.status : 500));

  it('200 concurrent redemptions of one card: exactly one succeeds, one payment, one credit', async () => {
    const { pins, serials } = await soldCards(1, '1000');
    const subs = await subscribers(40);
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 200 }, (_, i) => statusOf(redeemCard(deps, request(subs[i % 40]!, pins[0]!, `10.0.${i % 50}.1`)))));
    const ms = performance.now() - started;
    const tally = statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
    console.log(`200 concurrent redemptions of one card (${engine}): ${JSON.stringify(tally)} in ${Math.round(ms)} ms`);
    expect(tally[200]).toBe(1);
    // The losers are told the card is used (409) or, once the batch has seen 30 failures, to wait (429).
    expect((tally[409] ?? 0) + (tally[429] ?? 0)).toBe(199);
    const payments = await t.ctx.db.selectFrom('payments').selectAll().where('channel', '=', 'card').where('transaction_id', '=', serials[0]!).execute();
    expect(payments).toHaveLength(1);
    const credited = await t.ctx.db
      .selectFrom('ledger_accounts')
      .innerJoin('ledger_balances', 'ledger_balances.account_id', 'ledger_accounts.id')
      .select((eb) => eb.fn.sum<string>('ledger_balances.balance').as('total'))
      .where('system_key', '=', 'subscriber_wallet')
      .where('owner_id', 'in', subs)
      .executeTakeFirstOrThrow();
    expect(BigInt(credited.total)).toBe(-100_000n);
    const card = await t.ctx.db.selectFrom('cards').selectAll().where('serial', '=', serials[0]!).executeTakeFirstOrThrow();
    expect(card).toMatchObject({ state: 'redeemed', payment_id: payments[0]!.id, subscriber_id: payments[0]!.subscriber_id });
    const events = await t.ctx.db.selectFrom('card_events').select('to_state').where('card_id', '=', card.id).where('to_state', '=', 'redeemed').execute();
    expect(events).toHaveLength(1);
  });

  it('locks an address after 10 failures, whichever subscribers it tries for', async () => {
    const { pins } = await soldCards(1);
    const subs = await subscribers(11);
    for (let i = 0; i < redeemLimits.address.failures; i++) expect(await statusOf(redeemCard(deps, request(subs[i]!, formatPin('ZZZZZZZZZZZZ'), '192.0.2.7')))).toBe(422);
    expect(await statusOf(redeemCard(deps, request(subs[10]!, pins[0]!, '192.0.2.7')))).toBe(429);
    // The same subscriber from another address is not locked.
    expect(await statusOf(redeemCard(deps, request(subs[10]!, pins[0]!, '192.0.2.8')))).toBe(200);
  });

  it('locks a card range after 30 failures on its cards, from any subscriber and address', async () => {
    const { pins } = await soldCards(2);
    const subs = await subscribers(31);
    expect(await statusOf(redeemCard(deps, request(subs[30]!, pins[0]!, '198.51.100.1')))).toBe(200);
    // Trying the used card again and again from everywhere: each try is a failure against its batch.
    for (let i = 0; i < redeemLimits.range.failures; i++) expect(await statusOf(redeemCard(deps, request(subs[i]!, pins[0]!, `198.51.100.${i + 2}`)))).toBe(409);
    const res = redeemCard(deps, request(subs[30]!, pins[1]!, '203.0.113.9'));
    expect(await statusOf(res)).toBe(429);
    const rows = await t.ctx.db.selectFrom('card_redeem_limits').selectAll().where('bucket', 'like', 'range:%').execute();
    expect(rows.some((r) => r.locked_until && r.locked_until > t.clock.now())).toBe(true);
  });
});
