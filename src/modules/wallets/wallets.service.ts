/**
 * A subscriber's wallet as staff see it: balance, credit limit and statement, a top-up recorded at
 * the counter (cash; the payments module adds gateways), which then pays unpaid invoices oldest
 * first and so unlocks suspended service.
 */
import { formatMoney, parseMoney } from '../../core/money.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Organization } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { Kysely, Transaction } from 'kysely';
import { settleFromWallet } from '../invoices/invoice-engine.ts';
import { statement } from '../ledger/ledger.service.ts';
import { setCreditLimit, topUpWallet, walletBalance } from '../ledger/wallets.service.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

async function subscriberAndOrg(db: Db, actor: Actor, id: string): Promise<{ subscriberId: string; org: Organization }> {
  const s = await subscriberRepo.findInScope(db, actor.principal.scope, id);
  if (!s) throw new NotFoundError('Subscriber');
  return { subscriberId: s.id, org: (await orgRepo.findById(db, s.organization_id))! };
}

async function view(db: Db, organizationId: string, subscriberId: string, currency: string) {
  const w = await walletBalance(db, { organizationId, subscriberId, currency });
  const owed = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<bigint>(eb(eb('total', '-', eb.ref('amount_paid')), '-', eb.ref('amount_credited'))), eb.val(0n)).as('owed'))
    .where('subscriber_id', '=', subscriberId)
    .where('currency', '=', currency)
    .where('kind', '=', 'invoice')
    .where('status', 'in', ['open', 'partially_paid', 'overdue'])
    .executeTakeFirstOrThrow();
  return {
    subscriberId,
    currency,
    accountId: w.accountId,
    balance: formatMoney(w.balance),
    creditLimit: formatMoney(w.creditLimit),
    available: formatMoney(w.available),
    owed: formatMoney({ minor: BigInt(owed.owed), currency }),
  };
}

export async function getWallet(deps: Deps, actor: Actor, id: string, currency?: string) {
  requirePermission(actor, 'invoices.read');
  const { subscriberId, org } = await subscriberAndOrg(deps.db, actor, id);
  return view(deps.db, org.id, subscriberId, currency ?? org.currency);
}

export async function walletStatement(deps: Deps, actor: Actor, id: string, query: { currency?: string; limit: number; cursor?: string }) {
  requirePermission(actor, 'invoices.read');
  const { subscriberId, org } = await subscriberAndOrg(deps.db, actor, id);
  const currency = query.currency ?? org.currency;
  const wallet = await view(deps.db, org.id, subscriberId, currency);
  if (!wallet.accountId) return { wallet, items: [], nextCursor: null };
  return { wallet, ...(await walletMovements(deps.db, wallet.accountId, currency, query)) };
}

/**
 * A page of a wallet's movements, newest first, as the subscriber reads them: a wallet is a
 * liability of the ISP, so money in is a credit, shown positive.
 */
export async function walletMovements(db: Db, accountId: string, currency: string, query: { limit: number; cursor?: string }) {
  const { lines, nextCursor } = await statement(db, accountId, { limit: query.limit, cursor: query.cursor, sort: '-posted' });
  return {
    items: lines.map((l) => ({
      entryId: l.entry_id,
      kind: l.kind,
      memo: l.memo,
      occurredAt: l.occurred_at.toISOString(),
      amount: formatMoney({ minor: -l.amount, currency }),
      balance: formatMoney({ minor: -l.balanceAfter, currency }),
    })),
    nextCursor,
  };
}

export async function topUp(deps: Deps, actor: Actor, id: string, input: { currency?: string; amount: string; reference: string; memo?: string; payInvoices: boolean }) {
  requirePermission(actor, 'invoices.update');
  return deps.db.transaction().execute(async (trx) => {
    const { subscriberId, org } = await subscriberAndOrg(trx, actor, id);
    const currency = input.currency ?? org.currency;
    const amount = parseMoney(input.amount, currency);
    const ref = { organizationId: org.id, subscriberId, currency };
    const posted = await topUpWallet(trx, deps.clock, ref, {
      amount,
      via: { kind: 'cash' },
      idempotencyKey: `wallet-top-up:${subscriberId}:${input.reference}`,
      memo: input.memo ?? `Top-up ${input.reference}`,
      createdBy: actor.principal.userId,
    });
    if (posted.replayed) throw new ConflictError(`A top-up with reference ${input.reference} is already recorded for this subscriber`);
    const paid = input.payInvoices ? await settleFromWallet(trx, deps.clock, subscriberId, currency) : 0n;
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'wallet.top_up',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'subscriber',
      objectId: subscriberId,
      after: { amount: input.amount, currency, reference: input.reference, invoicesPaid: formatMoney({ minor: paid, currency }) },
    });
    return { wallet: await view(trx, org.id, subscriberId, currency), entryId: posted.entry.id, invoicesPaid: formatMoney({ minor: paid, currency }) };
  });
}

export async function changeCreditLimit(deps: Deps, actor: Actor, id: string, input: { currency?: string; creditLimit: string }) {
  requirePermission(actor, 'billing.update');
  return deps.db.transaction().execute(async (trx) => {
    const { subscriberId, org } = await subscriberAndOrg(trx, actor, id);
    const currency = input.currency ?? org.currency;
    const before = await view(trx, org.id, subscriberId, currency);
    await setCreditLimit(trx, { organizationId: org.id, subscriberId, currency }, parseMoney(input.creditLimit, currency));
    const after = await view(trx, org.id, subscriberId, currency);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'wallet.credit_limit', organizationId: org.id, organizationPath: org.path, objectType: 'subscriber', objectId: subscriberId, before, after });
    return after;
  });
}
