/**
 * The customer portal's use cases. Every query is keyed by the signed-in login's own subscriber
 * (src/modules/portal/portal.access.ts), never by an id the caller sends alone: another
 * subscriber's invoice is simply not found. Money moves only through the invoice engine.
 */
import type { Kysely, Transaction } from 'kysely';
import { type BillingPeriod, periodContaining } from '../../core/periods.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Invoice } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { FileStore } from '../../platform/files/store.ts';
import { page } from '../../platform/http/list.ts';
import { versionInForce } from '../catalog/catalog.service.ts';
import { billingSchedule } from '../catalog/pricing.ts';
import { renderInvoicePdf } from '../invoices/documents/invoice-pdf.ts';
import { payFromWallet, unpaidStatuses } from '../invoices/invoice-engine.ts';
import { allocationsOf, invoiceSort, linesOf, lockInvoice } from '../invoices/invoices.repo.ts';
import { mapAllocation, mapInvoice, mapLine } from '../invoices/invoices.schemas.ts';
import { walletMovements } from '../wallets/wallets.service.ts';
import { walletBalance } from '../ledger/wallets.service.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import { usageTotals } from '../usage/usage.repo.ts';
import type { Customer } from './portal.access.ts';
import * as repo from './portal.repo.ts';
import { type PortalInvoiceQuery, mapPortalInvoice, money } from './portal.schemas.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

async function walletView(db: Db, organizationId: string, subscriberId: string, currency: string) {
  const w = await walletBalance(db, { organizationId, subscriberId, currency });
  const owed = (await repo.dueByCurrency(db, subscriberId)).find((d) => d.currency === currency)?.owed ?? 0n;
  return {
    subscriberId,
    currency,
    accountId: w.accountId,
    balance: money(w.balance.minor, currency),
    creditLimit: money(w.creditLimit.minor, currency),
    available: money(w.available.minor, currency),
    owed: money(BigInt(owed), currency),
  };
}

export async function getProfile(deps: Deps, c: Customer) {
  const s = await repo.subscriberWithOrganization(deps.db, c.subscriberId);
  const contacts = await repo.contactsOf(deps.db, c.subscriberId);
  const due = await repo.dueByCurrency(deps.db, c.subscriberId);
  return {
    subscriber: { id: s.id, kind: s.kind, name: s.name, companyName: s.company_name, accountNumber: s.account_number, status: s.status, contacts },
    organization: { name: s.org_name, currency: s.org_currency, timezone: s.org_timezone, email: s.org_email, phone: s.org_phone },
    wallet: await walletView(deps.db, s.org_id, s.id, s.org_currency),
    due: due.map((d) => ({ currency: d.currency, amount: money(BigInt(d.owed), d.currency), invoices: Number(d.invoices), nextDueDate: d.next_due_date })),
  };
}

/** The period of the subscription's schedule that holds `now`, anchored at activation as the billing run does. */
async function currentPeriod(db: Db, sub: repo.SubscriptionRow, now: Date): Promise<BillingPeriod | null> {
  if (!sub.activated_at || sub.status === 'pending' || sub.status === 'terminated') return null;
  const version = await versionInForce(db, { id: sub.plan_id, current_version_id: sub.current_version_id }, now);
  const schedule = billingSchedule(version, sub.activated_at, sub.timezone);
  return schedule ? periodContaining(schedule, now) : null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function listSubscriptions(deps: Deps, c: Customer) {
  const now = deps.clock.now();
  const items = [];
  for (const sub of await repo.subscriptionsOf(deps.db, c.subscriberId)) {
    const period = await currentPeriod(deps.db, sub, now);
    const usage = period ? ((await usageTotals(deps.db, [sub.id], period.start, period.end)).get(sub.id) ?? {}) : {};
    items.push({
      id: sub.id,
      planName: sub.plan_name,
      serviceType: sub.service_type,
      billingModel: sub.billing_model,
      status: sub.status,
      statusReason: sub.status_reason,
      quantity: sub.quantity,
      currency: sub.currency,
      autoRenew: sub.auto_renew,
      username: sub.username,
      startsAt: sub.starts_at.toISOString(),
      activatedAt: iso(sub.activated_at),
      paidThrough: iso(sub.billed_through),
      nextBillAt: iso(sub.next_bill_at),
      graceUntil: iso(sub.grace_until),
      suspendAt: iso(sub.suspend_at),
      terminatedAt: iso(sub.terminated_at),
      currentPeriod: period ? { start: period.start.toISOString(), end: period.end.toISOString() } : null,
      usage: Object.entries(usage).map(([unit, quantity]) => ({ unit, quantity })),
    });
  }
  return { items };
}

export async function listInvoices(deps: Deps, c: Customer, query: PortalInvoiceQuery) {
  const rows = await repo.invoicesOf(deps.db, c.subscriberId, query);
  const p = page(rows, invoiceSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapPortalInvoice), nextCursor: p.nextCursor };
}

