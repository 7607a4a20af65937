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

/**
 * The AAA settings of an organization (what a refused subscriber gets): reading is sessions.read
 * (get), changing sessions.update (update). Another tenant's organization answers 404.
 */
export const aaaSettingsProbes: ProbeFactory = async (w) => {
  const marker = unique('garden');
  const storedFor = async (orgId: string, message: string) =>
    (await w.ctx.db.selectFrom('aaa_settings').select('organization_id').where('organization_id', '=', orgId).where('captive_message', '=', message).executeTakeFirst()) !== undefined;
  const body = (organizationId: string, message: string) => ({ organizationId, blockedAction: 'captive', blockedPool: 'expired', captiveMessage: message });
  await w.ctx.db.insertInto('aaa_settings').values({ organization_id: w.outsider.id, blocked_action: 'captive', blocked_pool: 'expired', captive_message: marker }).execute();
  return {
    get: {
      own: (api) => api.get(`/api/aaa/settings?organizationId=${w.home.id}`),
      foreign: async (api) => {
        const res = await api.get(`/api/aaa/settings?organizationId=${w.outsider.id}`);
        return { res, leaked: async () => res.body.includes(marker) };
      },
    },
    update: {
      own: (api) => api.put('/api/aaa/settings', body(w.home.id, 'Pay at the shop')),
      foreign: async (api) => {
        const message = unique('intruder');
        const res = await api.put('/api/aaa/settings', body(w.outsider.id, message));
        return { res, leaked: () => storedFor(w.outsider.id, message) };
      },
    },
  };
};
