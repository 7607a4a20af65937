import type { Migration } from 'kysely';
import * as foundation from './20261121T2130_foundation.ts';
import * as ledger from './20261121T2300_ledger.ts';
import * as catalog from './20261122T0010_catalog.ts';
import * as subscribers from './20261122T0020_subscribers.ts';
import * as billing from './20261122T0100_billing.ts';
import * as subscriptions from './20261122T0210_subscriptions.ts';
import * as orderedIds from './20261122T0300_ordered_ids.ts';
import * as subscriptionUpdates from './20261122T0305_subscription_updates.ts';
import * as ledgerSetBased from './20261122T0306_ledger_balances_set_based.ts';
import * as network from './20261122T0310_network.ts';
import * as ipam from './20261122T0320_ipam.ts';
import * as routers from './20261122T0330_routers.ts';
import * as aaa from './20261122T0340_aaa.ts';
import * as freeradius from './20261122T0350_freeradius.ts';
import * as aaaGaps from './20261122T0400_aaa_gaps.ts';
import * as radacctUpdates from './20261122T0410_radacct_updates.ts';
import * as payments from './20261122T0500_payments.ts';
import * as gateways from './20261122T0510_gateways.ts';
import * as cards from './20261122T0520_cards.ts';
import * as paymentCases from './20261122T0530_payment_cases.ts';
import * as reconciliation from './20261122T0540_reconciliation.ts';
import * as ledgerShards from './20261122T0600_ledger_balance_shards.ts';
import * as savedCards from './20261122T0700_saved_cards.ts';
import * as aaaQuotaPeriods from './20261122T0830_aaa_quota_periods.ts';
import * as ledgerPostingLookups from './20261122T1300_ledger_posting_lookups.ts';
import * as invoiceLinesDeferrable from './20261122T1310_invoice_lines_deferrable.ts';
import * as parentChecks from './20261122T1320_parent_checks_per_statement.ts';
import * as freeradiusFairUsage from './20261122T1400_freeradius_fair_usage.ts';
import * as freeradiusInterimInterval from './20261122T1500_freeradius_interim_interval.ts';

/** Every migration in order. Name = timestamp + subject; never rename or edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '20261121T2130_foundation': foundation,
  '20261121T2300_ledger': ledger,
  '20261122T0010_catalog': catalog,
  '20261122T0020_subscribers': subscribers,
  '20261122T0100_billing': billing,
  '20261122T0210_subscriptions': subscriptions,
  '20261122T0300_ordered_ids': orderedIds,
  '20261122T0305_subscription_updates': subscriptionUpdates,
  '20261122T0306_ledger_balances_set_based': ledgerSetBased,
  '20261122T0310_network': network,
  '20261122T0320_ipam': ipam,
  '20261122T0330_routers': routers,
  '20261122T0340_aaa': aaa,
  '20261122T0350_freeradius': freeradius,
  '20261122T0400_aaa_gaps': aaaGaps,
  '20261122T0410_radacct_updates': radacctUpdates,
  '20261122T0500_payments': payments,
  '20261122T0510_gateways': gateways,
  '20261122T0520_cards': cards,
  '20261122T0530_payment_cases': paymentCases,
  '20261122T0540_reconciliation': reconciliation,
  '20261122T0600_ledger_balance_shards': ledgerShards,
  '20261122T0700_saved_cards': savedCards,
  '20261122T0830_aaa_quota_periods': aaaQuotaPeriods,
  '20261122T1300_ledger_posting_lookups': ledgerPostingLookups,
  '20261122T1310_invoice_lines_deferrable': invoiceLinesDeferrable,
  '20261122T1320_parent_checks_per_statement': parentChecks,
  '20261122T1400_freeradius_fair_usage': freeradiusFairUsage,
  '20261122T1500_freeradius_interim_interval': freeradiusInterimInterval,
};
