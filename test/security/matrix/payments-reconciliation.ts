import { presets } from '../../../src/modules/reconciliation/statement-format.ts';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { unique, type ProbeFactory, type World } from './world.ts';

const seedSource = (w: World, org: Organization, name: string) => {
  const p = presets[0]!;
  return w.ctx.db
    .insertInto('statement_sources')
    .values({ organization_id: org.id, key: unique('mpesa'), name, preset: p.preset, gateway: p.gateway, channels: [...p.channels], currency: org.currency, mapping: p.mapping })
    .returningAll()
    .executeTakeFirstOrThrow();
};

/**
 * Statement reconciliation lives under the payments permissions: sources, lines and reports are
 * payments.read (list, get), importing, matching and changing a source's mapping payments.update
 * (update). Another tenant's source answers 404 and is absent from lists.
 */
export const reconciliationProbes: ProbeFactory = async (w) => {
  const own = await seedSource(w, w.home, 'Paybill of reseller A');
  const marker = unique('foreign-paybill');
  const foreign = await seedSource(w, w.outsider, marker);
  const foreignName = async () => (await w.ctx.db.selectFrom('statement_sources').select('name').where('id', '=', foreign.id).executeTakeFirstOrThrow()).name;
  return {
    list: {
      own: (api) => api.get('/api/reconciliation/sources'),
      foreign: async (api) => {
        const res = await api.get('/api/reconciliation/sources');
        return { res, leaked: async () => res.body.includes(foreign.id) || res.body.includes(marker) };
      },
    },
    get: {
      own: (api) => api.get(`/api/reconciliation/sources/${own.id}/lines`),
      foreign: async (api) => {
        const res = await api.get(`/api/reconciliation/sources/${foreign.id}`);
        return { res, leaked: async () => res.body.includes(marker) };
      },
    },
    update: {
      own: (api) => api.patch(`/api/reconciliation/sources/${own.id}`, { dateWindowDays: 3 }),
      foreign: async (api) => {
        const res = await api.patch(`/api/reconciliation/sources/${foreign.id}`, { name: 'intruder' });
        return { res, leaked: async () => (await foreignName()) !== marker };
      },
    },
  };
};
