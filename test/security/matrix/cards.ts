import { expect } from 'vitest';
import { json, seedUser, sessionFor, type Api } from '../../support/app.ts';
import { unique, type ProbeFactory } from './world.ts';

async function batchIn(rootDev: Api, organizationId: string, name: string): Promise<string> {
  const res = await rootDev.post('/api/cards/batches', { organizationId, name, value: '100', quantity: 3, expiresAt: '2099-12-31T00:00:00Z' });
  expect(res.statusCode, res.body).toBe(201);
  return json(res).id;
}

/** Recharge cards: batches of the caller's reseller against batches of another reseller. */
export const cardProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const own = await batchIn(rootDev, w.home.id, unique('own-cards'));
  const foreign = await batchIn(rootDev, w.outsider.id, unique('foreign-cards'));
  const foreignCard = () => w.ctx.db.selectFrom('cards').select(['state', 'distributor_id']).where('batch_id', '=', foreign).where('seq', '=', 1).executeTakeFirstOrThrow();
  return {
    list: {
      own: (api) => api.get('/api/cards/batches'),
      foreign: async (api) => {
        const res = await api.get('/api/cards/batches');
        return { res, leaked: async () => res.body.includes(foreign) };
      },
    },
    get: {
      own: (api) => api.get(`/api/cards/batches/${own}`),
      foreign: async (api) => {
        const res = await api.get(`/api/cards/batches/${foreign}`);
        return { res, leaked: async () => res.body.includes('foreign-cards') };
      },
    },
    create: {
      own: (api) => api.post('/api/cards/batches', { name: unique('created'), value: '50', quantity: 1, expiresAt: '2099-12-31T00:00:00Z' }),
      foreign: async (api) => {
        const name = unique('planted');
        const res = await api.post('/api/cards/batches', { organizationId: w.outsider.id, name, value: '50', quantity: 1, expiresAt: '2099-12-31T00:00:00Z' });
        return { res, leaked: async () => (await w.ctx.db.selectFrom('card_batches').select('id').where('name', '=', name).executeTakeFirst()) !== undefined };
      },
    },
    update: {
      own: (api) => api.post(`/api/cards/batches/${own}/assign`, { from: 1, to: 1, distributorId: w.tree.cardA.id }),
      foreign: async (api) => {
        const res = await api.post(`/api/cards/batches/${foreign}/sell`, { from: 1, to: 1 });
        return { res, leaked: async () => (await foreignCard()).state !== 'generated' };
      },
    },
    delete: {
      own: (api) => api.post(`/api/cards/batches/${own}/void`, { from: 3, to: 3, reason: 'matrix' }),
      foreign: async (api) => {
        const res = await api.post(`/api/cards/batches/${foreign}/void`, { from: 1, to: 1, reason: 'matrix' });
        return { res, leaked: async () => (await foreignCard()).state !== 'generated' };
      },
    },
    // Export is of one batch: another tenant's batch is the `get` probe's 404 (same lookup).
    export: {
      own: (api) => api.get(`/api/cards/batches/${own}/export`),
    },
  };
};
