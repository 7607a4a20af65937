import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import { unique, type ProbeFactory } from './world.ts';

const settings = { baseUrl: 'http://127.0.0.1:9', consumerKey: 'key', consumerSecret: 'secret', shortCode: '174379', passkey: 'passkey' };

/** Gateway accounts: read lists and shows them (no secrets); update creates or changes one, in the caller's subtree only. */
export const gatewayProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const accountIn = async (org: Organization, kind = 'mpesa') => {
    const res = await rootDev.put('/api/gateways', { organizationId: org.id, kind, label: unique('gw'), settings });
    expect(res.statusCode, res.body).toBe(200);
    return json<{ id: string; label: string }>(res);
  };
  const foreign = await accountIn(w.outsider);
  const labelOf = async (id: string) => (await w.ctx.db.selectFrom('gateway_accounts').select('label').where('id', '=', id).executeTakeFirstOrThrow()).label;
  return {
    list: {
      own: (api) => api.get('/api/gateways'),
      foreign: async (api) => {
        const res = await api.get('/api/gateways');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/gateways/${(await accountIn(w.home)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/gateways/${foreign.id}`), leaked: async () => false }),
    },
    update: {
      own: (api) => api.put('/api/gateways', { kind: 'bkash', label: unique('own'), settings: { baseUrl: 'http://127.0.0.1:9', appKey: 'k', appSecret: 's', username: 'u', password: 'p' } }),
      foreign: async (api) => {
        const res = await api.put('/api/gateways', { organizationId: w.outsider.id, kind: 'mpesa', label: 'intruder', settings: {} });
        return { res, leaked: async () => (await labelOf(foreign.id)) === 'intruder' };
      },
    },
  };
};
