import { expect } from 'vitest';
import { receivePayment } from '../../../src/modules/payments/receive.ts';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

/** Staff-recorded payments, the list and its export, the suspense match and the cancel, under the payments permissions. */
export const paymentProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const rootDev = await sessionFor(w.t, await seedUser(ctx, w.tree.isp, 'developer'));
  const subscriberIn = async (org: Organization) => {
    const res = await rootDev.post('/api/subscribers', { organizationId: org.id, name: `Payer ${crypto.randomUUID().slice(0, 8)}` });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  /** A cash payment in the organization: to a new subscriber, or waiting in suspense. */
  const paymentIn = async (org: Organization, matched: boolean) => {
    const subscriberId = matched ? await subscriberIn(org) : null;
    const received = await ctx.db.transaction().execute((trx) =>
      receivePayment(trx, ctx.clock, {
        organizationId: org.id,
        channel: 'cash',
        transactionId: `matrix-${crypto.randomUUID()}`,
        amount: { minor: 10_000n, currency: 'KES' },
        via: { kind: 'cash' },
        receivedAt: ctx.clock.now(),
        ...(subscriberId ? { subscriberId } : { reference: `nobody-${crypto.randomUUID()}` }),
      }),
    );
    return received.payment;
  };
  const statusOf = async (id: string) => (await ctx.db.selectFrom('payments').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const homeSubscriber = await subscriberIn(home);
  const foreign = await paymentIn(outsider, true);
  return {
    list: {
      own: (api) => api.get('/api/payments?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/payments?limit=200');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/payments/${(await paymentIn(home, true)).id}`),
      foreign: async (api) => ({ res: await api.get(`/api/payments/${foreign.id}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/payments', { subscriberId: homeSubscriber, amount: '10' }),
      foreign: async (api) => {
        const subscriberId = await subscriberIn(outsider);
        const res = await api.post('/api/payments', { subscriberId, amount: '10' });
        return { res, leaked: async () => (await ctx.db.selectFrom('payments').select('id').where('subscriber_id', '=', subscriberId).executeTakeFirst()) !== undefined };
      },
    },
    update: {
      own: async (api) => api.post(`/api/payments/${(await paymentIn(home, false)).id}/match`, { subscriberId: homeSubscriber }),
      foreign: async (api) => {
        const target = await paymentIn(outsider, false);
        const res = await api.post(`/api/payments/${target.id}/match`, { subscriberId: await subscriberIn(outsider) });
        return { res, leaked: async () => (await statusOf(target.id)) !== 'unapplied' };
      },
    },
    delete: {
      own: async (api) => api.delete(`/api/payments/${(await paymentIn(home, true)).id}`),
      foreign: async (api) => {
        const target = await paymentIn(outsider, true);
        const res = await api.delete(`/api/payments/${target.id}`);
        return { res, leaked: async () => (await statusOf(target.id)) === 'reversed' };
      },
    },
    export: {
      own: (api) => api.get('/api/payments/export.csv'),
      foreign: async (api) => {
        const res = await api.get('/api/payments/export.csv');
        return { res, leaked: async () => res.body.includes(foreign.id) };
      },
    },
  };
};
