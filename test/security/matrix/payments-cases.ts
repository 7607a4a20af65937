import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

/**
 * Payment cases under the payments permissions: disputes are read (list, get) with payments.read
 * and opened with payments.create; writing off an invoice as bad debt needs payments.update.
 * Another tenant's dispute answers 404 and is absent from lists; its invoices cannot be disputed
 * or written off.
 */
export const paymentCaseProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const rootDev = await sessionFor(w.t, await seedUser(ctx, w.tree.isp, 'developer'));
  const invoiceIn = async (org: Organization) => {
    const s = await rootDev.post('/api/subscribers', { organizationId: org.id, name: `Disputing ${crypto.randomUUID().slice(0, 8)}` });
    expect(s.statusCode, s.body).toBe(201);
    const res = await rootDev.post('/api/invoices', { subscriberId: json(s).id, issue: true, lines: [{ description: 'Monthly fibre', unitPrice: '2500' }] });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  const disputeIn = async (org: Organization) => {
    const res = await rootDev.post('/api/disputes', { invoiceId: await invoiceIn(org), subject: 'Billed twice' });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  const foreign = await disputeIn(outsider);
  const own = await disputeIn(home);
  const disputesOf = (invoiceId: string) => ctx.db.selectFrom('disputes').select('id').where('invoice_id', '=', invoiceId).execute();
  const writeOffsOf = (invoiceId: string) => ctx.db.selectFrom('write_offs').select('id').where('invoice_id', '=', invoiceId).execute();
  return {
    list: {
      own: (api) => api.get('/api/disputes?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/disputes?limit=200');
        return { res, leaked: async () => res.body.includes(foreign) };
      },
    },
    get: {
      own: (api) => api.get(`/api/disputes/${own}`),
      foreign: async (api) => ({ res: await api.get(`/api/disputes/${foreign}`), leaked: async () => false }),
    },
    create: {
      own: async (api) => api.post('/api/disputes', { invoiceId: await invoiceIn(home), subject: 'Wrong plan' }),
      foreign: async (api) => {
        const target = await invoiceIn(outsider);
        const res = await api.post('/api/disputes', { invoiceId: target, subject: 'Hijack' });
        return { res, leaked: async () => (await disputesOf(target)).length > 0 };
      },
    },
    update: {
      own: async (api) => api.post(`/api/invoices/${await invoiceIn(home)}/write-off`, { reason: 'Matrix probe' }),
      foreign: async (api) => {
        const target = await invoiceIn(outsider);
        const res = await api.post(`/api/invoices/${target}/write-off`, { reason: 'Hijack' });
        return { res, leaked: async () => (await writeOffsOf(target)).length > 0 };
      },
    },
  };
};
