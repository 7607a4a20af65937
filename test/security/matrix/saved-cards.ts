import { expect } from 'vitest';
import { startStripeSimulator } from '../../../src/integrations/payments/stripe/simulator.ts';
import { stripeAdapter } from '../../../src/integrations/payments/stripe/adapter.ts';
import * as gateways from '../../../src/modules/gateways/gateways.repo.ts';
import { customerFor, syncCards } from '../../../src/modules/saved-cards/saved-cards.service.ts';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { portalFixtures } from '../../portal/fixtures.ts';
import { json, seedUser, sessionFor, type Api } from '../../support/app.ts';
import { unique, type Probe, type ProbeFactory, type World } from './world.ts';

/**
 * Cards saved by subscribers, as the gateway describes them (brand, last four): the card behind the
 * rows is not needed to read them, so the staff probe writes the rows.
 */
async function seedCardRow(w: World, admin: Api, org: Organization, subscriberId: string, last4: string) {
  const res = await admin.put('/api/gateways', { organizationId: org.id, kind: 'stripe', label: unique('stripe'), settings: { secretKey: 'sk_test_x', publishableKey: 'pk_test_x', webhookSecret: 'whsec_x', apiBase: 'http://127.0.0.1:9' } });
  expect(res.statusCode, res.body).toBe(200);
  const customer = await w.ctx.db
    .insertInto('gateway_customers')
    .values({ organization_id: org.id, subscriber_id: subscriberId, gateway_account_id: json(res).id, customer_ref: unique('cus') })
    .returning('id')
    .executeTakeFirstOrThrow();
  await w.ctx.db
    .insertInto('saved_cards')
    .values({ organization_id: org.id, subscriber_id: subscriberId, gateway_customer_id: customer.id, payment_method_ref: unique('pm'), brand: 'visa', last4, exp_month: 12, exp_year: 2034 })
    .execute();
}

/** Staff see a subscriber's saved cards with subscribers.read, in their subtree only. */
export const savedCardProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const f = portalFixtures(w.t, rootDev);
  const own = await f.subscriber(w.home);
  const foreign = await f.subscriber(w.outsider);
  await seedCardRow(w, rootDev, w.home, own.id, '1111');
  await seedCardRow(w, rootDev, w.outsider, foreign.id, '9876');
  return {
    get: {
      own: (api) => api.get(`/api/subscribers/${own.id}/saved-cards`),
      foreign: async (api) => {
        const res = await api.get(`/api/subscribers/${foreign.id}/saved-cards`);
        return { res, leaked: async () => res.body.includes('9876') };
      },
    },
  };
};

/**
 * The portal's saved cards: listing answers one's own cards only, and removing a card of another
 * subscriber (same organization or another tenant) answers 404 and leaves it at the gateway. Real
 * cards on the Stripe simulator, since removing one detaches it there.
 */
export async function portalSavedCardProbes(w: World, rootDev: Api, mine: string, others: readonly { org: Organization; subscriberId: string }[]) {
  const sim = await startStripeSimulator();
  const accounts = new Map<string, string>();
  for (const org of new Set([w.home, ...others.map((o) => o.org)])) {
    const res = await rootDev.put('/api/gateways', { organizationId: org.id, kind: 'stripe', label: 'Stripe', settings: { secretKey: sim.secretKey, publishableKey: 'pk_test_sim', webhookSecret: 'whsec_simulator', apiBase: sim.url } });
    expect(res.statusCode, res.body).toBe(200);
    accounts.set(org.id, json(res).id);
  }
  const seedCard = async (org: Organization, subscriberId: string) => {
    const account = (await gateways.accountById(w.ctx.db, accounts.get(org.id)!))!;
    const customerId = await customerFor(w.ctx, subscriberId, account);
    const { gatewayRef } = await stripeAdapter.startSavedCardCheckout(
      { secretKey: sim.secretKey, apiBase: sim.url },
      { intentId: unique('intent'), amount: { minor: 100n, currency: 'KES' }, accountReference: 'X', description: 'Card', callbackUrl: 'http://127.0.0.1:9/cb', returnUrl: 'http://127.0.0.1:9/back', customerId },
    );
    await sim.payCheckout(gatewayRef);
    await syncCards(w.ctx, subscriberId, account.id);
    const cards = await w.ctx.db.selectFrom('saved_cards').select(['id', 'payment_method_ref']).where('subscriber_id', '=', subscriberId).where('removed_at', 'is', null).orderBy('created_at', 'desc').execute();
    return cards[0]!;
  };
  const foreignCards = await Promise.all(others.map((o) => seedCard(o.org, o.subscriberId)));
  await seedCard(w.home, mine);
  const attached = () => foreignCards.every((c) => sim.requests.every((r) => r.path !== `/v1/payment_methods/${c.payment_method_ref}/detach`));
  const probes: Record<string, Probe> = {
    savedCards: {
      own: (api) => api.get('/api/portal/saved-cards'),
      foreign: async (api) => {
        const res = await api.get('/api/portal/saved-cards');
        return { res, leaked: async () => foreignCards.some((c) => res.body.includes(c.id)) };
      },
    },
    removeSavedCard: {
      own: async (api) => api.delete(`/api/portal/saved-cards/${(await seedCard(w.home, mine)).id}`),
      foreign: async (api) => {
        const answers = await Promise.all(foreignCards.map((c) => api.delete(`/api/portal/saved-cards/${c.id}`)));
        const res = answers.find((r) => r.statusCode !== 404) ?? answers[0]!;
        return { res, leaked: async () => !attached() };
      },
    },
  };
  return { probes, close: () => sim.close() };
}
