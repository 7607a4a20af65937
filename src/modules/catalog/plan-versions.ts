/**
 * A plan version as the database stores it and the API shows it, and the rules a version must
 * meet before it is stored: the prices are rated by src/core/rating.ts once (so a price the
 * billing run could not rate is refused now, with the field that holds it), and the billing
 * cycle, timing and components fit the kind of plan.
 */
import type { Insertable } from 'kysely';
import { type RateComponent, checkComponents } from '../../core/rating.ts';
import type { BillingModel, PlanKind, PlanVersionRow, PlanVersionsTable } from '../../platform/db/schema.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Billing, Network, PlanVersionInput, PlanVersionOutput, RateComponentInput } from './plans.schemas.ts';

export type VersionContent = Omit<Insertable<PlanVersionsTable>, 'id' | 'plan_id' | 'version' | 'valid_from' | 'created_at' | 'created_by'>;

const monthCycles = new Set(['monthly', 'quarterly', 'yearly']);
const usageKinds = new Set(['per-unit', 'graduated', 'volume']);

function completeBilling(input: PlanVersionInput['billing'], billingModel: BillingModel): Billing {
  const cycle = input.cycle;
  return {
    cycle,
    alignment: monthCycles.has(cycle) ? (input.alignment ?? 'anniversary') : (input.alignment ?? null),
    validityUnit: input.validityUnit ?? null,
    validityLength: input.validityLength ?? null,
    timing: input.timing ?? (billingModel === 'usage' ? 'in_arrears' : 'in_advance'),
    graceDays: input.graceDays ?? 0,
  };
}

function billingErrors(b: Billing, kind: PlanKind, model: BillingModel): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field: `billing.${field}`, message });
  if (!monthCycles.has(b.cycle) && b.alignment !== null) add('alignment', 'applies only to monthly, quarterly and yearly cycles');
  if (b.cycle === 'validity') {
    if (b.validityUnit === null) add('validityUnit', 'is required for a validity cycle');
    if (b.validityLength === null) add('validityLength', 'is required for a validity cycle');
    if (model !== 'prepaid') add('cycle', 'a validity period is sold prepaid: use the prepaid billing model');
  } else {
    if (b.validityUnit !== null) add('validityUnit', 'applies only to a validity cycle');
    if (b.validityLength !== null) add('validityLength', 'applies only to a validity cycle');
  }
  if ((kind === 'one_off') !== (b.cycle === 'one_time')) add('cycle', kind === 'one_off' ? 'a one-off product is charged once: use one_time' : 'one_time is only for one-off products');
  if ((model === 'prepaid' || b.cycle === 'validity' || b.cycle === 'one_time') && b.timing !== 'in_advance')
    add('timing', 'prepaid plans, validity periods and one-off charges are paid in advance');
  return errors;
}

/** Each component rated alone first, so the error names the component that holds the bad value. */
function priceErrors(prices: PlanVersionInput['prices'], billing: Billing, model: BillingModel): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  prices.forEach((price, i) => {
    const at = `prices.${i}`;
    if (seen.has(price.currency)) errors.push({ field: `${at}.currency`, message: `${price.currency} is priced twice` });
    seen.add(price.currency);
    const components = price.components as RateComponent[];
    let each = true;
    components.forEach((component, j) => {
      try {
        checkComponents([component], price.currency);
      } catch (err) {
        each = false;
        errors.push({ field: `${at}.components.${j}`, message: (err as Error).message });
      }
      if (billing.cycle === 'one_time' && component.kind !== 'fixed')
        errors.push({ field: `${at}.components.${j}.kind`, message: 'a one-off charge has only fixed prices' });
    });
    if (each) {
      try {
        checkComponents(components, price.currency);
      } catch (err) {
        errors.push({ field: `${at}.components`, message: (err as Error).message });
      }
    }
    if (model === 'usage' && !components.some((c) => usageKinds.has(c.kind)))
      errors.push({ field: `${at}.components`, message: 'a usage plan needs a per-unit, graduated or volume price' });
  });
  return errors;
}

function networkErrors(n: Network): FieldError[] {
  const errors: FieldError[] = [];
  for (const direction of ['download', 'upload'] as const) {
    const burst = n[direction]?.burst;
    if (!burst) continue;
    const rate = n[direction]!.rateKbps;
    if (burst.rateKbps <= rate) errors.push({ field: `network.${direction}.burst.rateKbps`, message: `must exceed the rate of ${rate} kbps` });
    if (burst.thresholdKbps > rate) errors.push({ field: `network.${direction}.burst.thresholdKbps`, message: `must be at most the rate of ${rate} kbps` });
  }
  if (n.throttle && n.dataQuotaBytes === null && n.timeQuotaSeconds === null)
    errors.push({ field: 'network.throttle', message: 'a fair-usage speed needs a data or time quota to follow' });
  return errors;
}

const noNetwork: Network = { download: null, upload: null, dataQuotaBytes: null, timeQuotaSeconds: null, throttle: null, ipPool: null, addressList: null };

