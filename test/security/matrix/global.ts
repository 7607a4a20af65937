import type { ProbeFactory } from './world.ts';

/** Roles are one catalogue for the whole installation: no tenant dimension to probe. */
export const roleProbes: ProbeFactory = async (w) => {
  const freshRole = async () => {
    const key = `r_${crypto.randomUUID().slice(0, 8)}`;
    await w.ctx.db.insertInto('roles').values({ key, name: key, description: '', builtin: false }).execute();
    return key;
  };
  return {
    list: { own: (api) => api.get('/api/roles') },
    get: { own: (api) => api.get('/api/roles/staff') },
    create: { own: (api) => api.post('/api/roles', { key: `c_${crypto.randomUUID().slice(0, 8)}`, name: 'Custom', permissions: [] }) },
    update: { own: async (api) => api.patch(`/api/roles/${await freshRole()}`, { name: 'Renamed role' }) },
    delete: { own: async (api) => api.delete(`/api/roles/${await freshRole()}`) },
  };
};

/** System settings are installation-wide as well. */
export const settingsProbes: ProbeFactory = async () => ({
  get: { own: (api) => api.get('/api/settings') },
  update: { own: (api) => api.patch('/api/settings', { platformName: 'Uplink' }) },
});
