import type { Organization } from '../../../src/platform/db/schema.ts';
import { portalFixtures } from '../../portal/fixtures.ts';
import { PASSWORD, seedUser, sessionFor, type Api } from '../../support/app.ts';
import { seedSubscription } from '../../usage/fixtures.ts';
import { portalSavedCardProbes } from './saved-cards.ts';
import { unique, type Probe, type ProbeFactory, type World } from './world.ts';

/**
 * Staff give a subscriber its portal login with subscribers.update; another tenant's subscriber
 * answers 404 and gets no login.
 */
export const portalLoginProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const f = portalFixtures(w.t, rootDev);
  const loginOf = async (subscriberId: string) => (await w.ctx.db.selectFrom('users').select('id').where('subscriber_id', '=', subscriberId).executeTakeFirst()) !== undefined;
  return {
    update: {
      own: async (api) => api.post(`/api/subscribers/${(await f.subscriber(w.home)).id}/portal-login`, { email: `${unique('portal')}@example.test`, password: PASSWORD }),
      foreign: async (api) => {
        const target = await f.subscriber(w.outsider);
        const res = await api.post(`/api/subscribers/${target.id}/portal-login`, { email: `${unique('intruder')}@example.test`, password: PASSWORD });
        return { res, leaked: () => loginOf(target.id) };
      },
    },
  };
};

export interface PortalWorld {
  /** The signed-in login of a subscriber in the home organization. */
  customer: Api;
  /** Every portal endpoint: `own` must succeed for the customer; `foreign` aims at other subscribers' data. */
  probes: Record<string, Probe>;
  /** Stops the gateway simulator the saved-card probes use. */
  close(): Promise<void>;
}

/**
 * The portal answers its own subscriber only: a neighbour in the same organization and a
 * subscriber of another tenant are both "foreign", whatever ids the customer sends.
 */
export async function portalCustomerProbes(w: World): Promise<PortalWorld> {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const f = portalFixtures(w.t, rootDev);
  const mine = await f.subscriber(w.home);
  const customer = (await f.customer(mine.id)).api;
  await f.topUp(w.home, mine.id, 10_000_000n, unique('own'));

  const others: { org: Organization; subscriberId: string; invoiceId: string }[] = [];
  for (const org of [w.home, w.outsider]) {
    const s = await f.subscriber(org);
    await f.topUp(org, s.id, 500_000n, unique('foreign'));
    others.push({ org, subscriberId: s.id, invoiceId: (await f.invoice(org, s.id, 150_000n)).id });
  }
  // Usage charts: a subscription of mine, and one of each other subscriber.
  const mySubscription = await seedSubscription(w.ctx, rootDev, w.home, { subscriberId: mine.id });
  const otherSubscriptions = await Promise.all(others.map((o) => seedSubscription(w.ctx, rootDev, o.org, { subscriberId: o.subscriberId })));
  const mentionsOthers = (body: string) => others.some((o) => body.includes(o.subscriberId) || body.includes(o.invoiceId));
  const savedCards = await portalSavedCardProbes(w, rootDev, mine.id, others);
  const paidOf = async (id: string) => (await w.ctx.db.selectFrom('invoices').select('amount_paid').where('id', '=', id).executeTakeFirstOrThrow()).amount_paid;
  const ownInvoice = async () => (await f.invoice(w.home, mine.id, 10_000n)).id;
  const eachForeign = async (api: Api, send: (invoiceId: string) => ReturnType<Api['get']>) => {
    const answers = await Promise.all(others.map((o) => send(o.invoiceId)));
    // The first answer that is not 404 (if any) is what the runner sees.
    return answers.find((r) => r.statusCode !== 404) ?? answers[0]!;
  };

  const listing = (url: string): Probe => ({
    own: (api) => api.get(url),
    foreign: async (api) => {
      const res = await api.get(url);
      return { res, leaked: async () => mentionsOthers(res.body) };
    },
  });
  return {
    customer,
    close: savedCards.close,
    probes: {
      ...savedCards.probes,
      me: listing('/api/portal/me'),
      subscriptions: listing('/api/portal/subscriptions'),
      invoices: listing('/api/portal/invoices?limit=200'),
      statement: listing('/api/portal/wallet/statement?limit=200'),
      invoice: {
        own: async (api) => api.get(`/api/portal/invoices/${await ownInvoice()}`),
        foreign: async (api) => {
          const res = await eachForeign(api, (id) => api.get(`/api/portal/invoices/${id}`));
          // A refusal names the URL it refused (with the id), so only an answer with content is a leak.
          return { res, leaked: async () => res.statusCode < 300 };
        },
      },
      pdf: {
        own: async (api) => api.get(`/api/portal/invoices/${await ownInvoice()}/pdf`),
        foreign: async (api) => {
          const res = await eachForeign(api, (id) => api.get(`/api/portal/invoices/${id}/pdf`));
          return { res, leaked: async () => res.statusCode < 300 };
        },
      },
      usageDaily: {
        own: (api) => api.get(`/api/portal/subscriptions/${mySubscription.id}/usage/daily`),
        foreign: async (api) => {
          const answers = await Promise.all(otherSubscriptions.map((s) => api.get(`/api/portal/subscriptions/${s.id}/usage/daily`)));
          const res = answers.find((r) => r.statusCode !== 404) ?? answers[0]!;
          return { res, leaked: async () => res.statusCode < 300 };
        },
      },
      pay: {
        own: async (api) => api.post(`/api/portal/invoices/${await ownInvoice()}/pay-from-wallet`),
        foreign: async (api) => {
          const res = await eachForeign(api, (id) => api.post(`/api/portal/invoices/${id}/pay-from-wallet`));
          return { res, leaked: async () => (await Promise.all(others.map((o) => paidOf(o.invoiceId)))).some((paid) => paid !== 0n) };
        },
      },
    },
  };
}
