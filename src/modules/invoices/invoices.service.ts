/**
 * Invoice use cases for staff: list and read, manual invoices (drafts edited freely, then issued),
 * the approval workflow (draft → review → approved → sent) where an organization asks for it,
 * void, credit notes and payment from the subscriber's wallet. The engine does the money; this
 * file checks who may do what, on what, and audits it.
 */
import type { Transaction } from 'kysely';
import { invoiceLine } from '../../core/invoice-line.ts';
import { formatMoney } from '../../core/money.ts';
import { parseDecimal } from '../../core/rational.ts';
import { taxLine } from '../../core/tax.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB, Invoice, Organization } from '../../platform/db/schema.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../platform/errors.ts';
import { page } from '../../platform/http/list.ts';
import { billingSettingsOf } from '../billing/settings.ts';
import { findUsableBy as findTaxClass } from '../catalog/tax-classes.repo.ts';
import { ratesOf } from '../catalog/tax-classes.schemas.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';
import { createCreditNote, voidInvoice } from './corrections.ts';
import { type NewInvoiceLine, createInvoice, issueInvoice, payFromWallet, replaceDraftLines } from './invoice-engine.ts';
import * as repo from './invoices.repo.ts';
import { invoiceSort } from './invoices.repo.ts';
import { type CreateInvoiceInput, type InvoiceListQuery, type ManualLineInput, mapAllocation, mapInvoice, mapLine } from './invoices.schemas.ts';

export type Deps = Pick<AppContext, 'db' | 'clock'>;
type Trx = Transaction<DB>;

async function audit(trx: Trx, deps: Deps, actor: Actor, action: string, invoice: Invoice, before?: unknown): Promise<void> {
  const org = await orgRepo.findById(trx, invoice.organization_id);
  await appendAudit(trx, deps.clock, actor.audit, {
    action,
    organizationId: invoice.organization_id,
    organizationPath: org?.path ?? null,
    objectType: 'invoice',
    objectId: invoice.id,
    before,
    after: mapInvoice(invoice),
  });
}

async function invoiceInScope(db: Deps['db'] | Trx, actor: Actor, id: string): Promise<Invoice> {
  const invoice = await repo.findInScope(db, actor.principal.scope, id);
  if (!invoice) throw new NotFoundError('Invoice');
  return invoice;
}

export async function listInvoices(deps: Deps, actor: Actor, query: InvoiceListQuery) {
  requirePermission(actor, 'invoices.read');
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, invoiceSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapInvoice), nextCursor: p.nextCursor };
}

export async function getInvoice(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'invoices.read');
  return invoiceDetail(deps.db, actor, id);
}

async function invoiceDetail(db: Deps['db'] | Trx, actor: Actor, id: string) {
  const invoice = await invoiceInScope(db, actor, id);
  const lines = await repo.linesOf(db, [id]);
  const allocations = await repo.allocationsOf(db, id);
  const notes = await db.selectFrom('invoices').select(['id', 'number', 'total']).where('credits_invoice_id', '=', id).orderBy('created_at').execute();
  return {
    ...mapInvoice(invoice),
    lines: lines.map((l) => mapLine(l, invoice.currency)),
    allocations: allocations.map((a) => mapAllocation(a, invoice.currency)),
    creditNotes: notes.map((n) => ({ id: n.id, number: n.number, total: formatMoney({ minor: n.total, currency: invoice.currency }) })),
  };
}

/** Prices typed lines the way the catalog's are: quantity × unit price rounded once, then taxed. */
async function priceManualLines(trx: Trx, org: Organization, currency: string, lines: readonly ManualLineInput[]): Promise<NewInvoiceLine[]> {
  const settings = await billingSettingsOf(trx, org.id);
  const rounding = settings.rounding(currency);
  const out: NewInvoiceLine[] = [];
  for (const [i, l] of lines.entries()) {
    const taxRow = l.taxClassId ? await findTaxClass(trx, org, l.taxClassId) : undefined;
    if (l.taxClassId && !taxRow) throw new UnprocessableError('Unknown tax class', [{ field: `lines.${i}.taxClassId`, message: 'is not a tax class this organization can use' }]);
    const line = invoiceLine({ descriptionKey: 'invoiceLine.manual', quantity: parseDecimal(l.quantity, 'Quantity'), unitPrice: parseDecimal(l.unitPrice, 'Unit price'), currency, rounding });
    const taxed = taxRow ? taxLine(line.amount, { code: taxRow.code, inclusive: taxRow.inclusive, rates: ratesOf(taxRow) }, rounding) : { net: line.amount, taxes: [], gross: line.amount };
    out.push({
      kind: 'manual',
      serviceType: l.serviceType,
      description: l.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      amount: line.amount.minor,
      net: taxed.net.minor,
      taxes: taxed.taxes.map((t) => ({ code: t.code, percent: t.percent, amount: t.amount.minor })),
      gross: taxed.gross.minor,
    });
  }
  return out;
}

