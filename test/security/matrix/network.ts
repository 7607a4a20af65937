import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import { seedSubscription } from '../../usage/fixtures.ts';
import { unique, type ProbeFactory } from './world.ts';

let octet = 0;
/** A fresh NAS source address per probe (addresses are unique in the whole database). */
const nextAddress = () => `172.31.${Math.floor(++octet / 250)}.${(octet % 250) + 1}`;

export const nasProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const nasIn = async (org: Organization, name = unique('nas')) => {
    const res = await rootDev.post('/api/nas', { organizationId: org.id, name, type: 'mikrotik', address: nextAddress(), secret: 'matrix-secret' });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string; name: string }>(res);
  };
  const foreign = await nasIn(w.outsider, unique('foreign-nas'));
  const row = (id: string) => w.ctx.db.selectFrom('nas_devices').select(['description']).where('id', '=', id).executeTakeFirst();
  return {
    list: {
      own: (api) => api.get('/api/nas?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/nas?limit=200');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/nas/${(await nasIn(w.home)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/nas/${foreign.id}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/nas', { name: unique('new'), type: 'generic', address: nextAddress(), secret: 'matrix-secret' }),
      foreign: async (api) => {
        const name = unique('intruder');
        const res = await api.post('/api/nas', { organizationId: w.outsider.id, name, type: 'generic', address: nextAddress(), secret: 'matrix-secret' });
        return { res, leaked: async () => (await w.ctx.db.selectFrom('nas_devices').select('id').where('name', '=', name).executeTakeFirst()) !== undefined };
      },
    },
    update: {
      own: async (api) => api.patch(`/api/nas/${(await nasIn(w.home)).id}`, { description: 'changed' }),
      foreign: async (api) => {
        const target = await nasIn(w.outsider);
        const res = await api.patch(`/api/nas/${target.id}`, { description: 'intruder' });
        return { res, leaked: async () => (await row(target.id))?.description === 'intruder' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/nas/${(await nasIn(w.home)).id}`),
      foreign: async (api) => {
        const target = await nasIn(w.outsider);
        const res = await api.delete(`/api/nas/${target.id}`);
        return { res, leaked: async () => (await row(target.id)) === undefined };
      },
    },
    export: {
      own: (api) => api.get('/api/nas/export'),
      foreign: async (api) => {
        const res = await api.get('/api/nas/export');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
  };
};

let subnet = 0;
/** A fresh /28 per probe (subnets never overlap in the whole database). */
const nextSubnet = () => `10.${200 + Math.floor(++subnet / 4000)}.${Math.floor((subnet % 4000) / 16)}.${(subnet % 16) * 16}/28`;

/**
 * IP pools: read (list, get), create (a pool), update (rename), delete (a pool with nothing
 * assigned). Assigning and releasing addresses are tested in test/network/ipam.test.ts.
 */
export const ipamProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const poolIn = async (org: Organization) => {
    const res = await rootDev.post('/api/ip-pools', { organizationId: org.id, name: unique('pool'), family: 4 });
    expect(res.statusCode, res.body).toBe(201);
    const pool = json<{ id: string }>(res);
    expect((await rootDev.post(`/api/ip-pools/${pool.id}/subnets`, { cidr: nextSubnet() })).statusCode).toBe(201);
    return pool;
  };
  const foreign = await poolIn(w.outsider);
  // An address handed out in the other tenant's pool: a foreign read must not show it.
  const foreignSub = await seedSubscription(w.ctx, rootDev, w.outsider);
  expect((await rootDev.post(`/api/ip-pools/${foreign.id}/assignments`, { subscriptionId: foreignSub.id })).statusCode).toBe(201);
  const row = (id: string) => w.ctx.db.selectFrom('ip_pools').select(['description']).where('id', '=', id).executeTakeFirst();
  return {
    list: {
      own: (api) => api.get('/api/ip-pools?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/ip-pools?limit=200');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/ip-pools/${(await poolIn(w.home)).id}`),
      foreign: async (api) => {
        const res = await api.get(`/api/ip-pools/${foreign.id}`);
        return { res, leaked: async () => res.body.includes(foreignSub.id) };
      },
    },
    create: {
      own: (api) => api.post('/api/ip-pools', { name: unique('new'), family: 6, kind: 'prefix', prefixLength: 56 }),
      foreign: async (api) => {
        const name = unique('intruder');
        const res = await api.post('/api/ip-pools', { organizationId: w.outsider.id, name, family: 4 });
        return { res, leaked: async () => (await w.ctx.db.selectFrom('ip_pools').select('id').where('name', '=', name).executeTakeFirst()) !== undefined };
      },
    },
    update: {
      own: async (api) => api.patch(`/api/ip-pools/${(await poolIn(w.home)).id}`, { description: 'changed' }),
      foreign: async (api) => {
        const target = await poolIn(w.outsider);
        const res = await api.patch(`/api/ip-pools/${target.id}`, { description: 'intruder' });
        return { res, leaked: async () => (await row(target.id))?.description === 'intruder' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/ip-pools/${(await poolIn(w.home)).id}`),
      foreign: async (api) => {
        const target = await poolIn(w.outsider);
        const res = await api.delete(`/api/ip-pools/${target.id}`);
        return { res, leaked: async () => (await row(target.id)) === undefined };
      },
    },
  };
};
