import type { components } from '../../api/schema.d.ts';
import { currencyDigits } from '../../lib/format.ts';

// The generated types themselves (not the client), so these pure helpers also load outside a browser.
type Schemas = components['schemas'];

export type Plan = Schemas['Plan'];
export type PlanVersion = Schemas['PlanVersion'];
export type RateComponent = Schemas['RateComponent'];
export type TaxClass = Schemas['TaxClass'];
export type Discount = Schemas['Discount'];
export type PricePreview = Schemas['PricePreview'];
export type VersionBody = Schemas['NewPlanVersionInput'];

export const serviceTypes = ['pppoe', 'hotspot', 'static_ip', 'bulk_bandwidth', 'cable_tv', 'other'] as const;
export const planKinds = ['plan', 'addon', 'bundle', 'one_off'] as const;
export const billingModels = ['prepaid', 'postpaid', 'usage'] as const;
export const cycles = ['monthly', 'quarterly', 'yearly', 'daily', 'validity', 'one_time'] as const;
export const componentKinds = ['fixed', 'per-day', 'per-unit', 'graduated', 'volume', 'minimum'] as const;

type Cycle = (typeof cycles)[number];
type Speed = number | '';

export interface NetworkForm {
  downloadMbps: Speed;
  uploadMbps: Speed;
  burst: boolean;
  downloadBurstMbps: Speed;
  uploadBurstMbps: Speed;
  downloadThresholdMbps: Speed;
  uploadThresholdMbps: Speed;
  burstSeconds: Speed;
  dataQuotaGb: string;
  timeQuotaHours: Speed;
  throttle: boolean;
  throttleDownloadMbps: Speed;
  throttleUploadMbps: Speed;
  ipPool: string;
  addressList: string;
}

export interface VersionForm {
  cycle: Cycle;
  alignment: 'anniversary' | 'calendar';
  validityUnit: 'hours' | 'days';
  validityLength: Speed;
  timing: 'in_advance' | 'in_arrears';
  graceDays: Speed;
  prices: { currency: string; components: RateComponent[] }[];
  taxClassId: string | null;
  network: NetworkForm;
}

const gigabyte = 1_000_000_000n;
const mbps = (kbps: number | undefined | null): Speed => (kbps ? kbps / 1000 : '');
const kbps = (value: Speed): number | null => (value === '' ? null : Math.round(value * 1000));

/** Bytes as decimal gigabytes (10⁹ bytes), exactly: "500000000000" → "500". */
export function bytesToGb(bytes: string): string {
  const b = BigInt(bytes);
  const fraction = (b % gigabyte).toString().padStart(9, '0').replace(/0+$/, '');
  return `${b / gigabyte}${fraction ? `.${fraction}` : ''}`;
}

/** Decimal gigabytes as bytes, exactly; text that is not a decimal is passed on for the server to name. */
export function gbToBytes(gb: string): string {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(gb.trim());
  if (!match) return gb.trim();
  return (BigInt(match[1]!) * gigabyte + BigInt((match[2] ?? '').padEnd(9, '0'))).toString();
}

export function versionForm(v: PlanVersion | undefined, currency: string): VersionForm {
  const n = v?.network;
  const burst = n?.download?.burst ?? n?.upload?.burst;
  return {
    cycle: v?.billing.cycle ?? 'monthly',
    alignment: v?.billing.alignment ?? 'anniversary',
    validityUnit: v?.billing.validityUnit ?? 'days',
    validityLength: v?.billing.validityLength ?? 30,
    timing: v?.billing.timing ?? 'in_advance',
    graceDays: v?.billing.graceDays ?? 0,
    prices: v?.prices.map((p) => ({ currency: p.currency, components: p.components })) ?? [{ currency, components: [{ kind: 'fixed', price: '' }] }],
    taxClassId: v?.taxClassId ?? null,
    network: {
      downloadMbps: mbps(n?.download?.rateKbps),
      uploadMbps: mbps(n?.upload?.rateKbps),
      burst: !!burst,
      downloadBurstMbps: mbps(n?.download?.burst?.rateKbps),
      uploadBurstMbps: mbps(n?.upload?.burst?.rateKbps),
      downloadThresholdMbps: mbps(n?.download?.burst?.thresholdKbps),
      uploadThresholdMbps: mbps(n?.upload?.burst?.thresholdKbps),
      burstSeconds: burst?.seconds ?? 16,
      dataQuotaGb: n?.dataQuotaBytes ? bytesToGb(n.dataQuotaBytes) : '',
      timeQuotaHours: n?.timeQuotaSeconds ? n.timeQuotaSeconds / 3600 : '',
      throttle: !!n?.throttle,
      throttleDownloadMbps: mbps(n?.throttle?.downloadKbps),
      throttleUploadMbps: mbps(n?.throttle?.uploadKbps),
      ipPool: n?.ipPool ?? '',
      addressList: n?.addressList ?? '',
    },
  };
}