export async function createManualInvoice(deps: Deps, actor: Actor, input: CreateInvoiceInput) {
  requirePermission(actor, 'invoices.create');
  return deps.db.transaction().execute(async (trx) => {
    const subscriber = await subscriberRepo.findInScope(trx, actor.principal.scope, input.subscriberId);
    if (!subscriber) throw new NotFoundError('Subscriber');
    const org = (await orgRepo.findById(trx, subscriber.organization_id))!;
    const currency = input.currency ?? org.currency;
    const lines = await priceManualLines(trx, org, currency, input.lines);
    const invoice = await createInvoice(trx, deps.clock, {
      organizationId: org.id,
      subscriberId: subscriber.id,
      currency,
      source: 'manual',
      lines,
      memo: input.memo,
      createdBy: actor.principal.userId,
      mode: input.issue ? 'issue' : 'draft',
    });
    await audit(trx, deps, actor, 'invoice.create', invoice);
    return invoiceDetail(trx, actor, invoice.id);
  });
}

/** Runs a change on an invoice in scope under its row lock, then audits it. */
async function change(deps: Deps, actor: Actor, id: string, action: string, fn: (trx: Trx, invoice: Invoice) => Promise<Invoice>) {
  return deps.db.transaction().execute(async (trx) => {
    const found = await invoiceInScope(trx, actor, id);
    const locked = (await repo.lockInvoice(trx, found.id))!;
    const after = await fn(trx, locked);
    await audit(trx, deps, actor, action, after, mapInvoice(locked));
    return invoiceDetail(trx, actor, id);
  });
}

function requireStatus(invoice: Invoice, allowed: readonly Invoice['status'][], what: string): void {
  if (!allowed.includes(invoice.status)) throw new ConflictError(`Invoice is ${invoice.status}: ${what}`);
}

export function updateDraft(deps: Deps, actor: Actor, id: string, input: { memo?: string; lines?: ManualLineInput[] }) {
  requirePermission(actor, 'invoices.update');
  return change(deps, actor, id, 'invoice.update', async (trx, invoice) => {
    requireStatus(invoice, ['draft'], 'only a draft can be edited; credit an issued invoice instead');
    if (invoice.source !== 'manual' && input.lines) throw new ConflictError('Lines of a billed invoice come from its subscriptions: add a manual invoice instead');
    if (input.memo !== undefined) await repo.setStatus(trx, id, 'draft', deps.clock.now(), { memo: input.memo });
    if (input.lines) {
      const org = (await orgRepo.findById(trx, invoice.organization_id))!;
      return replaceDraftLines(trx, deps.clock, id, await priceManualLines(trx, org, invoice.currency, input.lines));
    }
    return (await repo.lockInvoice(trx, id))!;
  });
}

export async function deleteDraft(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'invoices.delete');
  await deps.db.transaction().execute(async (trx) => {
    const invoice = (await repo.lockInvoice(trx, (await invoiceInScope(trx, actor, id)).id))!;
    requireStatus(invoice, ['draft', 'in_review', 'approved'], 'an issued invoice is voided or credited, never deleted');
    if (invoice.source !== 'manual') throw new ConflictError('A billed invoice holds its subscriptions’ periods: issue it and credit it instead of deleting it');
    await trx.deleteFrom('invoices').where('id', '=', id).execute();
    await audit(trx, deps, actor, 'invoice.delete', invoice, mapInvoice(invoice));
  });
}

export function submitForReview(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'invoices.update');
  return change(deps, actor, id, 'invoice.submit', (trx, invoice) => {
    requireStatus(invoice, ['draft'], 'only a draft is sent for review');
    return repo.setStatus(trx, id, 'in_review', deps.clock.now());
  });
}

export function approve(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'invoices.update');
  return change(deps, actor, id, 'invoice.approve', (trx, invoice) => {
    requireStatus(invoice, ['in_review'], 'only an invoice in review is approved');
    return repo.setStatus(trx, id, 'approved', deps.clock.now(), { approved_by: actor.principal.userId });
  });
}

/** Issues (sends) the invoice: numbered, posted to the ledger, due. Where approval is required, only an approved one. */
export function issue(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'invoices.update');
  return change(deps, actor, id, 'invoice.issue', async (trx, invoice) => {
    requireStatus(invoice, ['draft', 'in_review', 'approved'], 'it is already issued');
    const settings = await billingSettingsOf(trx, invoice.organization_id);
    if (settings.approvalRequired && invoice.status !== 'approved') throw new ConflictError('This organization approves invoices before they are sent: send it for review and approve it first');
    return issueInvoice(trx, deps.clock, id, actor.principal.userId);
  });
}

export function voidOne(deps: Deps, actor: Actor, id: string, reason: string) {
  requirePermission(actor, 'invoices.update');
  return change(deps, actor, id, 'invoice.void', (trx) => voidInvoice(trx, deps.clock, id, reason, actor.principal.userId));
}

export async function creditNote(deps: Deps, actor: Actor, id: string, input: { reason: string; lineNos?: number[] }) {
  requirePermission(actor, 'invoices.create');
  return deps.db.transaction().execute(async (trx) => {
    await invoiceInScope(trx, actor, id);
    const note = await createCreditNote(trx, deps.clock, id, { ...input, actorId: actor.principal.userId });
    await audit(trx, deps, actor, 'invoice.credit_note', note);
    return invoiceDetail(trx, actor, note.id);
  });
}

export function payWithWallet(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'invoices.update');
  return change(deps, actor, id, 'invoice.pay_from_wallet', async (trx, invoice) => {
    requireStatus(invoice, ['open', 'partially_paid', 'overdue'], 'nothing is owed on it');
    const paid = await payFromWallet(trx, deps.clock, id, { createdBy: actor.principal.userId });
    if (paid === 0n) throw new ConflictError("The subscriber's wallet holds nothing to pay with");
    return (await repo.lockInvoice(trx, id))!;
  });
}
