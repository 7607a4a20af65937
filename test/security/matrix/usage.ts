import { seedUser, sessionFor } from '../../support/app.ts';
import { seedSubscription } from '../../usage/fixtures.ts';
import type { ProbeFactory } from './world.ts';

/**
 * Usage records belong to a subscription: reading them is subscriptions.read (get), recording one
 * subscriptions.update (update). Another tenant's subscription answers 404 to both.
 */
export const usageProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const own = await seedSubscription(w.ctx, rootDev, w.home);
  const foreign = await seedSubscription(w.ctx, rootDev, w.outsider);
  const reading = (reference?: string) => ({ unit: 'GB', quantity: '1.5', occurredAt: w.ctx.clock.now().toISOString(), ...(reference ? { reference } : {}) });
  const storedUnder = async (reference: string) =>
    (await w.ctx.db.selectFrom('usage_records').select('id').where('subscription_id', '=', foreign.id).where('reference', '=', reference).executeTakeFirst()) !== undefined;
  await rootDev.post(`/api/subscriptions/${foreign.id}/usage`, reading('foreign-marker'));
  return {
    get: {
      own: (api) => api.get(`/api/subscriptions/${own.id}/usage`),
      foreign: async (api) => {
        const res = await api.get(`/api/subscriptions/${foreign.id}/usage`);
        return { res, leaked: async () => res.body.includes('foreign-marker') };
      },
    },
    update: {
      own: (api) => api.post(`/api/subscriptions/${own.id}/usage`, reading()),
      foreign: async (api) => {
        const reference = `intruder-${crypto.randomUUID()}`;
        const res = await api.post(`/api/subscriptions/${foreign.id}/usage`, reading(reference));
        return { res, leaked: () => storedUnder(reference) };
      },
    },
  };
};
