import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { pppoePlan } from '../../catalog/fixtures.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

export const subscriptionProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const rootDev = await sessionFor(w.t, await seedUser(ctx, w.tree.isp, 'developer'));
  const planIn = async (org: Organization) => {
    const res = await rootDev.post('/api/plans', pppoePlan({ organizationId: org.id }));
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  const plans = new Map([
    [home.id, await planIn(home)],
    [outsider.id, await planIn(outsider)],
  ]);
  const subscriberIn = async (org: Organization) => {
    const res = await rootDev.post('/api/subscribers', { organizationId: org.id, name: `Line ${crypto.randomUUID().slice(0, 8)}` });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  /** A subscription in the organization: active, or pending (a start next year) when it is to be deleted. */
  const subscriptionIn = async (org: Organization, pending = false) => {
    const startsAt = pending ? new Date(ctx.clock.now().getTime() + 365 * 86_400_000).toISOString() : undefined;
    const res = await rootDev.post('/api/subscriptions', { subscriberId: await subscriberIn(org), planId: plans.get(org.id), startsAt });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  const foreign = await subscriptionIn(outsider);
  const row = (id: string) => ctx.db.selectFrom('subscriptions').select(['simultaneous_use']).where('id', '=', id).executeTakeFirst();
  return {
    list: {
      own: (api) => api.get('/api/subscriptions?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/subscriptions?limit=200');
        return { res, leaked: async () => res.body.includes(foreign) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/subscriptions/${await subscriptionIn(home)}`),
      foreign: async (api) => ({ res: await api.get(`/api/subscriptions/${foreign}`), leaked: async () => false }),
    },
    create: {
      own: async (api) => api.post('/api/subscriptions', { subscriberId: await subscriberIn(home), planId: plans.get(home.id) }),
      foreign: async (api) => {
        const subscriberId = await subscriberIn(outsider);
        const res = await api.post('/api/subscriptions', { subscriberId, planId: plans.get(outsider.id) });
        return { res, leaked: async () => (await ctx.db.selectFrom('subscriptions').select('id').where('subscriber_id', '=', subscriberId).executeTakeFirst()) !== undefined };
      },
    },
    update: {
      own: async (api) => api.patch(`/api/subscriptions/${await subscriptionIn(home)}`, { simultaneousUse: 2 }),
      foreign: async (api) => {
        const target = await subscriptionIn(outsider);
        const res = await api.patch(`/api/subscriptions/${target}`, { simultaneousUse: 7 });
        return { res, leaked: async () => (await row(target))?.simultaneous_use === 7 };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/subscriptions/${await subscriptionIn(home, true)}`),
      foreign: async (api) => {
        const target = await subscriptionIn(outsider, true);
        const res = await api.delete(`/api/subscriptions/${target}`);
        return { res, leaked: async () => (await row(target)) === undefined };
      },
    },
    export: {
      own: (api) => api.get('/api/subscriptions/export'),
      foreign: async (api) => {
        const res = await api.get('/api/subscriptions/export');
        return { res, leaked: async () => res.body.includes(foreign) };
      },
    },
  };
};
