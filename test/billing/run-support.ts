/** Fixtures of the billing-run tests: plans and subscribers through the API, active subscriptions, the books' health. */
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Organization } from '../../src/platform/db/schema.ts';
import { versionInForce } from '../../src/modules/catalog/catalog.service.ts';
import { firstPeriod } from '../../src/modules/catalog/pricing.ts';
import { balanceDrift } from '../../src/modules/ledger/ledger.repo.ts';
import { trialBalance } from '../../src/modules/ledger/ledger.service.ts';
import type { Api, TestContext } from '../support/app.ts';
import { created } from '../catalog/fixtures.ts';

export async function newSubscriber(api: Api, org: Organization, name = `Subscriber ${crypto.randomUUID().slice(0, 6)}`): Promise<string> {
  return (await created<{ id: string }>(api.post('/api/subscribers', { organizationId: org.id, name, contacts: [{ kind: 'phone', value: '0712345678' }] }))).id;
}

export interface Subscribe {
  organizationId: string;
  subscriberId: string;
  planId: string;
  at: Date;
  currency?: string;
  quantity?: number;
  autoRenew?: boolean;
  discountId?: string;
}

/**
 * An active subscription as activation leaves it (the subscriptions module's rule): anchored at the
 * activation instant, nothing billed yet, first billed at its first period's start (in advance) or end.
 */
export async function subscribe(t: TestContext, s: Subscribe): Promise<string> {
  const db = t.ctx.db;
  const plan = await db.selectFrom('plans').select(['id', 'current_version_id']).where('id', '=', s.planId).executeTakeFirstOrThrow();
  const org = await db.selectFrom('organizations').select('timezone').where('id', '=', s.organizationId).executeTakeFirstOrThrow();
  const version = await versionInForce(db, plan, s.at);
  const period = firstPeriod(version, s.at, org.timezone);
  const nextBillAt = period ? (version.charge_timing === 'in_advance' ? period.start : period.end) : s.at;
  const row = await db
    .insertInto('subscriptions')
    .values({
      organization_id: s.organizationId,
      subscriber_id: s.subscriberId,
      plan_id: s.planId,
      currency: s.currency ?? 'KES',
      status: 'active',
      quantity: s.quantity ?? 1,
      auto_renew: s.autoRenew ?? true,
      discount_id: s.discountId ?? null,
      starts_at: s.at,
      activated_at: s.at,
      next_bill_at: nextBillAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The books balance and every running balance matches its lines. */
export async function expectBooksBalanced(t: TestContext, organizationId: string): Promise<void> {
  const tb = await trialBalance(t.ctx.db, organizationId);
  for (const c of tb.currencies) expect(c.debit, `trial balance in ${c.currency}`).toBe(c.credit);
  expect(await balanceDrift(t.ctx.db)).toEqual([]);
}

/** No period billed twice, and the organization's invoice numbers run 1..n without a gap. */
export async function expectExactlyOnce(t: TestContext, organizationId: string): Promise<void> {
  const dup = await sql<{ n: bigint }>`select count(*) as n from (
      select subscription_id, kind, period_start from invoice_lines where subscription_id is not null and kind in ('recurring', 'usage')
       group by 1, 2, 3 having count(*) > 1) d`.execute(t.ctx.db);
  expect(dup.rows[0]!.n).toBe(0n);
  const numbers = await t.ctx.db.selectFrom('invoices').select('number').where('organization_id', '=', organizationId).where('number', 'is not', null).execute();
  const seqs = numbers.map((r) => Number(/(\d+)$/.exec(r.number!)![1])).sort((a, b) => a - b);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  const seq = await t.ctx.db.selectFrom('invoice_sequences').select('last_invoice').where('organization_id', '=', organizationId).executeTakeFirst();
  expect(seq?.last_invoice ?? 0n).toBe(BigInt(seqs.length));
}

export function linesOfSubscription(t: TestContext, subscriptionId: string) {
  return t.ctx.db
    .selectFrom('invoice_lines')
    .innerJoin('invoices', 'invoices.id', 'invoice_lines.invoice_id')
    .select(['invoice_lines.kind', 'invoice_lines.period_start', 'invoice_lines.period_end', 'invoice_lines.net', 'invoice_lines.tax', 'invoice_lines.gross', 'invoices.number', 'invoices.status', 'invoices.source'])
    .where('invoice_lines.subscription_id', '=', subscriptionId)
    .orderBy('invoice_lines.period_start')
    .execute();
}
