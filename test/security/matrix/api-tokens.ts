import { sha256 } from '../../../src/platform/crypto.ts';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { seedUser } from '../../support/app.ts';
import type { ProbeFactory, World } from './world.ts';

async function freshToken(w: World, org: Organization) {
  const owner = await seedUser(w.ctx, org, 'admin');
  return w.ctx.db
    .insertInto('api_tokens')
    .values({
      organization_id: org.id,
      user_id: owner.id,
      name: 'fixture',
      token_prefix: 'upl_fixture',
      token_hash: sha256(crypto.randomUUID()),
      scopes: ['organizations.read'],
      created_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export const apiTokenProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const foreignToken = await freshToken(w, outsider);
  return {
    list: {
      own: (api) => api.get('/api/api-tokens?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/api-tokens?limit=200');
        return { res, leaked: async () => res.body.includes(foreignToken.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/api-tokens/${(await freshToken(w, home)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/api-tokens/${foreignToken.id}`), leaked: async () => false }),
    },
    // A token is created in the caller's own organization; there is no other tenant to name.
    create: { own: (api) => api.post('/api/api-tokens', { name: 'integration', scopes: ['organizations.read'] }) },
    delete: {
      own: async (api) => api.delete(`/api/api-tokens/${(await freshToken(w, home)).id}`),
      foreign: async (api) => {
        const target = await freshToken(w, outsider);
        const res = await api.delete(`/api/api-tokens/${target.id}`);
        const row = await ctx.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', target.id).executeTakeFirstOrThrow();
        return { res, leaked: async () => row.revoked_at !== null };
      },
    },
  };
};
