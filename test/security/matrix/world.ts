import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { appendAudit } from '../../../src/platform/audit/audit.ts';
import type { AppContext } from '../../../src/platform/context.ts';
import type { Organization } from '../../../src/platform/db/schema.ts';
import { seedOrganization, seedUser, type Api, type TestContext } from '../../support/app.ts';

export type Action = 'list' | 'get' | 'create' | 'update' | 'delete' | 'export';

/** list/get need `read`; the other actions need the permission of the same name. */
export const permissionAction: Record<Action, string> = { list: 'read', get: 'read', create: 'create', update: 'update', delete: 'delete', export: 'export' };

export interface Probe {
  /** The request against an object in the caller's subtree; must succeed when allowed. */
  own(api: Api): Promise<LightMyRequestResponse>;
  /** The request against another tenant's object; must not reveal or change it. */
  foreign?(api: Api): Promise<{ res: LightMyRequestResponse; leaked: () => Promise<boolean> }>;
}

export type ResourceProbes = Partial<Record<Action, Probe>>;

/**
 * The world every probe runs in: callers live in reseller A (`home`); reseller B (`outsider`) and
 * the ISP root are other tenants.
 */
export interface World {
  t: TestContext;
  ctx: AppContext;
  tree: { isp: Organization; resellerA: Organization; subA: Organization; cardA: Organization; resellerB: Organization };
  home: Organization;
  outsider: Organization;
}

/** A probe file per resource: given the world, it builds its fixtures and probes. */
export type ProbeFactory = (w: World) => Promise<ResourceProbes>;

export const freshOrg = (w: World, parent: Organization) => seedOrganization(w.ctx, parent, 'card_partner');
export const freshCustomer = (w: World, org: Organization) => seedUser(w.ctx, org, 'customer');

/** An audit entry in the organization; returns its sequence number. */
export async function freshAudit(w: World, org: Organization, marker: string): Promise<string> {
  await w.ctx.db.transaction().execute((trx) =>
    appendAudit(trx, w.ctx.clock, { type: 'system', id: null, label: 'matrix', requestId: null, ip: null }, {
      action: 'matrix.fixture',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'fixture',
      objectId: marker,
    }),
  );
  const row = await w.ctx.db.selectFrom('audit_log').select('seq').where('object_id', '=', marker).executeTakeFirstOrThrow();
  return row.seq.toString();
}

export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
