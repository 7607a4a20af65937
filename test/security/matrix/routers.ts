import { afterAll } from 'vitest';
import { sha256Hex } from '../../../src/platform/crypto.ts';
import { insertBackup, pinOf } from '../../../src/modules/routers/routers.repo.ts';
import { seedRouterNas } from '../../routers/fixtures.ts';
import type { ProbeFactory, World } from './world.ts';

/**
 * Router management lives under the NAS permissions: reading from the router (the connection test,
 * its active sessions, the command log) is nas.read (get); changing it (pushing plans or queues,
 * pinning its certificate) nas.update (update); its configuration (backups listed, taken, read, or
 * compared) nas.export. Every caller's NAS points at a simulated router; another tenant's NAS
 * answers 404 and its router hears nothing. A key holds one probe per action, so each route has
 * its own key below; they share one pair of routers.
 */
async function routers(w: World) {
  const own = await seedRouterNas(w.ctx, w.home, 'binary');
  const foreign = await seedRouterNas(w.ctx, w.outsider, 'rest');
  afterAll(async () => {
    await own.sim.close();
    await foreign.sim.close();
  });
  const backup = (content: string) =>
    insertBackup(w.ctx.db, { nas_id: own.nas.id, organization_id: w.home.id, trigger: 'manual', content, sha256: sha256Hex(content), size_bytes: Buffer.byteLength(content), created_at: w.ctx.clock.now(), created_by: null });
  const older = await backup('/ip address\nadd address=192.0.2.1/24 interface=ether1\n');
  const newer = await backup('/ip address\nadd address=192.0.2.2/24 interface=ether1\n');
  return { own: own.nas, foreign: foreign.nas, backups: { older: older.id, newer: newer.id }, foreignRouterReached: async () => foreign.sim.received.length > 0 };
}

const shared = new WeakMap<World, ReturnType<typeof routers>>();
function routersOf(w: World) {
  let r = shared.get(w);
  if (!r) shared.set(w, (r = routers(w)));
  return r;
}

export const routerProbes: ProbeFactory = async (w) => {
  const { own, foreign, foreignRouterReached } = await routersOf(w);
  return {
    get: {
      own: (api) => api.get(`/api/nas/${own.id}/router/commands`),
      foreign: async (api) => ({ res: await api.get(`/api/nas/${foreign.id}/router/commands`), leaked: foreignRouterReached }),
    },
    update: {
      own: (api) => api.post(`/api/nas/${own.id}/router/push-plans`, { dryRun: true }),
      foreign: async (api) => ({ res: await api.post(`/api/nas/${foreign.id}/router/push-plans`, {}), leaked: foreignRouterReached }),
    },
    // Exports list the caller's own objects: another tenant's backups are proved 404 in test/routers.
    export: { own: (api) => api.get(`/api/nas/${own.id}/router/backups`) },
  };
};

/** The connection test (identity and resources of the router). */
export const routerStatusProbes: ProbeFactory = async (w) => {
  const { own, foreign, foreignRouterReached } = await routersOf(w);
  return {
    get: {
      own: (api) => api.get(`/api/nas/${own.id}/router`),
      foreign: async (api) => ({ res: await api.get(`/api/nas/${foreign.id}/router`), leaked: foreignRouterReached }),
    },
  };
};

export const routerSessionProbes: ProbeFactory = async (w) => {
  const { own, foreign, foreignRouterReached } = await routersOf(w);
  return {
    get: {
      own: (api) => api.get(`/api/nas/${own.id}/router/active-sessions`),
      foreign: async (api) => ({ res: await api.get(`/api/nas/${foreign.id}/router/active-sessions`), leaked: foreignRouterReached }),
    },
  };
};

export const routerQueueProbes: ProbeFactory = async (w) => {
  const { own, foreign, foreignRouterReached } = await routersOf(w);
  return {
    update: {
      own: (api) => api.post(`/api/nas/${own.id}/router/push-queues`, { dryRun: true }),
      foreign: async (api) => ({ res: await api.post(`/api/nas/${foreign.id}/router/push-queues`, {}), leaked: foreignRouterReached }),
    },
  };
};

export const routerTlsPinProbes: ProbeFactory = async (w) => {
  const { own, foreign } = await routersOf(w);
  return {
    update: {
      own: (api) => api.put(`/api/nas/${own.id}/router/tls-pin`, { fingerprint: null }),
      foreign: async (api) => ({ res: await api.put(`/api/nas/${foreign.id}/router/tls-pin`, { fingerprint: 'ab'.repeat(32) }), leaked: async () => (await pinOf(w.ctx.db, foreign.id)) !== null }),
    },
  };
};

// Another tenant's backup, taken, read or compared, is proved 404 in test/routers (an export probe
// of the matrix expects a list's 200 there).
export const routerBackupTakeProbes: ProbeFactory = async (w) => {
  const { own } = await routersOf(w);
  return { export: { own: (api) => api.post(`/api/nas/${own.id}/router/backups`, {}) } };
};

export const routerBackupProbes: ProbeFactory = async (w) => {
  const { own, backups } = await routersOf(w);
  return { export: { own: (api) => api.get(`/api/nas/${own.id}/router/backups/${backups.newer}`) } };
};

export const routerBackupDiffProbes: ProbeFactory = async (w) => {
  const { own, backups } = await routersOf(w);
  return { export: { own: (api) => api.get(`/api/nas/${own.id}/router/backups/diff?from=${backups.older}&to=${backups.newer}`) } };
};
