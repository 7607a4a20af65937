import type { Migration } from 'kysely';
import * as foundation from './20261121T2130_foundation.ts';
import * as ledger from './20261121T2300_ledger.ts';
import * as catalog from './20261122T0010_catalog.ts';
import * as subscribers from './20261122T0020_subscribers.ts';
import * as billing from './20261122T0100_billing.ts';
import * as subscriptions from './20261122T0210_subscriptions.ts';

/** Every migration in order. Name = timestamp + subject; never rename or edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '20261121T2130_foundation': foundation,
  '20261121T2300_ledger': ledger,
  '20261122T0010_catalog': catalog,
  '20261122T0020_subscribers': subscribers,
  '20261122T0100_billing': billing,
  '20261122T0210_subscriptions': subscriptions,
};