/** The columns of a version, or the field errors that keep it from being one. */
export function versionContent(input: PlanVersionInput, plan: { kind: PlanKind; billing_model: BillingModel }): { content: VersionContent; errors: FieldError[] } {
  const billing = completeBilling(input.billing, plan.billing_model);
  const network: Network = { ...noNetwork, ...input.network };
  const errors = [...billingErrors(billing, plan.kind, plan.billing_model), ...priceErrors(input.prices, billing, plan.billing_model), ...networkErrors(network)];
  const content: VersionContent = {
    cycle: billing.cycle,
    alignment: billing.alignment,
    validity_unit: billing.validityUnit,
    validity_length: billing.validityLength,
    charge_timing: billing.timing,
    grace_days: billing.graceDays,
    prices: JSON.stringify(Object.fromEntries(input.prices.map((p) => [p.currency, p.components]))),
    tax_class_id: input.taxClassId ?? null,
    download_kbps: network.download?.rateKbps ?? null,
    download_burst_kbps: network.download?.burst?.rateKbps ?? null,
    download_burst_threshold_kbps: network.download?.burst?.thresholdKbps ?? null,
    download_burst_seconds: network.download?.burst?.seconds ?? null,
    upload_kbps: network.upload?.rateKbps ?? null,
    upload_burst_kbps: network.upload?.burst?.rateKbps ?? null,
    upload_burst_threshold_kbps: network.upload?.burst?.thresholdKbps ?? null,
    upload_burst_seconds: network.upload?.burst?.seconds ?? null,
    data_quota_bytes: network.dataQuotaBytes === null ? null : BigInt(network.dataQuotaBytes),
    time_quota_seconds: network.timeQuotaSeconds,
    throttle_download_kbps: network.throttle?.downloadKbps ?? null,
    throttle_upload_kbps: network.throttle?.uploadKbps ?? null,
    ip_pool: network.ipPool,
    address_list: network.addressList,
  };
  return { content, errors };
}

/** The stored prices, as validated by priceSchema before they were stored. */
export function pricesOf(row: Pick<PlanVersionRow, 'prices'>): PlanVersionOutput['prices'] {
  return Object.entries(row.prices as Record<string, RateComponentInput[]>).map(([currency, components]) => ({ currency, components }));
}

function direction(rate: number | null, burst: number | null, threshold: number | null, seconds: number | null) {
  if (rate === null) return null;
  return { rateKbps: rate, burst: burst === null ? null : { rateKbps: burst, thresholdKbps: threshold!, seconds: seconds! } };
}

export function mapVersion(v: PlanVersionRow): PlanVersionOutput {
  return {
    id: v.id,
    planId: v.plan_id,
    version: v.version,
    validFrom: v.valid_from.toISOString(),
    billing: {
      cycle: v.cycle,
      alignment: v.alignment,
      validityUnit: v.validity_unit,
      validityLength: v.validity_length,
      timing: v.charge_timing,
      graceDays: v.grace_days,
    },
    prices: pricesOf(v),
    taxClassId: v.tax_class_id,
    network: {
      download: direction(v.download_kbps, v.download_burst_kbps, v.download_burst_threshold_kbps, v.download_burst_seconds),
      upload: direction(v.upload_kbps, v.upload_burst_kbps, v.upload_burst_threshold_kbps, v.upload_burst_seconds),
      dataQuotaBytes: v.data_quota_bytes === null ? null : v.data_quota_bytes.toString(),
      timeQuotaSeconds: v.time_quota_seconds,
      throttle: v.throttle_download_kbps === null ? null : { downloadKbps: v.throttle_download_kbps, uploadKbps: v.throttle_upload_kbps! },
      ipPool: v.ip_pool,
      addressList: v.address_list,
    },
    createdAt: v.created_at.toISOString(),
    createdBy: v.created_by,
  };
}

/** JSON with sorted keys at every depth: jsonb hands keys back in its own order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** True when a new version would sell exactly what the current one sells (so no version is made). */
export function sameContent(current: PlanVersionRow, next: VersionContent): boolean {
  const stored = Object.fromEntries(Object.keys(next).map((k) => [k, (current as unknown as Record<string, unknown>)[k]]));
  return canonicalJson(stored) === canonicalJson({ ...next, prices: JSON.parse(next.prices as string) as unknown });
}

function describeComponent(c: RateComponent): string {
  switch (c.kind) {
    case 'fixed':
      return c.price;
    case 'per-day':
      return `${c.price}/day`;
    case 'per-unit':
      return `${c.price}/${c.unit}${c.included ? ` over ${c.included} ${c.unit}` : ''}`;
    case 'graduated':
    case 'volume':
      return `${c.kind} ${c.tiers.map((t) => `${t.price}/${c.unit} to ${t.upTo ?? 'any'}`).join(', ')}`;
    case 'minimum':
      return `minimum ${c.amount}`;
  }
}

/** Prices on one line for a spreadsheet: "KES 2500; USD 20 + 0.5/GB over 50 GB". */
export function formatPrices(prices: PlanVersionOutput['prices']): string {
  return prices.map((p) => `${p.currency} ${p.components.map(describeComponent).join(' + ')}`).join('; ');
}
