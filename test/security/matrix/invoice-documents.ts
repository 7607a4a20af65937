import { readSheet } from 'read-excel-file/node';
import { expect } from 'vitest';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { json, seedUser, sessionFor } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

/** Invoice PDFs and the invoice export, under the invoices permissions (read, export). */
export const invoiceDocumentProbes: ProbeFactory = async (w) => {
  const { ctx, home, outsider } = w;
  const rootDev = await sessionFor(w.t, await seedUser(ctx, w.tree.isp, 'developer'));
  const invoiceIn = async (org: Organization) => {
    const subscriber = await rootDev.post('/api/subscribers', { organizationId: org.id, name: `Billed ${crypto.randomUUID().slice(0, 8)}` });
    expect(subscriber.statusCode, subscriber.body).toBe(201);
    const res = await rootDev.post('/api/invoices', { subscriberId: json<{ id: string }>(subscriber).id, issue: true, lines: [{ description: 'Installation', unitPrice: '1500' }] });
    expect(res.statusCode, res.body).toBe(201);
    return json<{ id: string }>(res).id;
  };
  const own = await invoiceIn(home);
  const foreign = await invoiceIn(outsider);
  return {
    get: {
      own: (api) => api.get(`/api/invoices/${own}/pdf`),
      foreign: async (api) => ({ res: await api.get(`/api/invoices/${foreign}/pdf`), leaked: async () => false }),
    },
    export: {
      own: (api) => api.get('/api/invoices/export.csv'),
      foreign: async (api) => {
        const res = await api.get('/api/invoices/export.csv');
        return { res, leaked: async () => res.body.includes(foreign) };
      },
    },
  };
};

/** The subscribers XLSX export, under subscribers.export. */
export const subscriberXlsxProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const res = await rootDev.post('/api/subscribers', { organizationId: w.outsider.id, name: `Foreign ${crypto.randomUUID()}` });
  expect(res.statusCode, res.body).toBe(201);
  const foreign = json<{ id: string }>(res).id;
  return {
    export: {
      own: (api) => api.get('/api/subscribers/export.xlsx'),
      foreign: async (api) => {
        const out = await api.get('/api/subscribers/export.xlsx');
        return { res: out, leaked: async () => out.statusCode === 200 && (await readSheet(out.rawPayload)).some((row) => row.includes(foreign)) };
      },
    },
  };
};
