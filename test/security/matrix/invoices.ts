import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

export const invoiceProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const rootDev = await sessionFor(w.t, await seedUser(ctx, w.tree.isp, 'developer'));
  const subscriberIn = async (org: Organization) => {
    const res = await rootDev.post('/api/subscribers', { organizationId: org.id, name: `Billed ${crypto.randomUUID().slice(0, 8)}` });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  const invoiceIn = async (org: Organization, issue: boolean) => {
    const res = await rootDev.post('/api/invoices', { subscriberId: await subscriberIn(org), issue, lines: [{ description: 'Installation', unitPrice: '1500' }] });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string; status: string; number: string | null }>(res);
  };
  const homeSubscriber = await subscriberIn(home);
  const foreign = await invoiceIn(outsider, true);
  const statusOf = async (id: string) => (await ctx.db.selectFrom('invoices').select('status').where('id', '=', id).executeTakeFirst())?.status;
  return {
    list: {
      own: (api) => api.get('/api/invoices?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/invoices?limit=200');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/invoices/${(await invoiceIn(home, true)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/invoices/${foreign.id}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/invoices', { subscriberId: homeSubscriber, lines: [{ description: 'Router', unitPrice: '3000' }] }),
      foreign: async (api) => {
        const subscriberId = await subscriberIn(outsider);
        const res = await api.post('/api/invoices', { subscriberId, lines: [{ description: 'Router', unitPrice: '3000' }] });
        return { res, leaked: async () => (await ctx.db.selectFrom('invoices').select('id').where('subscriber_id', '=', subscriberId).executeTakeFirst()) !== undefined };
      },
    },
    update: {
      own: async (api) => api.post(`/api/invoices/${(await invoiceIn(home, true)).id}/void`, { reason: 'Matrix probe' }),
      foreign: async (api) => {
        const target = await invoiceIn(outsider, true);
        const res = await api.post(`/api/invoices/${target.id}/void`, { reason: 'Hijack' });
        return { res, leaked: async () => (await statusOf(target.id)) === 'void' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/invoices/${(await invoiceIn(home, false)).id}`),
      foreign: async (api) => {
        const target = await invoiceIn(outsider, false);
        const res = await api.delete(`/api/invoices/${target.id}`);
        return { res, leaked: async () => (await statusOf(target.id)) === undefined };
      },
    },
  };
};
