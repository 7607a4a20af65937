import { afterAll } from 'vitest';
import { seedRouterNas } from '../../routers/fixtures.ts';
import type { ProbeFactory } from './world.ts';

/**
 * Router management lives under the NAS permissions: the command log is nas.read (get), pushing
 * plans to the router nas.update (update), backups nas.export (export). Every caller's NAS points at
 * a simulated router; another tenant's NAS answers 404 and its router hears nothing.
 */
export const routerProbes: ProbeFactory = async (w) => {
  const own = await seedRouterNas(w.ctx, w.home, 'binary');
  const foreign = await seedRouterNas(w.ctx, w.outsider, 'rest');
  afterAll(async () => {
    await own.sim.close();
    await foreign.sim.close();
  });
  const foreignRouterReached = async () => foreign.sim.received.length > 0;
  return {
    get: {
      own: (api) => api.get(`/api/nas/${own.nas.id}/router/commands`),
      foreign: async (api) => ({ res: await api.get(`/api/nas/${foreign.nas.id}/router/commands`), leaked: foreignRouterReached }),
    },
    update: {
      own: (api) => api.post(`/api/nas/${own.nas.id}/router/push-plans`, { dryRun: true }),
      foreign: async (api) => ({ res: await api.post(`/api/nas/${foreign.nas.id}/router/push-plans`, {}), leaked: foreignRouterReached }),
    },
    // Exports list the caller's own objects: another tenant's backups are proved 404 in test/routers.
    export: { own: (api) => api.get(`/api/nas/${own.nas.id}/router/backups`) },
  };
};
