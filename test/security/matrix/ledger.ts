import { expect } from 'vitest';
import { json, seedUser, sessionFor, type Api } from '../../support/app.ts';
import type { ProbeFactory } from './world.ts';

/** Opens a standard chart in an organization and posts one entry with a recognisable memo. */
async function booksWithEntry(rootDev: Api, organizationId: string, memo: string) {
  const chart = await rootDev.post('/api/ledger/chart', { organizationId });
  expect(chart.statusCode, chart.body).toBe(200);
  const accounts: { id: string; type: string }[] = json(chart);
  const cash = accounts.find((a) => a.type === 'asset')!;
  const other = accounts.find((a) => a.type !== 'asset')!;
  const entry = await rootDev.post('/api/ledger/entries', {
    organizationId,
    memo,
    lines: [
      { accountId: cash.id, debit: '100.00' },
      { accountId: other.id, credit: '100.00' },
    ],
  });
  expect(entry.statusCode, entry.body).toBe(201);
  return { accountId: cash.id };
}

export const ledgerProbes: ProbeFactory = async (w) => {
  const rootDev = await sessionFor(w.t, await seedUser(w.ctx, w.tree.isp, 'developer'));
  const foreignMemo = `foreign-${crypto.randomUUID()}`;
  const own = await booksWithEntry(rootDev, w.home.id, `own-${crypto.randomUUID()}`);
  const foreign = await booksWithEntry(rootDev, w.outsider.id, foreignMemo);
  const account = (organizationId?: string) => ({ ...(organizationId ? { organizationId } : {}), code: `X-${crypto.randomUUID().slice(0, 8)}`, name: 'Field expenses', type: 'expense' });
  return {
    list: {
      own: (api) => api.get('/api/ledger/accounts?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/ledger/accounts?limit=200');
        return { res, leaked: async () => res.body.includes(foreign.accountId) };
      },
    },
    get: {
      own: (api) => api.get(`/api/ledger/accounts/${own.accountId}`),
      foreign: async (api) => ({ res: await api.get(`/api/ledger/accounts/${foreign.accountId}`), leaked: async () => false }),
    },
    create: {
      own: (api) => api.post('/api/ledger/accounts', account()),
      foreign: async (api) => {
        const body = account(w.outsider.id);
        const res = await api.post('/api/ledger/accounts', body);
        const row = await w.ctx.db.selectFrom('ledger_accounts').select('id').where('code', '=', body.code).executeTakeFirst();
        return { res, leaked: async () => row !== undefined };
      },
    },
    export: {
      own: (api) => api.get('/api/ledger/entries/export'),
      foreign: async (api) => {
        const res = await api.get('/api/ledger/entries/export');
        return { res, leaked: async () => res.body.includes(foreignMemo) };
      },
    },
  };
};
