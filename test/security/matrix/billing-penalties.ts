import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import { unique, type ProbeFactory } from './world.ts';

/**
 * Penalty classes are billing settings: reading them is billing.read (list, get), changing them
 * billing.update (update). A class of another tenant is absent from lists and answers 404.
 */
export const penaltyClassProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const freshClass = async (org: Organization): Promise<string> => {
    const res = await rootDev.post('/api/billing/penalty-classes', { organizationId: org.id, name: unique('Late fee'), kind: 'fixed', amount: '200' });
    expect(res.statusCode, res.body).toBe(201);
    return json(res).id;
  };
  const foreign = await freshClass(w.outsider);
  const own = await freshClass(w.home);
  const amountOf = async (id: string) => (await w.ctx.db.selectFrom('penalty_classes').select('amount').where('id', '=', id).executeTakeFirst())?.amount;
  return {
    list: {
      own: (api) => api.get('/api/billing/penalty-classes?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/billing/penalty-classes?limit=200');
        return { res, leaked: async () => res.body.includes(foreign) };
      },
    },
    get: {
      own: (api) => api.get(`/api/billing/penalty-classes/${own}`),
      foreign: async (api) => ({ res: await api.get(`/api/billing/penalty-classes/${foreign}`), leaked: async () => false }),
    },
    update: {
      own: async (api) => api.patch(`/api/billing/penalty-classes/${await freshClass(w.home)}`, { amount: '250' }),
      foreign: async (api) => {
        const target = await freshClass(w.outsider);
        const res = await api.patch(`/api/billing/penalty-classes/${target}`, { amount: '1' });
        return { res, leaked: async () => (await amountOf(target)) === '1.00' };
      },
    },
  };
};
