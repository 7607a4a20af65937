import type { TFunction } from 'i18next';
import type { components } from '../../api/schema.d.ts';
import { formatAmount } from '../plans/model.ts';

// The generated types themselves (not the client), so these pure helpers also load outside a browser.
type Schemas = components['schemas'];

export type BillingSettings = Schemas['BillingSettings'];
export type SettingsBody = Schemas['UpdateBillingSettings'];
export type PenaltyClass = Schemas['PenaltyClass'];
export type RoundingMode = BillingSettings['rounding'][string]['mode'];
export type BillingRun = Schemas['BillingRun'];

export const runStatusColors: Record<BillingRun['status'], string> = { running: 'blue', completed: 'teal', failed: 'red' };

export interface RoundingRow {
  currency: string;
  mode: RoundingMode;
  /** Minor units as typed: "100" rounds shillings to whole shillings. */
  increment: string;
}

export interface SettingsForm {
  approvalRequired: boolean;
  dueDays: number | '';
  graceDays: number | '';
  rounding: RoundingRow[];
  paymentInstructions: string;
  invoiceFooter: string;
  invoiceNumberFormat: string;
  creditNoteNumberFormat: string;
}

export function settingsForm(s: BillingSettings): SettingsForm {
  return {
    approvalRequired: s.approvalRequired,
    dueDays: s.dueDays,
    graceDays: s.graceDays,
    rounding: Object.entries(s.rounding)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, r]) => ({ currency, mode: r.mode, increment: r.increment })),
    paymentInstructions: s.paymentInstructions,
    invoiceFooter: s.invoiceFooter,
    invoiceNumberFormat: s.invoiceNumberFormat,
    creditNoteNumberFormat: s.creditNoteNumberFormat,
  };
}

/**
 * The PATCH body of the form: rounding rows keyed by their currency code (upper case; rows without
 * a code are left out), and empty day counts sent as they are typed for the server to name.
 */
export function settingsBody(f: SettingsForm): SettingsBody {
  const rounding: NonNullable<SettingsBody['rounding']> = {};
  for (const r of f.rounding) {
    const currency = r.currency.trim().toUpperCase();
    if (currency) rounding[currency] = { mode: r.mode, increment: r.increment.trim() };
  }
  return {
    approvalRequired: f.approvalRequired,
    dueDays: f.dueDays === '' ? Number.NaN : f.dueDays,
    graceDays: f.graceDays === '' ? Number.NaN : f.graceDays,
    rounding,
    paymentInstructions: f.paymentInstructions,
    invoiceFooter: f.invoiceFooter,
    invoiceNumberFormat: f.invoiceNumberFormat.trim(),
    creditNoteNumberFormat: f.creditNoteNumberFormat.trim(),
  };
}

/** A rounding increment of minor units in major units of its currency: 100 KES cents → "1", 5 → "0.05". */
export function incrementInMajorUnits(increment: string, digits: number): string | null {
  if (!/^[1-9]\d{0,6}$/.test(increment.trim())) return null;
  const padded = increment.trim().padStart(digits + 1, '0');
  const whole = padded.slice(0, padded.length - digits);
  const fraction = padded.slice(padded.length - digits).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** A penalty class in words: "5% of what is owed (at least KES 100.00), from day 7 after the due date". */
export function describePenalty(p: PenaltyClass, t: TFunction, locale: string): string {
  const days = String(p.daysAfterDue);
  if (p.kind === 'fixed') return t('billing.penalties.describeFixed', { amount: formatAmount(p.amount ?? '0', p.currency, locale), days });
  if (p.minimum) return t('billing.penalties.describePercentMin', { percent: p.percent ?? '0', minimum: formatAmount(p.minimum, p.currency, locale), days });
  return t('billing.penalties.describePercent', { percent: p.percent ?? '0', days });
}
