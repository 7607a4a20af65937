/**
 * Saved cards: a subscriber who pays by card in the portal may save the card for automatic
 * payments. The gateway keeps the card (Stripe: a PaymentMethod on the subscriber's Customer);
 * we keep what identifies it to people (brand, last four, expiry) and its gateway id, learnt from
 * the gateway after a paid checkout that asked to save it. Saving a card is the subscriber's
 * consent to autopay (autopay.ts); removing it detaches it at the gateway and ends autopay.
 */
import { formatMoney } from '../../core/money.ts';
import type { GatewayAdapter } from '../../integrations/payments/contract.ts';
import type { StripeAdapter } from '../../integrations/payments/stripe/adapter.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { GatewayAccount } from '../../platform/db/schema/gateways.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { adapterOf, openCredentials } from '../gateways/credentials.ts';
import * as gateways from '../gateways/gateways.repo.ts';
import type { Customer } from '../portal/portal.access.ts';
import * as repo from './saved-cards.repo.ts';
import type { SavedCardsOutput } from './saved-cards.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>;

/** The gateways that can keep a card and charge it with nobody present. */
export type CardGateway = Pick<StripeAdapter, 'createCustomer' | 'startSavedCardCheckout' | 'listSavedCards' | 'detachCard' | 'chargeSaved'>;

export function cardGatewayOf(adapter: GatewayAdapter): (GatewayAdapter & CardGateway) | undefined {
  return 'chargeSaved' in adapter && 'startSavedCardCheckout' in adapter ? (adapter as GatewayAdapter & CardGateway) : undefined;
}

function cardGateway(account: Pick<GatewayAccount, 'kind'>): CardGateway {
  const adapter = cardGatewayOf(adapterOf(account));
  if (!adapter) throw new NotFoundError('Saved card');
  return adapter;
}

/** The subscriber's customer at the gateway, created the first time a card is to be saved. */
export async function customerFor(deps: Deps, subscriberId: string, account: GatewayAccount): Promise<string> {
  const known = await repo.customerOf(deps.db, subscriberId, account.id);
  if (known) return known.customer_ref;
  const subscriber = await repo.subscriberForCustomer(deps.db, subscriberId);
  const ref = await cardGateway(account).createCustomer(openCredentials(deps.secrets, account), { subscriberId, name: subscriber.name });
  const saved = await repo.insertCustomer(deps.db, { organization_id: subscriber.organization_id, subscriber_id: subscriberId, gateway_account_id: account.id, customer_ref: ref, created_at: deps.clock.now() });
  return saved.customer_ref;
}

/**
 * Brings our record of the subscriber's cards at this account in line with the gateway's: cards
 * saved there are added, cards gone from there (removed at the gateway) are marked removed.
 */
export async function syncCards(deps: Deps, subscriberId: string, accountId: string): Promise<void> {
  const customer = await repo.customerOf(deps.db, subscriberId, accountId);
  const account = customer && (await gateways.accountById(deps.db, accountId));
  if (!customer || !account) return;
  const atGateway = await cardGateway(account).listSavedCards(openCredentials(deps.secrets, account), customer.customer_ref);
  const ours = await repo.customerCards(deps.db, customer.id);
  const now = deps.clock.now();
  await repo.insertCards(
    deps.db,
    atGateway
      .filter((c) => !ours.some((o) => o.payment_method_ref === c.paymentMethodId))
      .map((c) => ({
        organization_id: customer.organization_id,
        subscriber_id: subscriberId,
        gateway_customer_id: customer.id,
        payment_method_ref: c.paymentMethodId,
        brand: c.brand.slice(0, 40),
        last4: c.last4,
        exp_month: c.expMonth,
        exp_year: c.expYear,
        created_at: now,
      })),
  );
  await repo.markRemoved(deps.db, ours.filter((o) => !atGateway.some((c) => c.paymentMethodId === o.payment_method_ref)).map((o) => o.id), now);
}

async function cardsOf(deps: Deps, subscriberId: string): Promise<SavedCardsOutput> {
  const [cards, attempts] = await Promise.all([repo.activeCards(deps.db, subscriberId), repo.autopayAttempts(deps.db, subscriberId, 10)]);
  return {
    items: cards.map((c) => ({ id: c.id, brand: c.brand, last4: c.last4, expMonth: c.exp_month, expYear: c.exp_year, createdAt: c.created_at.toISOString() })),
    attempts: attempts.map((a) => ({
      id: a.id,
      invoiceId: a.invoice_id,
      invoiceNumber: a.invoice_number ?? null,
      amount: formatMoney({ minor: a.amount, currency: a.currency }),
      currency: a.currency,
      status: a.status,
      failureCode: a.failure_code,
      failureMessage: a.failure_message,
      card: { brand: a.brand, last4: a.last4 },
      createdAt: a.created_at.toISOString(),
    })),
  };
}

/** The portal's list: asks the gateway first, so a card saved by a payer who never came back shows. */
export async function portalCards(deps: Deps, c: Customer): Promise<SavedCardsOutput> {
  for (const { gateway_account_id } of await repo.customersOfSubscriber(deps.db, c.subscriberId)) {
    try {
      await syncCards(deps, c.subscriberId, gateway_account_id);
    } catch (err) {
      deps.logger.warn({ subscriberId: c.subscriberId, err: (err as Error).message }, 'could not ask the gateway for saved cards');
    }
  }
  return cardsOf(deps, c.subscriberId);
}

/** The subscriber removes a card: detached at the gateway first, so it can never be charged again. */
export async function removePortalCard(deps: Deps, c: Customer, id: string): Promise<SavedCardsOutput> {
  const card = await repo.activeCardOfSubscriber(deps.db, c.subscriberId, id);
  if (!card) throw new NotFoundError('Saved card');
  const account = await gateways.accountById(deps.db, card.gateway_account_id);
  if (!account) throw new NotFoundError('Saved card');
  await cardGateway(account).detachCard(openCredentials(deps.secrets, account), card.payment_method_ref);
  await deps.db.transaction().execute(async (trx) => {
    await repo.markRemoved(trx, [card.id], deps.clock.now());
    await appendAudit(trx, deps.clock, c.audit, {
      action: 'saved_card.remove',
      organizationId: card.organization_id,
      organizationPath: c.organizationPath,
      objectType: 'saved_card',
      objectId: card.id,
      before: { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year },
      after: null,
    });
  });
  return cardsOf(deps, c.subscriberId);
}

export async function subscriberCards(deps: Deps, actor: Actor, subscriberId: string): Promise<SavedCardsOutput> {
  requirePermission(actor, 'subscribers.read');
  const subscriber = await repo.subscriberInScope(deps.db, actor.principal.scope, subscriberId);
  if (!subscriber) throw new NotFoundError('Subscriber');
  return cardsOf(deps, subscriber.id);
}
