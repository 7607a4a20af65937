import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseMoney } from '../../src/core/money.ts';
import { presets } from '../../src/modules/reconciliation/statement-format.ts';
import { receivePayment } from '../../src/modules/payments/receive.ts';
import type { Organization, User } from '../../src/platform/db/schema.ts';
import { json, type Api, type TestContext } from '../support/app.ts';
import { postMultipart } from '../subscribers/support.ts';

export const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
export const preset = (name: 'mpesa_paybill' | 'generic_bank') => presets.find((p) => p.preset === name)!;

export async function ok<T = any>(p: Promise<{ statusCode: number; body: string }>): Promise<T> {
  const res = await p;
  expect(res.statusCode, res.body).toBeLessThan(300);
  return JSON.parse(res.body) as T;
}

/** Subscribers with the account numbers the statement fixtures name (NF-0001 …). */
export async function subscribersNamed(t: TestContext, api: Api, org: Organization, accounts: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const account of accounts) {
    const s = await ok<{ id: string }>(api.post('/api/subscribers', { organizationId: org.id, name: `Subscriber ${account}` }));
    await t.ctx.db.updateTable('subscribers').set({ account_number: account }).where('id', '=', s.id).execute();
    out[account] = s.id;
  }
  return out;
}

/** A payment as a gateway callback (or the counter) records it. */
export function pay(t: TestContext, org: Organization, o: { channel: string; transactionId: string; amount: string; at: string; reference?: string; subscriberId?: string }) {
  return t.ctx.db.transaction().execute((trx) =>
    receivePayment(trx, t.ctx.clock, {
      organizationId: org.id,
      channel: o.channel,
      transactionId: o.transactionId,
      amount: parseMoney(o.amount, org.currency),
      via: o.channel === 'mpesa' ? { kind: 'gateway', gateway: 'mpesa' } : { kind: 'bank' },
      receivedAt: new Date(o.at),
      subscriberId: o.subscriberId ?? null,
      reference: o.reference ?? null,
    }),
  );
}

export function importFile(t: TestContext, user: User, sourceId: string, data: Buffer, dryRun = false, filename = 'statement.csv') {
  return postMultipart(t, user, `/api/reconciliation/sources/${sourceId}/imports`, { dryRun: String(dryRun) }, { name: 'file', filename, contentType: 'text/csv', data });
}

export async function linesOf(api: Api, sourceId: string, query = '') {
  return json<{ items: any[] }>(await api.get(`/api/reconciliation/sources/${sourceId}/lines?limit=500${query}`)).items;
}
