import { freshCustomer, type ProbeFactory } from './world.ts';

export const userProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const foreignUser = await freshCustomer(w, outsider);
  const nameOf = async (id: string) => (await ctx.db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirst())?.name;
  const newUser = (organizationId: string, email: string) => ({ organizationId, email, name: 'New customer', role: 'customer', password: 'a long enough passphrase' });
  return {
    list: {
      own: (api) => api.get('/api/users?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/users?limit=200');
        return { res, leaked: async () => res.body.includes(foreignUser.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/users/${(await freshCustomer(w, home)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/users/${foreignUser.id}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/users', newUser(home.id, `c-${crypto.randomUUID()}@example.test`)),
      foreign: async (api) => {
        const email = `intruder-${crypto.randomUUID()}@example.test`;
        const res = await api.post('/api/users', newUser(outsider.id, email));
        return { res, leaked: async () => !!(await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) };
      },
    },
    update: {
      own: async (api) => api.patch(`/api/users/${(await freshCustomer(w, home)).id}`, { name: 'Renamed' }),
      foreign: async (api) => {
        const target = await freshCustomer(w, outsider);
        const res = await api.patch(`/api/users/${target.id}`, { name: 'Hijacked' });
        return { res, leaked: async () => (await nameOf(target.id)) === 'Hijacked' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/users/${(await freshCustomer(w, home)).id}`),
      foreign: async (api) => {
        const target = await freshCustomer(w, outsider);
        const res = await api.delete(`/api/users/${target.id}`);
        return { res, leaked: async () => (await nameOf(target.id)) === undefined };
      },
    },
    export: {
      own: (api) => api.get('/api/users/export'),
      foreign: async (api) => {
        const res = await api.get('/api/users/export');
        return { res, leaked: async () => res.body.includes(foreignUser.id) };
      },
    },
  };
};
