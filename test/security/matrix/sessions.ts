import type { Organization } from '../../../src/platform/db/schema.ts';
import { seedUser, sessionFor } from '../../support/app.ts';
import { seedSubscription } from '../../usage/fixtures.ts';
import { unique, type ProbeFactory } from './world.ts';

/**
 * RADIUS sessions (radacct) belong to their subscription's organization: the online list, a
 * subscription's sessions (get), disconnect (update) and the CSV export. Another tenant's sessions
 * never show, and its session cannot be disconnected (404, no request queued).
 */
export const sessionProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const lineIn = async (org: Organization) => seedSubscription(w.ctx, rootDev, org, { username: unique('line') });
  /** An open session of the subscription; its username carries a marker. */
  const openSession = async (sub: { id: string; username: string | null }, org: Organization) =>
    (
      await w.ctx.db
        .insertInto('radacct')
        .values({
          acctsessionid: unique('acct'),
          acctuniqueid: unique('uniq'),
          username: sub.username,
          nasipaddress: '192.0.2.250',
          acctstarttime: w.ctx.clock.now(),
          acctupdatetime: w.ctx.clock.now(),
          acctsessiontime: 0,
          acctinputoctets: 0n,
          acctoutputoctets: 0n,
          organization_id: org.id,
          subscription_id: sub.id,
        })
        .returning('radacctid')
        .executeTakeFirstOrThrow()
    ).radacctid.toString();
  const own = await lineIn(w.home);
  await openSession(own, w.home);
  const foreign = await lineIn(w.outsider);
  const foreignSession = await openSession(foreign, w.outsider);
  const queuedFor = async (radacctId: string) =>
    (await w.ctx.db.selectFrom('enforcement_requests').select('id').where('radacct_id', '=', BigInt(radacctId)).executeTakeFirst()) !== undefined;
  return {
    list: {
      own: (api) => api.get('/api/sessions?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/sessions?limit=200');
        return { res, leaked: async () => res.body.includes(foreign.username!) };
      },
    },
    get: {
      own: (api) => api.get(`/api/subscriptions/${own.id}/sessions`),
      foreign: async (api) => {
        const res = await api.get(`/api/subscriptions/${foreign.id}/sessions`);
        return { res, leaked: async () => res.body.includes(foreign.username!) };
      },
    },
    update: {
      own: async (api) => api.post(`/api/sessions/${await openSession(own, w.home)}/disconnect`, {}),
      foreign: async (api) => {
        const res = await api.post(`/api/sessions/${foreignSession}/disconnect`, {});
        return { res, leaked: () => queuedFor(foreignSession) };
      },
    },
    export: {
      own: (api) => api.get('/api/sessions/export'),
      foreign: async (api) => {
        const res = await api.get('/api/sessions/export');
        return { res, leaked: async () => res.body.includes(foreign.username!) };
      },
    },
  };
};
