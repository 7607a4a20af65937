/**
 * Crash safety: the billing run fails at a random step of a random chunk (before anything is
 * written, between any two of its statements, after its last one) day after day, and is run
 * again. Whatever committed before the crash stays, the chunk in flight is gone whole, and the
 * re-run bills what is left: no period billed twice or missed, numbers without a gap, the books
 * balanced, wallet payments and grace exactly as an uninterrupted run leaves them.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeRun } from '../../src/modules/billing/billing-runs.service.ts';
import type { FaultPoint } from '../../src/modules/billing/billing-run.service.ts';
import * as repo from '../../src/modules/billing/billing-runs.repo.ts';
import { topUpWallet } from '../../src/modules/ledger/wallets.service.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { createPlan, createTaxClass } from '../catalog/fixtures.ts';
import { expectBooksBalanced, expectExactlyOnce, newSubscriber, subscribe } from './run-support.ts';

const points: FaultPoint[] = ['selected', 'planned', 'priced', 'accounts', 'numbered', 'invoices', 'lines', 'entries', 'allocations', 'subscriptions', 'audited'];

/** A small deterministic generator, so a failure names a reproducible kill point. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

describe(`billing run crash safety (${engine})`, async () => {
  const t = await createTestContext();
  const { db } = t.ctx;
  const { isp } = await seedTree(t.ctx);
  const api = await sessionFor(t, await seedUser(t.ctx, isp, 'developer'));
  const vat = await createTaxClass(api, { organizationId: isp.id });
  // 58.00 a day VAT-inclusive: 50.00 + 8.00 VAT.
  const daily = { billing: { cycle: 'daily' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '58' }] }], taxClassId: vat.id };
  const postpaid = await createPlan(api, { organizationId: isp.id, name: 'Daily postpaid' }, daily);
  const prepaid = await createPlan(api, { organizationId: isp.id, name: 'Daily prepaid', serviceType: 'hotspot', billingModel: 'prepaid' }, { ...daily, billing: { cycle: 'daily', graceDays: 2 } });
  const start = new Date('2026-06-01T00:30:00+03:00');
  t.clock.set(start);
  const subs: { id: string; prepaid: boolean; subscriberId: string }[] = [];
  for (let i = 0; i < 21; i++) {
    const subscriberId = await newSubscriber(api, isp);
    subs.push({ id: await subscribe(t, { organizationId: isp.id, subscriberId, planId: postpaid.id, at: start }), prepaid: false, subscriberId });
    // Every third subscriber also buys the prepaid plan, with a wallet for 10 days; the first one's wallet is empty.
    if (i % 3 === 0) {
      if (i > 0)
        await db.transaction().execute((trx) =>
          topUpWallet(trx, t.clock, { organizationId: isp.id, subscriberId, currency: 'KES' }, { amount: { minor: 58_000n, currency: 'KES' }, via: { kind: 'cash' }, idempotencyKey: `top-up:${subscriberId}` }),
        );
      subs.push({ id: await subscribe(t, { organizationId: isp.id, subscriberId, planId: prepaid.id, at: start }), prepaid: true, subscriberId });
    }
  }
  const workers = engine === 'postgres' ? 2 : 1;
  const next = random(20_261_122);
  let days = 0;

  it('fails at 24 kill points, one a day, and the re-run leaves every day billed exactly once', async () => {
    let crashes = 0;
    for (let day = 0; day < 24; day++) {
      const at = new Date(start.getTime() + day * 86_400_000);
      t.clock.set(at);
      // Each step is hit at least twice over the 24 days; the chunk (of 5 subscriptions) is random.
      const point = points[day % points.length]!;
      const chunk = 1 + Math.floor(next() * 4);
      const run = await repo.insertRun(db, { organization_id: isp.id, as_of: at, dry_run: false, started_at: at, started_by: null });
      const faults = { at: (p: FaultPoint, n: number) => {
        if (p === point && n === chunk) throw new Error(`crash at ${p} of chunk ${n}`);
      } };
      await expect(executeRun(t.ctx, run.id, { chunkSize: 5, workers, faults })).rejects.toThrow(`crash at ${point} of chunk ${chunk}`);
      crashes++;
      expect(await repo.findRun(db, run.id)).toMatchObject({ status: 'failed', error: `crash at ${point} of chunk ${chunk}` });
      // What the crash left is consistent: never a duplicate, a gap or an unbalanced book.
      await expectExactlyOnce(t, isp.id);
      await expectBooksBalanced(t, isp.id);

      expect(await executeRun(t.ctx, run.id, { chunkSize: 5, workers })).toMatchObject({ status: 'completed', error: null });
      await expectExactlyOnce(t, isp.id);
      await expectBooksBalanced(t, isp.id);
      // No period missing: each subscription holds a line for every day from the first to today.
      const lines = await db.selectFrom('invoice_lines').select(['subscription_id', 'period_start']).where('subscription_id', 'in', subs.map((s) => s.id)).execute();
      for (const s of subs) {
        const days = lines.filter((l) => l.subscription_id === s.id).map((l) => l.period_start!.getTime()).sort((a, b) => a - b);
        expect(days, `subscription ${s.id} on day ${day}`).toEqual(Array.from({ length: day + 1 }, (_, d) => new Date('2026-06-01T00:00:00+03:00').getTime() + d * 86_400_000));
      }
    }
    expect(crashes).toBe(24);
    days = 24;
  }, 180_000);

  // A process of its own needs a database it can reach: the server engine.
  it.skipIf(engine !== 'postgres')('survives its worker process being killed (SIGKILL) inside a chunk, at 4 more points', async () => {
    const child = path.resolve(import.meta.dirname, 'run-child.ts');
    for (const [i, point] of (['numbered', 'invoices', 'entries', 'audited'] as const).entries()) {
      const at = new Date(start.getTime() + (24 + i) * 86_400_000);
      t.clock.set(at);
      const run = await repo.insertRun(db, { organization_id: isp.id, as_of: at, dry_run: false, started_at: at, started_by: null });
      const killed = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', child, t.database.url!, run.id, at.toISOString(), point, '2'], { stdio: 'inherit' });
        p.on('error', reject);
        p.on('exit', (_code, signal) => resolve(signal));
      });
      expect(killed).toBe('SIGKILL');
      // Killed, not failed: the run still says running, and what it committed is consistent.
      expect((await repo.findRun(db, run.id))?.status).toBe('running');
      await expectExactlyOnce(t, isp.id);
      await expectBooksBalanced(t, isp.id);
      expect(await executeRun(t.ctx, run.id, { chunkSize: 5, workers })).toMatchObject({ status: 'completed' });
      await expectExactlyOnce(t, isp.id);
      await expectBooksBalanced(t, isp.id);
      const lines = await db.selectFrom('invoice_lines').select(['subscription_id']).where('subscription_id', 'in', subs.map((s) => s.id)).execute();
      for (const s of subs) expect(lines.filter((l) => l.subscription_id === s.id)).toHaveLength(25 + i);
      days++;
    }
  });

  it('left the renewals paid while the wallets lasted, then in grace, as a run without crashes would', async () => {
    const renewals = await db
      .selectFrom('invoices')
      .innerJoin('invoice_lines', 'invoice_lines.invoice_id', 'invoices.id')
      .select(['invoices.subscriber_id', 'invoices.status', 'invoices.amount_paid', 'invoices.total', 'invoice_lines.period_start'])
      .where('invoices.source', '=', 'renewal')
      .orderBy('invoice_lines.period_start')
      .execute();
    for (const s of subs.filter((x) => x.prepaid)) {
      const mine = renewals.filter((r) => r.subscriber_id === s.subscriberId);
      expect(mine).toHaveLength(days);
      // 580.00 pays 10 days of 58.00; the empty wallet pays none.
      const paidDays = s === subs.find((x) => x.prepaid) ? 0 : 10;
      expect(mine.map((r) => r.status)).toEqual([...Array(paidDays).fill('paid'), ...Array(days - paidDays).fill('open')]);
      expect(mine.every((r) => r.total === 5_800n && r.amount_paid === (r.status === 'paid' ? 5_800n : 0n))).toBe(true);
      const sub = await db.selectFrom('subscriptions').select(['status', 'status_reason', 'grace_until']).where('id', '=', s.id).executeTakeFirstOrThrow();
      // In grace from the first unpaid day's start for the plan's 2 grace days.
      const firstUnpaid = new Date(new Date('2026-06-01T00:00:00+03:00').getTime() + paidDays * 86_400_000);
      expect(sub).toEqual({ status: 'grace', status_reason: 'unpaid', grace_until: new Date(firstUnpaid.getTime() + 2 * 86_400_000) });
    }
    const wallets = await db
      .selectFrom('ledger_accounts')
      .innerJoin('ledger_balances', 'ledger_balances.account_id', 'ledger_accounts.id')
      .select('ledger_balances.balance')
      .where('ledger_accounts.system_key', '=', 'subscriber_wallet')
      .execute();
    expect(wallets.map((w) => w.balance)).toEqual(wallets.map(() => 0n));
  });
});
