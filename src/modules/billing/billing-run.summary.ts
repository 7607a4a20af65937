/**
 * What a billing run (or a preview) reports: counts and totals per currency, the subscriptions it
 * could not bill and why, and for a preview a sample of the lines it would write.
 */
import type { InvoiceLineKind, InvoiceSource } from '../../platform/db/schema.ts';
import type { DraftInvoice, LineTemplates } from './billing-run.invoices.ts';

export interface CurrencyTotals {
  readonly currency: string;
  readonly invoices: number;
  readonly lines: number;
  /** Minor units. */
  readonly subtotal: bigint;
  readonly discount: bigint;
  readonly tax: bigint;
  readonly total: bigint;
}

export interface SampleLine {
  readonly subscriptionId: string;
  readonly subscriberId: string;
  readonly source: InvoiceSource;
  readonly kind: InvoiceLineKind;
  readonly descriptionKey: string | null;
  readonly periodStart: Date | null;
  readonly periodEnd: Date | null;
  readonly currency: string;
  readonly net: bigint;
  readonly tax: bigint;
  readonly gross: bigint;
}

export interface BillingFailure {
  readonly subscriptionId: string;
  readonly message: string;
}

export interface BillingSummary {
  /** Subscriptions with at least one period billed. */
  readonly subscriptions: number;
  readonly invoices: number;
  readonly lines: number;
  readonly totals: readonly CurrencyTotals[];
  readonly failures: readonly BillingFailure[];
  readonly sample: readonly SampleLine[];
}

const sampleSize = 20;
/** A run over a million subscriptions on a broken plan names the first ones, not every one. */
const failuresKept = 50;

export function emptySummary(): BillingSummary {
  return { subscriptions: 0, invoices: 0, lines: 0, totals: [], failures: [], sample: [] };
}

function mergeTotals(a: readonly CurrencyTotals[], b: readonly CurrencyTotals[]): CurrencyTotals[] {
  const byCurrency = new Map(a.map((t) => [t.currency, t]));
  for (const t of b) {
    const s = byCurrency.get(t.currency);
    byCurrency.set(
      t.currency,
      s
        ? { currency: t.currency, invoices: s.invoices + t.invoices, lines: s.lines + t.lines, subtotal: s.subtotal + t.subtotal, discount: s.discount + t.discount, tax: s.tax + t.tax, total: s.total + t.total }
        : t,
    );
  }
  return [...byCurrency.values()].sort((x, y) => x.currency.localeCompare(y.currency));
}

export function merge(a: BillingSummary, b: BillingSummary): BillingSummary {
  return {
    subscriptions: a.subscriptions + b.subscriptions,
    invoices: a.invoices + b.invoices,
    lines: a.lines + b.lines,
    totals: mergeTotals(a.totals, b.totals),
    failures: [...a.failures, ...b.failures].slice(0, failuresKept),
    sample: [...a.sample, ...b.sample].slice(0, sampleSize),
  };
}

/** Adds the invoices' counts and totals. */
export function addInvoices(summary: BillingSummary, invoices: readonly DraftInvoice[]): BillingSummary {
  const totals = invoices.map((i) => ({
    currency: i.currency,
    invoices: 1,
    lines: i.lines.length,
    subtotal: i.shape.subtotal,
    discount: i.shape.discount_total,
    tax: i.shape.tax_total,
    total: i.shape.total,
  }));
  const lines = invoices.reduce((n, i) => n + i.lines.length, 0);
  return { ...summary, invoices: summary.invoices + invoices.length, lines: summary.lines + lines, totals: mergeTotals(summary.totals, mergeTotals([], totals)) };
}

/** The first lines the invoices would hold, as a preview shows them. */
export function sampleOf(invoices: readonly DraftInvoice[], templates: LineTemplates): SampleLine[] {
  return invoices
    .flatMap((i) =>
      i.lines.map((l) => {
        const t = templates.rows[l.template]!;
        return {
          subscriptionId: l.subscriptionId,
          subscriberId: i.subscriberId,
          source: i.source,
          kind: t.kind as InvoiceLineKind,
          descriptionKey: t.description_key,
          periodStart: t.period_start,
          periodEnd: t.period_end,
          currency: i.currency,
          net: t.net,
          tax: t.tax,
          gross: t.gross,
        };
      }),
    )
    .slice(0, sampleSize);
}
