import { describe, expect, it } from 'vitest';
import { expireCards } from '../../src/modules/cards/cards.jobs.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';

describe('card expiry', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  t.clock.set(new Date('2026-03-10T09:00:00Z'));
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));

  it('expires unsold and sold cards past their date; the value of the sold ones is earned as breakage', async () => {
    const res = await admin.post('/api/cards/batches', { name: 'Short', value: '100', quantity: 4, expiresAt: '2026-03-10T10:00:00Z' });
    const batch = json(res).id;
    expect((await admin.post(`/api/cards/batches/${batch}/sell`, { from: 1, to: 3 })).statusCode).toBe(200);
    expect(await expireCards(t.ctx)).toBe(0);
    t.clock.set(new Date('2026-03-10T10:00:01Z'));
    expect(await expireCards(t.ctx)).toBe(4);
    expect(await expireCards(t.ctx)).toBe(0);
    const cards = await t.ctx.db.selectFrom('cards').select(['state', 'pin_enc']).where('batch_id', '=', batch).execute();
    expect(cards.every((c) => c.state === 'expired' && c.pin_enc === null)).toBe(true);
    const balances = await t.ctx.db
      .selectFrom('ledger_accounts')
      .innerJoin('ledger_balances', 'ledger_balances.account_id', 'ledger_accounts.id')
      .select(['system_key', 'ledger_balances.balance'])
      .where('organization_id', '=', tree.isp.id)
      .where('system_key', 'in', ['cards_outstanding', 'revenue:card_breakage'])
      .execute();
    expect(Object.fromEntries(balances.map((b) => [b.system_key, BigInt(b.balance)]))).toEqual({ cards_outstanding: 0n, 'revenue:card_breakage': -30_000n });
  });
});
