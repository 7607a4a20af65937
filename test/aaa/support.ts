import { expect } from 'vitest';
import type { Organization } from '../../src/platform/db/schema.ts';
import type { AttributeList, ChangeOutcome, ChangeSender, NasType, RadiusClient } from '../../src/radius/contract.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { json, type Api, type TestContext } from '../support/app.ts';

/** A postpaid PPPoE plan with burst, a pool and an address list (and a quota with throttle when asked). */
export async function networkPlan(api: Api, org: Organization, opts: { quotaBytes?: string } = {}) {
  return createPlan(
    api,
    { organizationId: org.id, billingModel: 'postpaid' },
    {
      billing: { cycle: 'monthly', alignment: 'calendar', graceDays: 0 },
      network: {
        download: { rateKbps: 10240, burst: { rateKbps: 20480, thresholdKbps: 7680, seconds: 16 } },
        upload: { rateKbps: 2048, burst: null },
        dataQuotaBytes: opts.quotaBytes ?? null,
        timeQuotaSeconds: null,
        throttle: opts.quotaBytes ? { downloadKbps: 512, uploadKbps: 256 } : null,
        ipPool: 'pppoe-pool',
        addressList: 'customers',
      },
    },
  ) as Promise<{ id: string }>;
}

/** A subscriber and an active subscription with a PPPoE login, through the API. */
export async function subscriptionWithLogin(api: Api, org: Organization, planId: string, body: Record<string, unknown> = {}) {
  const sub = await api.post('/api/subscribers', { organizationId: org.id, name: `Subscriber ${crypto.randomUUID().slice(0, 6)}` });
  expect(sub.statusCode, sub.body).toBe(201);
  const username = `u${crypto.randomUUID().slice(0, 10)}`;
  const res = await api.post('/api/subscriptions', { subscriberId: json(sub).id, planId, currency: 'KES', username, password: 'secret-pass-1', ...body });
  expect(res.statusCode, res.body).toBe(201);
  const s = json<{ id: string; status: string; subscriberId: string }>(res);
  expect(s.status).toBe('active');
  return { id: s.id, subscriberId: s.subscriberId, username, password: 'secret-pass-1' };
}

let lastOctet = 10;

/** A NAS row of the organization (written directly: the NAS API belongs to the network module). */
export async function seedNas(t: TestContext, org: Organization, type: NasType = 'mikrotik', address = `192.0.2.${lastOctet++}`): Promise<RadiusClient> {
  const row = await t.ctx.db
    .insertInto('nas_devices')
    .values({ organization_id: org.id, name: `nas-${crypto.randomUUID().slice(0, 6)}`, type, address, secret_enc: t.ctx.secrets.seal('nas-secret') })
    .returning(['id', 'name', 'coa_port'])
    .executeTakeFirstOrThrow();
  return { id: row.id, organizationId: org.id, name: row.name, type, address, secret: 'nas-secret', requireMessageAuthenticator: true, coaPort: row.coa_port };
}

export function accessRequest(client: RadiusClient, userName: string, attributes: AttributeList = []) {
  return { client, userName, method: 'pap' as const, attributes: [['User-Name', userName] as const, ...attributes] };
}

export function accounting(client: RadiusClient, receivedAt: Date, attributes: Record<string, string | number | Date>) {
  return { client, receivedAt, attributes: Object.entries(attributes) as AttributeList };
}

/** A NAS's answer to CoA and Disconnect-Request, scripted by the test; records every request. */
export class ScriptedNas implements ChangeSender {
  readonly sent: { client: RadiusClient; kind: 'coa' | 'disconnect'; attributes: AttributeList }[] = [];
  constructor(public answer: ChangeOutcome['kind'] = 'ack') {}
  async send(client: RadiusClient, kind: 'coa' | 'disconnect', attributes: AttributeList): Promise<ChangeOutcome> {
    this.sent.push({ client, kind, attributes });
    if (this.answer === 'ack') return { kind: 'ack', attributes: [] };
    if (this.answer === 'nak') return { kind: 'nak', errorCause: 503, attributes: [] };
    return { kind: 'timeout' };
  }
}
