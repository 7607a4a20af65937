import { expect } from 'vitest';
import { json, type Api } from '../support/app.ts';

/** A monthly PPPoE plan body: KES 2,500 flat, 10/5 Mbps; override any part. */
export function pppoePlan(overrides: Record<string, unknown> = {}, version: Record<string, unknown> = {}) {
  return {
    code: `PPPOE-${crypto.randomUUID().slice(0, 8)}`,
    name: 'Home 10 Mbps',
    serviceType: 'pppoe',
    billingModel: 'postpaid',
    ...overrides,
    version: {
      billing: { cycle: 'monthly' },
      prices: [{ currency: 'KES', components: [{ kind: 'fixed', price: '2500' }] }],
      network: { download: { rateKbps: 10_000, burst: null }, upload: { rateKbps: 5_000, burst: null } },
      ...version,
    },
  };
}

export async function created<T = any>(res: Promise<{ statusCode: number; body: string }>, status = 201): Promise<T> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return JSON.parse(r.body) as T;
}

export async function createPlan(api: Api, overrides: Record<string, unknown> = {}, version: Record<string, unknown> = {}) {
  return created(api.post('/api/plans', pppoePlan(overrides, version)));
}

export async function createTaxClass(api: Api, body: Record<string, unknown> = {}) {
  return created(api.post('/api/tax-classes', { code: `VAT-${crypto.randomUUID().slice(0, 6)}`, name: 'VAT 16% inclusive', inclusive: true, rates: [{ code: 'VAT', percent: '16' }], ...body }));
}

export const fields = (res: { body: string }) => (json(res as never).errors ?? []).map((e: { field: string }) => e.field);