async function ownInvoice(db: Db, c: Customer, id: string): Promise<Invoice> {
  const invoice = await repo.invoiceOf(db, c.subscriberId, id);
  if (!invoice) throw new NotFoundError('Invoice');
  return invoice;
}

async function invoiceDetail(db: Db, invoice: Invoice) {
  const lines = await linesOf(db, [invoice.id]);
  const allocations = await allocationsOf(db, invoice.id);
  const notes = await repo.creditNotesFor(db, invoice.id);
  return {
    ...mapPortalInvoice(invoice),
    customer: invoice.customer,
    lines: lines.map((l) => mapLine(l, invoice.currency)),
    payments: allocations.map((a) => {
      const m = mapAllocation(a, invoice.currency);
      return { id: m.id, source: m.source, amount: m.amount, createdAt: m.createdAt };
    }),
    creditNotes: notes.map((n) => ({ id: n.id, number: n.number, total: money(n.total, invoice.currency) })),
  };
}

export async function getInvoice(deps: Deps, c: Customer, id: string) {
  return invoiceDetail(deps.db, await ownInvoice(deps.db, c, id));
}

/** The invoice as the PDF the ISP sends, in the asked language (else the login's, else the organization's). */
export async function invoicePdf(deps: Deps & { files: FileStore }, c: Customer, id: string, locale?: string) {
  const invoice = await ownInvoice(deps.db, c, id);
  const pdf = await renderInvoicePdf(deps.db, deps.files, invoice.id, locale ?? c.locale);
  return { filename: `${(invoice.number ?? invoice.id).replaceAll('/', '-')}.pdf`, pdf };
}

/**
 * Pays what the wallet holds of one of the subscriber's unpaid invoices. The engine records the
 * allocation and, once nothing is owed, brings suspended service back.
 */
export async function payInvoiceFromWallet(deps: Deps, c: Customer, id: string) {
  return deps.db.transaction().execute(async (trx) => {
    const invoice = (await lockInvoice(trx, (await ownInvoice(trx, c, id)).id))!;
    if (invoice.kind !== 'invoice' || !(unpaidStatuses as readonly string[]).includes(invoice.status))
      throw new ConflictError(`Invoice ${invoice.number} is ${invoice.status.replace('_', ' ')}: nothing is owed on it`);
    const paid = await payFromWallet(trx, deps.clock, invoice.id, { createdBy: c.userId });
    if (paid === 0n) throw new ConflictError('Your wallet holds nothing to pay with: top it up first');
    const after = (await repo.invoiceOf(trx, c.subscriberId, id))!;
    const org = await orgRepo.findById(trx, after.organization_id);
    await appendAudit(trx, deps.clock, c.audit, {
      action: 'invoice.pay_from_wallet',
      organizationId: after.organization_id,
      organizationPath: org?.path ?? null,
      objectType: 'invoice',
      objectId: after.id,
      before: mapInvoice(invoice),
      after: mapInvoice(after),
    });
    return {
      paid: money(paid, after.currency),
      invoice: await invoiceDetail(trx, after),
      wallet: await walletView(trx, after.organization_id, c.subscriberId, after.currency),
    };
  });
}

export async function walletStatement(deps: Deps, c: Customer, query: { currency?: string; limit: number; cursor?: string }) {
  const s = await repo.subscriberWithOrganization(deps.db, c.subscriberId);
  const currency = query.currency ?? s.org_currency;
  const wallet = await walletView(deps.db, s.org_id, s.id, currency);
  if (!wallet.accountId) return { wallet, items: [], nextCursor: null };
  return { wallet, ...(await walletMovements(deps.db, wallet.accountId, currency, query)) };
}
