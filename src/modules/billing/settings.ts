/**
 * An organization's billing rules as the invoice engine, the billing run and the jobs read them:
 * approval, due and grace days, rounding per currency, and what its invoices print. An
 * organization without a row gets the defaults of the billing_settings table.
 */
import type { Kysely, Transaction } from 'kysely';
import { type RoundingRule, roundingRule, standardRounding } from '../../core/money.ts';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface BillingSettings {
  readonly organizationId: string;
  readonly approvalRequired: boolean;
  readonly dueDays: number;
  readonly graceDays: number;
  readonly paymentInstructions: string;
  readonly invoiceFooter: string;
  readonly logoFileKey: string | null;
  readonly timeZone: string;
  readonly organizationCurrency: string;
  /** Stored rules per currency, e.g. KES to whole shillings: { KES: { mode: 'half-up', increment: '100' } }. */
  readonly roundingRules: Readonly<Record<string, { mode: 'half-up' | 'half-even'; increment: string }>>;
  /** How amounts in the currency are rounded: the organization's rule, else half-up to the minor unit. */
  rounding(currency: string): RoundingRule;
}

export const settingDefaults = { approvalRequired: false, dueDays: 14, graceDays: 3, paymentInstructions: '', invoiceFooter: '' } as const;

export async function billingSettingsOf(db: Db, organizationId: string): Promise<BillingSettings> {
  const row = await db
    .selectFrom('organizations as o')
    .leftJoin('billing_settings as s', 's.organization_id', 'o.id')
    .select([
      'o.timezone',
      'o.currency',
      's.approval_required',
      's.due_days',
      's.grace_days',
      's.rounding',
      's.payment_instructions',
      's.invoice_footer',
      's.logo_file_key',
    ])
    .where('o.id', '=', organizationId)
    .executeTakeFirst();
  if (!row) throw new RangeError(`Organization ${organizationId} does not exist`);
  const rules = row.rounding ?? {};
  return {
    organizationId,
    approvalRequired: row.approval_required ?? settingDefaults.approvalRequired,
    dueDays: row.due_days ?? settingDefaults.dueDays,
    graceDays: row.grace_days ?? settingDefaults.graceDays,
    paymentInstructions: row.payment_instructions ?? settingDefaults.paymentInstructions,
    invoiceFooter: row.invoice_footer ?? settingDefaults.invoiceFooter,
    logoFileKey: row.logo_file_key ?? null,
    timeZone: row.timezone,
    organizationCurrency: row.currency,
    roundingRules: rules,
    rounding(currency: string): RoundingRule {
      const rule = rules[currency];
      return rule ? roundingRule(rule.mode, BigInt(rule.increment)) : standardRounding;
    },
  };
}
