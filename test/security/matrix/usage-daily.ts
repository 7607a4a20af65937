import { seedUser, sessionFor } from '../../support/app.ts';
import { seedSubscription } from '../../usage/fixtures.ts';
import type { ProbeFactory } from './world.ts';

/** The daily usage of a chart is read with subscriptions.read; another tenant's subscription answers 404. */
export const usageDailyProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const own = await seedSubscription(w.ctx, rootDev, w.home);
  const foreign = await seedSubscription(w.ctx, rootDev, w.outsider);
  await rootDev.post(`/api/subscriptions/${foreign.id}/usage`, { unit: 'GB', quantity: '7.123456789', occurredAt: w.ctx.clock.now().toISOString() });
  return {
    get: {
      own: (api) => api.get(`/api/subscriptions/${own.id}/usage/daily`),
      foreign: async (api) => {
        const res = await api.get(`/api/subscriptions/${foreign.id}/usage/daily`);
        return { res, leaked: async () => res.body.includes('7.123456789') };
      },
    },
  };
};
