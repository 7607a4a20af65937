/**
 * The daily reconciliation report (per day of a source: lines matched, unmatched on either side,
 * the sums and their difference) and the gateway settlement report (per day: what the gateway
 * received for us, its fees and what it paid over to the bank, as its statements say, and the
 * clearing account's balance, as the ledger says).
 */
import type { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { BadRequestError } from '../../platform/errors.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as repo from './reconciliation.repo.ts';
import type { reportQuery, settlementQuery } from './reconciliation.schemas.ts';
import { dayStart, nextDay, sourceInScope, type Deps } from './reconciliation.service.ts';

const MAX_DAYS = 92;

function daysOf(from: string, to: string): string[] {
  if (to < from) throw new BadRequestError('The report ends before it starts', [{ field: 'to', message: 'must not be before from' }]);
  const days: string[] = [];
  for (let d = from; d <= to; d = nextDay(d)) {
    days.push(d);
    if (days.length > MAX_DAYS) throw new BadRequestError(`A report covers at most ${MAX_DAYS} days`, [{ field: 'to', message: 'is too far from from' }]);
  }
  return days;
}

export async function dailyReconciliation(deps: Deps, actor: Actor, sourceId: string, q: z.infer<typeof reportQuery>) {
  requirePermission(actor, 'payments.read');
  const { source, org } = await sourceInScope(deps.db, actor, sourceId);
  const days = daysOf(q.from, q.to);
  const from = dayStart(q.from, org.timezone);
  const to = dayStart(nextDay(q.to), org.timezone);
  const lines = new Map((await repo.dailyLines(deps.db, source, org.timezone, from, to)).map((r) => [r.day, r]));
  const payments = new Map((await repo.dailyPayments(deps.db, source.organization_id, source.channels, source.currency, org.timezone, from, to)).map((r) => [r.day, r]));
  const money = (minor: bigint | undefined) => formatMoney({ minor: BigInt(minor ?? 0n), currency: source.currency });
  return {
    source: { id: source.id, key: source.key, name: source.name },
    currency: source.currency,
    days: days.map((day) => {
      const l = lines.get(day);
      const p = payments.get(day);
      return {
        day,
        lines: l?.lines ?? 0,
        matched: l?.matched ?? 0,
        unmatchedLines: l?.unmatched ?? 0,
        ignored: l?.ignored ?? 0,
        unmatchedPayments: p?.unmatched ?? 0,
        statementAmount: money(l?.receipts),
        matchedAmount: money(l?.matched_amount),
        unmatchedLinesAmount: money(l?.unmatched_amount),
        unmatchedPaymentsAmount: money(p?.unmatched_amount),
        difference: money(BigInt(l?.matched_amount ?? 0n) - BigInt(l?.matched_payments_amount ?? 0n)),
      };
    }),
  };
}

/** For the organization the caller works in (its scope's root), in its currency. */
export async function gatewaySettlement(deps: Deps, actor: Actor, q: z.infer<typeof settlementQuery>) {
  requirePermission(actor, 'payments.read');
  const org = (await orgRepo.findById(deps.db, actor.principal.scope.orgId))!;
  const days = daysOf(q.from, q.to);
  const from = dayStart(q.from, org.timezone);
  const to = dayStart(nextDay(q.to), org.timezone);
  const received = new Map((await repo.dailyPayments(deps.db, org.id, [q.gateway], org.currency, org.timezone, from, to)).map((r) => [r.day, r]));
  const statement = new Map((await repo.gatewayStatementDaily(deps.db, org.id, q.gateway, org.currency, org.timezone, from, to)).map((r) => [r.day, r]));
  const balances = await repo.clearingBalances(deps.db, org.id, q.gateway, org.currency, days.map((day) => ({ day, end: dayStart(nextDay(day), org.timezone) })));
  const money = (minor: bigint | undefined) => formatMoney({ minor: BigInt(minor ?? 0n), currency: org.currency });
  return {
    gateway: q.gateway,
    currency: org.currency,
    days: days.map((day) => ({
      day,
      payments: received.get(day)?.count ?? 0,
      received: money(received.get(day)?.amount),
      fees: money(statement.get(day)?.fees),
      settled: money(statement.get(day)?.settled),
      clearingBalance: money(balances.get(day)),
    })),
  };
}
