import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor, type Api } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

export const subscriberProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const rootDev = await sessionFor(w.t, await seedUser(ctx, w.tree.isp, 'developer'));
  const fresh = async (org: Organization, name = `Subscriber ${crypto.randomUUID().slice(0, 8)}`) => {
    const res = await rootDev.post('/api/subscribers', { organizationId: org.id, name, contacts: [{ kind: 'phone', value: '0712345678' }] });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string; accountNumber: string }>(res);
  };
  const foreign = await fresh(outsider, `Foreign ${crypto.randomUUID()}`);
  const nameOf = async (id: string) => (await ctx.db.selectFrom('subscribers').select('name').where('id', '=', id).executeTakeFirst())?.name;
  return {
    list: {
      own: (api) => api.get('/api/subscribers?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/subscribers?limit=200');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/subscribers/${(await fresh(home)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/subscribers/${foreign.id}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/subscribers', { name: 'New subscriber' }),
      foreign: async (api) => {
        const name = `Intruder ${crypto.randomUUID()}`;
        const res = await api.post('/api/subscribers', { organizationId: outsider.id, name });
        return { res, leaked: async () => (await ctx.db.selectFrom('subscribers').select('id').where('name', '=', name).executeTakeFirst()) !== undefined };
      },
    },
    update: {
      own: async (api) => api.patch(`/api/subscribers/${(await fresh(home)).id}`, { name: 'Renamed' }),
      foreign: async (api: Api) => {
        const target = await fresh(outsider);
        const res = await api.patch(`/api/subscribers/${target.id}`, { name: 'Hijacked' });
        return { res, leaked: async () => (await nameOf(target.id)) === 'Hijacked' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/subscribers/${(await fresh(home)).id}`),
      foreign: async (api) => {
        const target = await fresh(outsider);
        const res = await api.delete(`/api/subscribers/${target.id}`);
        return { res, leaked: async () => (await nameOf(target.id)) === undefined };
      },
    },
    export: {
      own: (api) => api.get('/api/subscribers/export'),
      foreign: async (api) => {
        const res = await api.get('/api/subscribers/export');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
  };
};
