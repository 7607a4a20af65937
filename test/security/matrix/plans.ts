import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor, type Api } from '../../support/app.ts';
import { unique, type ProbeFactory } from './world.ts';

const planBody = (organizationId?: string, code = unique('P')) => ({
  ...(organizationId ? { organizationId } : {}),
  code,
  name: 'Home 10 Mbps',
  serviceType: 'pppoe',
  billingModel: 'postpaid',
  version: { billing: { cycle: 'monthly' }, prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '2500' }] }] },
});

/** Plans, tax classes and discounts share the plans.* permissions; the probes use plans themselves. */
export const planProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const freshPlan = async (org: Organization, shared = false): Promise<string> => {
    const res = await rootDev.post('/api/plans', { ...planBody(org.id), sharedWithSubtree: shared });
    expect(res.statusCode, res.body).toBe(201);
    return json(res).id;
  };
  // Shared with its subtree, which must still not reach a sibling.
  const foreignPlan = await freshPlan(w.outsider, true);
  const ownPlan = await freshPlan(w.home);
  const nameOf = async (id: string) => (await w.ctx.db.selectFrom('plans').select('name').where('id', '=', id).executeTakeFirst())?.name;
  return {
    list: {
      own: (api: Api) => api.get('/api/plans?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/plans?limit=200');
        return { res, leaked: async () => res.body.includes(foreignPlan) };
      },
    },
    get: {
      own: (api) => api.get(`/api/plans/${ownPlan}`),
      foreign: async (api) => ({ res: await api.get(`/api/plans/${foreignPlan}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/plans', planBody()),
      foreign: async (api) => {
        const body = planBody(w.outsider.id);
        const res = await api.post('/api/plans', body);
        const row = await w.ctx.db.selectFrom('plans').select('id').where('code', '=', body.code).executeTakeFirst();
        return { res, leaked: async () => row !== undefined };
      },
    },
    update: {
      own: async (api) => api.patch(`/api/plans/${await freshPlan(w.home)}`, { name: 'Renamed' }),
      foreign: async (api) => {
        const target = await freshPlan(w.outsider, true);
        const res = await api.patch(`/api/plans/${target}`, { name: 'Hijacked' });
        return { res, leaked: async () => (await nameOf(target)) === 'Hijacked' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/plans/${await freshPlan(w.home)}`),
      foreign: async (api) => {
        const target = await freshPlan(w.outsider, true);
        const res = await api.delete(`/api/plans/${target}`);
        return { res, leaked: async () => (await nameOf(target)) === undefined };
      },
    },
    export: {
      own: (api) => api.get('/api/plans/export'),
      foreign: async (api) => {
        const res = await api.get('/api/plans/export');
        return { res, leaked: async () => res.body.includes(foreignPlan) };
      },
    },
  };
};
