/**
 * From priced periods to the rows a chunk writes: one invoice per subscriber, currency and source
 * (renewals of prepaid plans apart, since the wallet pays them whole), its lines, and the ledger
 * entries the invoice engine would post, as shared templates. Pure: ids and numbers come in.
 */
import { type PostingLine, invoiceIssued, walletPaysInvoice } from '../../core/ledger.ts';
import type { InvoiceSource } from '../../platform/db/schema.ts';
import { type NewInvoiceLine, taxSummary } from '../invoices/invoice-engine.ts';
import type { EntryLineTemplate, InvoiceShape, LineTemplate } from './billing-run.rows.ts';

/** Priced lines keyed by what they depend on, numbered for the SQL templates. */
export class LineTemplates {
  readonly rows: LineTemplate[] = [];
  readonly lines: NewInvoiceLine[] = [];
  readonly #byKey = new Map<string, number[]>();

  /** The template numbers of a pricing key, pricing it the first time it is met. */
  of(key: string, price: () => NewInvoiceLine[]): number[] {
    let idxs = this.#byKey.get(key);
    if (!idxs) {
      idxs = price().map((line) => this.add(line));
      this.#byKey.set(key, idxs);
    }
    return idxs;
  }

  private add(l: NewInvoiceLine): number {
    const idx = this.rows.length;
    const tax = l.taxes.reduce((s, t) => s + t.amount, 0n);
    this.lines.push(l);
    this.rows.push({
      idx,
      kind: l.kind,
      plan_version_id: l.planVersionId ?? null,
      service_type: l.serviceType,
      description_key: l.descriptionKey ?? null,
      details: JSON.stringify(l.details ?? {}),
      quantity: l.quantity,
      unit_price: l.unitPrice,
      amount: l.amount,
      discount: l.discount ?? 0n,
      net: l.net,
      tax,
      gross: l.gross,
      // The invoice engine's line taxes: the code doubles as the name, amounts in minor units as text.
      taxes: JSON.stringify(l.taxes.map((t) => ({ code: t.code, name: t.code, rate: t.percent, amount: t.amount.toString() }))),
      period_start: l.periodStart ?? null,
      period_end: l.periodEnd ?? null,
    });
    return idx;
  }
}

export interface BilledPeriodLines {
  readonly subscriptionId: string;
  readonly templates: readonly number[];
}

export interface PricedSubscriber {
  readonly organizationId: string;
  readonly subscriberId: string;
  readonly currency: string;
  readonly source: InvoiceSource;
  readonly periods: readonly BilledPeriodLines[];
}

export interface Shape extends InvoiceShape {
  readonly lineTemplates: readonly number[];
  readonly charges: ReadonlyMap<string, bigint>;
  readonly taxTotals: ReadonlyMap<string, bigint>;
}

export interface DraftInvoice {
  readonly organizationId: string;
  readonly currency: string;
  readonly subscriberId: string;
  readonly source: InvoiceSource;
  readonly shape: Shape;
  readonly lines: readonly { subscriptionId: string; template: number }[];
}

/**
 * Groups the priced periods into invoices and gives each the shape it shares with invoices made
 * of the same lines (so totals, taxes and ledger lines are computed once per shape).
 */
export function assembleInvoices(priced: readonly PricedSubscriber[], templates: LineTemplates): { invoices: DraftInvoice[]; shapes: Shape[] } {
  const shapes = new Map<string, Shape>();
  const groups = new Map<string, { head: PricedSubscriber; lines: { subscriptionId: string; template: number }[] }>();
  for (const p of priced) {
    const key = `${p.organizationId}|${p.subscriberId}|${p.currency}|${p.source}`;
    const group = groups.get(key) ?? { head: p, lines: [] };
    for (const period of p.periods) for (const template of period.templates) group.lines.push({ subscriptionId: period.subscriptionId, template });
    groups.set(key, group);
  }
  const invoices: DraftInvoice[] = [];
  for (const { head, lines } of groups.values()) {
    if (lines.length === 0) continue;
    const idxs = lines.map((l) => l.template);
    const key = `${head.source}|${idxs.join(',')}`;
    let shape = shapes.get(key);
    if (!shape) shapes.set(key, (shape = shapeOf(shapes.size, head.source, idxs, templates)));
    invoices.push({ organizationId: head.organizationId, currency: head.currency, subscriberId: head.subscriberId, source: head.source, shape, lines });
  }
  return { invoices, shapes: [...shapes.values()] };
}

function shapeOf(idx: number, source: InvoiceSource, templateIdxs: readonly number[], templates: LineTemplates): Shape {
  const lines = templateIdxs.map((i) => templates.lines[i]!);
  const rows = templateIdxs.map((i) => templates.rows[i]!);
  const sum = (f: (r: LineTemplate) => bigint) => rows.reduce((s, r) => s + f(r), 0n);
  const charges = new Map<string, bigint>();
  for (const l of lines) charges.set(l.serviceType, (charges.get(l.serviceType) ?? 0n) + l.net);
  const taxTotals = new Map<string, bigint>();
  for (const t of lines.flatMap((l) => l.taxes)) taxTotals.set(t.code, (taxTotals.get(t.code) ?? 0n) + t.amount);
  const starts = rows.flatMap((r) => (r.period_start ? [r.period_start.getTime()] : []));
  const ends = rows.flatMap((r) => (r.period_end ? [r.period_end.getTime()] : []));
  return {
    idx,
    source,
    subtotal: sum((r) => r.net),
    discount_total: sum((r) => r.discount),
    tax_total: sum((r) => r.tax),
    total: sum((r) => r.gross),
    taxes: JSON.stringify(taxSummary(lines)),
    period_start: starts.length > 0 ? new Date(Math.min(...starts)) : null,
    period_end: ends.length > 0 ? new Date(Math.max(...ends)) : null,
    lineTemplates: templateIdxs,
    charges,
    taxTotals,
  };
}

const anyone = '00000000-0000-0000-0000-000000000000';

/** The invoice engine's entry for an issued invoice (core invoiceIssued): receivable, revenue per service type, tax per code. */
export function issuedEntryLines(shape: Shape, currency: string): PostingLine[] {
  const money = (minor: bigint) => ({ minor, currency });
  return invoiceIssued({
    subscriberId: anyone,
    charges: [...shape.charges].filter(([, net]) => net !== 0n).map(([serviceType, net]) => ({ serviceType, net: money(net) })),
    taxes: [...shape.taxTotals].filter(([, amount]) => amount !== 0n).map(([code, amount]) => ({ code, amount: money(amount) })),
  });
}

/** The wallet paying a renewal whole (core walletPaysInvoice). */
export function walletEntryLines(shape: Shape, currency: string): PostingLine[] {
  return walletPaysInvoice({ subscriberId: anyone, amount: { minor: shape.total, currency } });
}

/** Posting lines as templates: the subscriber's receivable and wallet given per entry, the organization's accounts by id. */
export function entryTemplates(entry: number, lines: readonly PostingLine[], accountIds: ReadonlyMap<string, string>): EntryLineTemplate[] {
  return lines.map((l, i) => {
    const owned = l.account.owner != null;
    const accountId = owned ? null : accountIds.get(l.account.systemKey);
    if (!owned && !accountId) throw new Error(`account ${l.account.systemKey} was not opened`);
    const subscriberAccount = owned ? (l.account.systemKey as EntryLineTemplate['subscriber_account']) : null;
    return { entry, line_no: i + 1, account_id: accountId ?? null, subscriber_account: subscriberAccount, amount: l.amount.minor };
  });
}
