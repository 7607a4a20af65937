import type { TFunction } from 'i18next';
import { bytesToGb, formatAmount, type PlanVersion, type RateComponent } from './model.ts';

/** One rate component in words: "KES 2,500.00", "0.4375 per GB over 50 GB". */
export function describeComponent(c: RateComponent, currency: string, t: TFunction, locale: string): string {
  const money = (amount: string) => (/^\d+(\.\d+)?$/.test(amount) ? formatAmount(amount, currency, locale) : amount);
  switch (c.kind) {
    case 'fixed':
      return money(c.price);
    case 'per-day':
      return t('plans.describe.perDay', { price: money(c.price) });
    case 'per-unit':
      return c.included ? t('plans.describe.perUnitOver', { price: money(c.price), unit: c.unit, included: c.included }) : t('plans.describe.perUnit', { price: money(c.price), unit: c.unit });
    case 'graduated':
    case 'volume':
      return t(`plans.describe.${c.kind}`, { unit: c.unit, tiers: c.tiers.length });
    case 'minimum':
      return t('plans.describe.minimum', { amount: money(c.amount) });
  }
}

/** A version's prices in words, one currency per entry. */
export function describePrices(v: PlanVersion, t: TFunction, locale: string): string[] {
  return v.prices.map((p) => p.components.map((c) => describeComponent(c, p.currency, t, locale)).join(' + '));
}

/** How often it is billed: "Monthly (from the 1st)", "Every 30 days". */
export function describeBilling(v: PlanVersion, t: TFunction): string {
  const b = v.billing;
  if (b.cycle === 'validity') return t(`plans.describe.validity.${b.validityUnit ?? 'days'}`, { length: b.validityLength ?? 0 });
  const cycle = t(`plans.cycle.${b.cycle}`);
  return b.alignment ? `${cycle} · ${t(`plans.alignment.${b.alignment}`)}` : cycle;
}

/** Speeds and quota: "10/5 Mbps · 500 GB". */
export function describeNetwork(v: PlanVersion, t: TFunction): string {
  const n = v.network;
  const parts: string[] = [];
  const mbps = (kbps: number | undefined) => (kbps === undefined ? '∞' : String(kbps / 1000));
  if (n.download || n.upload) parts.push(t('plans.describe.speed', { down: mbps(n.download?.rateKbps), up: mbps(n.upload?.rateKbps) }));
  if (n.dataQuotaBytes) parts.push(t('plans.describe.dataQuota', { gb: bytesToGb(n.dataQuotaBytes) }));
  if (n.timeQuotaSeconds) parts.push(t('plans.describe.timeQuota', { hours: n.timeQuotaSeconds / 3600 }));
  return parts.join(' · ') || t('plans.describe.unlimited');
}
