import { z } from 'zod';
import { formatMoney } from '../../core/money.ts';
import type { BillingRun } from '../../platform/db/schema.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import { type BillingSummary, type SampleLine, emptySummary } from './billing-run.summary.ts';

const decimal = z.string().describe('Decimal amount in major units of the currency, e.g. "1500.50"');

export const startBillingRunSchema = z
  .object({
    organizationId: z.uuid().optional().describe('The organization whose subscriptions are billed; defaults to the one you are working in'),
    asOf: z.iso.datetime({ offset: true }).optional().describe('Bill what is due by this instant; defaults to now. Only a dry run may look ahead'),
    dryRun: z.boolean().default(false).describe('Preview: compute what would be billed and write nothing but the run'),
  })
  .meta({ id: 'StartBillingRun' });
export type StartBillingRunInput = z.infer<typeof startBillingRunSchema>;

const currencyTotalsSchema = z.object({
  currency: z.string(),
  invoices: z.number().int(),
  lines: z.number().int(),
  subtotal: decimal.describe('Net of discount, before tax'),
  discount: decimal,
  tax: decimal,
  total: decimal,
});

const sampleLineSchema = z.object({
  subscriptionId: z.uuid(),
  subscriberId: z.uuid(),
  source: z.enum(['billing_run', 'renewal']),
  kind: z.string(),
  descriptionKey: z.string().nullable(),
  periodStart: z.iso.datetime().nullable(),
  periodEnd: z.iso.datetime().nullable(),
  currency: z.string(),
  net: decimal,
  tax: decimal,
  gross: decimal,
});

export const billingRunSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    asOf: z.iso.datetime(),
    dryRun: z.boolean(),
    status: z.enum(['running', 'completed', 'failed']),
    subscriptionsBilled: z.number().int().describe('Subscriptions with at least one period billed so far (would be, in a dry run)'),
    invoicesCreated: z.number().int(),
    linesCreated: z.number().int(),
    totals: z.array(currencyTotalsSchema).describe('Per currency, as billed so far'),
    failures: z.array(z.object({ subscriptionId: z.uuid(), message: z.string() })).describe('Subscriptions that could not be billed (the first 50), left due'),
    sample: z.array(sampleLineSchema).describe('A dry run: the first lines it would write'),
    error: z.string().nullable(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    startedBy: z.uuid().nullable().describe('Null for the scheduled run'),
  })
  .meta({ id: 'BillingRun' });

export const billingRunListQuery = listQuerySchema.extend({
  organizationId: z.uuid().optional(),
  status: z.enum(['running', 'completed', 'failed']).optional(),
  dryRun: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type BillingRunListQuery = z.infer<typeof billingRunListQuery>;
export const billingRunPage = pageSchema(billingRunSchema, 'BillingRunPage');

/** The run's summary as billing_runs.totals keeps it: minor units as strings (JSON has no bigint). */
export function storedSummary(s: BillingSummary): string {
  return JSON.stringify({
    subscriptions: s.subscriptions,
    invoices: s.invoices,
    lines: s.lines,
    totals: s.totals.map((t) => ({ ...t, subtotal: t.subtotal.toString(), discount: t.discount.toString(), tax: t.tax.toString(), total: t.total.toString() })),
    failures: s.failures,
    sample: s.sample.map((l) => ({ ...l, net: l.net.toString(), tax: l.tax.toString(), gross: l.gross.toString() })),
  });
}

type Stored = { [K in keyof BillingSummary]?: unknown };

export function summaryOf(stored: Record<string, unknown>): BillingSummary {
  const s = stored as Stored;
  if (!Array.isArray(s.totals)) return emptySummary();
  const big = (v: unknown) => BigInt(v as string);
  const date = (v: unknown) => (v ? new Date(v as string) : null);
  return {
    subscriptions: Number(s.subscriptions ?? 0),
    invoices: Number(s.invoices ?? 0),
    lines: Number(s.lines ?? 0),
    totals: (s.totals as Record<string, unknown>[]).map((t) => ({
      currency: t.currency as string,
      invoices: Number(t.invoices),
      lines: Number(t.lines),
      subtotal: big(t.subtotal),
      discount: big(t.discount),
      tax: big(t.tax),
      total: big(t.total),
    })),
    failures: (s.failures ?? []) as BillingSummary['failures'],
    sample: ((s.sample ?? []) as (Omit<SampleLine, 'periodStart' | 'periodEnd' | 'net' | 'tax' | 'gross'> & Record<string, unknown>)[]).map((l) => ({
      ...l,
      periodStart: date(l.periodStart),
      periodEnd: date(l.periodEnd),
      net: big(l.net),
      tax: big(l.tax),
      gross: big(l.gross),
    })),
  };
}

export function mapRun(run: BillingRun): z.infer<typeof billingRunSchema> {
  const s = summaryOf(run.totals);
  const amount = (minor: bigint, currency: string) => formatMoney({ minor, currency });
  return {
    id: run.id,
    organizationId: run.organization_id,
    asOf: run.as_of.toISOString(),
    dryRun: run.dry_run,
    status: run.status,
    subscriptionsBilled: run.subscriptions_billed,
    invoicesCreated: run.invoices_created,
    linesCreated: s.lines,
    totals: s.totals.map((t) => ({ ...t, subtotal: amount(t.subtotal, t.currency), discount: amount(t.discount, t.currency), tax: amount(t.tax, t.currency), total: amount(t.total, t.currency) })),
    failures: [...s.failures],
    sample: s.sample.map((l) => ({
      ...l,
      source: l.source as 'billing_run' | 'renewal',
      periodStart: l.periodStart?.toISOString() ?? null,
      periodEnd: l.periodEnd?.toISOString() ?? null,
      net: amount(l.net, l.currency),
      tax: amount(l.tax, l.currency),
      gross: amount(l.gross, l.currency),
    })),
    error: run.error,
    startedAt: run.started_at.toISOString(),
    finishedAt: run.finished_at?.toISOString() ?? null,
    startedBy: run.started_by,
  };
}