function direction(rate: Speed, burst: boolean, burstRate: Speed, threshold: Speed, seconds: Speed) {
  const rateKbps = kbps(rate);
  if (rateKbps === null) return null;
  return { rateKbps, burst: burst ? { rateKbps: kbps(burstRate) ?? 0, thresholdKbps: kbps(threshold) ?? 0, seconds: seconds === '' ? 0 : seconds } : null };
}

/** The request body of a version: only the fields the chosen cycle uses. */
export function versionBody(f: VersionForm): VersionBody {
  const n = f.network;
  const monthly = f.cycle === 'monthly' || f.cycle === 'quarterly' || f.cycle === 'yearly';
  return {
    billing: {
      cycle: f.cycle,
      alignment: monthly ? f.alignment : null,
      validityUnit: f.cycle === 'validity' ? f.validityUnit : null,
      validityLength: f.cycle === 'validity' && f.validityLength !== '' ? f.validityLength : null,
      timing: f.timing,
      graceDays: f.graceDays === '' ? 0 : f.graceDays,
    },
    prices: f.prices.map((p) => ({ currency: p.currency, components: p.components.map(cleanComponent) })),
    taxClassId: f.taxClassId,
    network: {
      download: direction(n.downloadMbps, n.burst, n.downloadBurstMbps, n.downloadThresholdMbps, n.burstSeconds),
      upload: direction(n.uploadMbps, n.burst, n.uploadBurstMbps, n.uploadThresholdMbps, n.burstSeconds),
      dataQuotaBytes: n.dataQuotaGb.trim() ? gbToBytes(n.dataQuotaGb) : null,
      timeQuotaSeconds: n.timeQuotaHours === '' ? null : Math.round(n.timeQuotaHours * 3600),
      throttle: n.throttle ? { downloadKbps: kbps(n.throttleDownloadMbps) ?? 0, uploadKbps: kbps(n.throttleUploadMbps) ?? 0 } : null,
      ipPool: n.ipPool.trim() || null,
      addressList: n.addressList.trim() || null,
    },
  };
}

/** A new component of a kind, with the fields it needs. */
export function newComponent(kind: RateComponent['kind']): RateComponent {
  switch (kind) {
    case 'fixed':
    case 'per-day':
      return { kind, price: '' };
    case 'per-unit':
      return { kind, unit: 'GB', price: '', included: '' };
    case 'graduated':
    case 'volume':
      return { kind, unit: 'GB', tiers: [{ upTo: null, price: '' }] };
    case 'minimum':
      return { kind, amount: '' };
  }
}

/** A component as the API takes it: an empty included quantity is left out. */
export function cleanComponent(c: RateComponent): RateComponent {
  if (c.kind === 'per-unit' && !c.included?.trim()) return { kind: c.kind, unit: c.unit, price: c.price };
  return c;
}

/**
 * A decimal amount ("2155.17", a price of "2500" or "0.4375") as money in the interface language,
 * exactly: never fewer decimals than the currency has, and every decimal the amount has.
 */
export function formatAmount(amount: string, currency: string, locale: string): string {
  const digits = Math.max(amount.split('.')[1]?.length ?? 0, currencyDigits(currency));
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount as `${number}`);
}
