import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

/**
 * Billing runs: starting one is billing.create, following them billing.read. Another tenant's run
 * is absent from lists and answers 404; a run cannot be started for another tenant.
 */
export const billingRunProbes: ProbeFactory = async (w) => {
  // Starting a run enqueues its job: the queue must be open (nothing works the jobs here).
  await w.ctx.jobs.start({ work: false });
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const freshRun = async (org: Organization): Promise<string> => {
    const res = await rootDev.post('/api/billing/runs', { organizationId: org.id, dryRun: true });
    expect(res.statusCode, res.body).toBe(202);
    return json(res).id;
  };
  const foreign = await freshRun(w.outsider);
  const own = await freshRun(w.home);
  const runsOf = async (org: Organization) => (await w.ctx.db.selectFrom('billing_runs').select('id').where('organization_id', '=', org.id).execute()).length;
  return {
    list: {
      own: (api) => api.get('/api/billing/runs?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/billing/runs?limit=200');
        return { res, leaked: async () => res.body.includes(foreign) };
      },
    },
    get: {
      own: (api) => api.get(`/api/billing/runs/${own}`),
      foreign: async (api) => ({ res: await api.get(`/api/billing/runs/${foreign}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/billing/runs', { dryRun: true }),
      foreign: async (api) => {
        const before = await runsOf(w.outsider);
        const res = await api.post('/api/billing/runs', { organizationId: w.outsider.id, dryRun: true });
        return { res, leaked: async () => (await runsOf(w.outsider)) !== before };
      },
    },
  };
};
