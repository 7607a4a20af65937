import { freshOrg, type ProbeFactory } from './world.ts';

export const organizationProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider, tree } = w;
  const foreignOrg = await freshOrg(w, outsider);
  const exists = async (id: string) => !!(await ctx.db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst());
  return {
    list: {
      own: (api) => api.get('/api/organizations?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/organizations?limit=200');
        return { res, leaked: async () => res.body.includes(foreignOrg.id) || res.body.includes(tree.isp.name) || res.body.includes(outsider.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/organizations/${(await freshOrg(w, home)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/organizations/${outsider.id}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/organizations', { parentId: home.id, kind: 'card_partner', name: `Cards ${crypto.randomUUID().slice(0, 5)}` }),
      foreign: async (api) => {
        const name = `Intruder ${crypto.randomUUID()}`;
        const res = await api.post('/api/organizations', { parentId: outsider.id, kind: 'card_partner', name });
        return { res, leaked: async () => !!(await ctx.db.selectFrom('organizations').select('id').where('name', '=', name).executeTakeFirst()) };
      },
    },
    update: {
      own: async (api) => api.patch(`/api/organizations/${(await freshOrg(w, home)).id}`, { name: 'Renamed' }),
      foreign: async (api) => {
        const target = await freshOrg(w, outsider);
        const res = await api.patch(`/api/organizations/${target.id}`, { name: 'Hijacked' });
        return { res, leaked: async () => (await ctx.db.selectFrom('organizations').select('name').where('id', '=', target.id).executeTakeFirstOrThrow()).name === 'Hijacked' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/organizations/${(await freshOrg(w, home)).id}`),
      foreign: async (api) => {
        const target = await freshOrg(w, outsider);
        const res = await api.delete(`/api/organizations/${target.id}`);
        return { res, leaked: async () => !(await exists(target.id)) };
      },
    },
    export: {
      own: (api) => api.get('/api/organizations/export'),
      foreign: async (api) => {
        const res = await api.get('/api/organizations/export');
        return { res, leaked: async () => res.body.includes(foreignOrg.id) };
      },
    },
  };
};
