/**
 * What the modules that sell and bill plans (subscriptions, billing runs) use of the catalog, so
 * they never read its tables: the version in force at an instant, and a version's charge terms in
 * a currency (rate components and tax class, as src/core takes them). With billingSchedule and
 * pricePeriod (pricing.ts) and redeemCoupon (discounts.service.ts) that is all an invoice line
 * needs; an invoice line keeps the version's id, so it can always be shown again.
 */
import type { Kysely, Transaction } from 'kysely';
import type { RateComponent } from '../../core/rating.ts';
import type { TaxClass } from '../../core/tax.ts';
import type { DB, PlanRow, PlanVersionRow } from '../../platform/db/schema.ts';
import { pricesOf } from './plan-versions.ts';
import { findVersions, versionAt } from './plans.repo.ts';
import { findById as findTaxClass } from './tax-classes.repo.ts';
import { ratesOf } from './tax-classes.schemas.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The version whose prices apply at `at`: the newest valid by then, else the plan's first (current) one. */
export async function versionInForce(db: Db, plan: Pick<PlanRow, 'id' | 'current_version_id'>, at: Date): Promise<PlanVersionRow> {
  return (await versionAt(db, plan.id, at)) ?? (await findVersions(db, [plan.current_version_id]))[0]!;
}

export interface ChargeTerms {
  readonly currency: string;
  readonly components: readonly RateComponent[];
  readonly taxClass: (TaxClass & { readonly id: string; readonly name: string }) | null;
}

/** The version's price in the currency with its tax class; null when it has no price in that currency. */
export async function chargeTerms(db: Db, version: PlanVersionRow, currency: string): Promise<ChargeTerms | null> {
  const price = pricesOf(version).find((p) => p.currency === currency);
  if (!price) return null;
  const row = version.tax_class_id ? await findTaxClass(db, version.tax_class_id) : undefined;
  return {
    currency,
    components: price.components,
    taxClass: row ? { id: row.id, name: row.name, code: row.code, inclusive: row.inclusive, rates: ratesOf(row) } : null,
  };
}
