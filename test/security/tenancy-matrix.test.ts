/**
 * The generated access matrix: every role × every resource × every action, each against an object
 * in the caller's own subtree and (for tenant-owned resources) one in another tenant's.
 *
 * Expectations come from the default role → permission table (data, not code): a granted cell must
 * succeed; a denied cell must answer 403 and the identical request by a control user who holds the
 * permission must succeed (the positive control proving the request itself was valid). Objects of
 * another tenant must answer 404 (or be absent from lists and exports), whatever the role.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/platform/audit/audit.ts';
import { defaultRoles, roleKeys, type Permission } from '../../src/platform/auth/permissions.ts';
import { sha256 } from '../../src/platform/crypto.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { createTestContext, seedOrganization, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import type { LightMyRequestResponse } from 'fastify';

type Action = 'list' | 'get' | 'create' | 'update' | 'delete' | 'export';
const permissionAction: Record<Action, string> = { list: 'read', get: 'read', create: 'create', update: 'update', delete: 'delete', export: 'export' };

interface Probe {
  /** The request against an object in the caller's subtree; must succeed when allowed. */
  own(api: Api): Promise<LightMyRequestResponse>;
  /** The request against another tenant's object; must not reveal or change it. */
  foreign?(api: Api): Promise<{ res: LightMyRequestResponse; leaked: () => Promise<boolean> }>;
}

describe('cross-tenant access matrix', async () => {
  const t = await createTestContext();
  const { ctx } = t;
  const tree = await seedTree(ctx);
  const home = tree.resellerA; // every caller lives here; reseller B and the ISP root are other tenants
  const control = await sessionFor(t, await seedUser(ctx, home, 'developer'));
  const outsider = tree.resellerB;

  const freshOrg = (parent: Organization) => seedOrganization(ctx, parent, 'card_partner');
  const freshCustomer = (org: Organization) => seedUser(ctx, org, 'customer');
  async function freshToken(org: Organization) {
    const owner = await seedUser(ctx, org, 'admin');
    return ctx.db
      .insertInto('api_tokens')
      .values({
        organization_id: org.id,
        user_id: owner.id,
        name: 'fixture',
        token_prefix: 'upl_fixture',
        token_hash: sha256(randomUUID()),
        scopes: ['organizations.read'],
        created_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  async function freshAudit(org: Organization, marker: string) {
    await ctx.db.transaction().execute((trx) =>
      appendAudit(trx, ctx.clock, { type: 'system', id: null, label: 'matrix', requestId: null, ip: null }, {
        action: 'matrix.fixture',
        organizationId: org.id,
        organizationPath: org.path,
        objectType: 'fixture',
        objectId: marker,
      }),
    );
    const row = await ctx.db.selectFrom('audit_log').select('seq').where('object_id', '=', marker).executeTakeFirstOrThrow();
    return row.seq.toString();
  }
  async function freshRole() {
    const key = `r_${randomUUID().slice(0, 8)}`;
    await ctx.db.insertInto('roles').values({ key, name: key, description: '', builtin: false }).execute();
    return key;
  }
  const orgExists = async (id: string) => !!(await ctx.db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst());
  const userName = async (id: string) => (await ctx.db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirst())?.name;

  const foreignOrgForList = await freshOrg(outsider);
  const foreignUserForList = await freshCustomer(outsider);
  const foreignTokenForList = await freshToken(outsider);
  const foreignAuditMarker = `foreign-${randomUUID()}`;
  const foreignAuditSeq = await freshAudit(outsider, foreignAuditMarker);

  const probes: Record<string, Partial<Record<Action, Probe>>> = {
    organizations: {
      list: {
        own: (api) => api.get('/api/organizations?limit=200'),
        foreign: async (api) => {
          const res = await api.get('/api/organizations?limit=200');
          return { res, leaked: async () => res.body.includes(foreignOrgForList.id) || res.body.includes(tree.isp.name) || res.body.includes(outsider.id) };
        },
      },
      get: {
        own: async (api) => api.get(`/api/organizations/${(await freshOrg(home)).id}`),
        foreign: async (api) => ({ res: await api.get(`/api/organizations/${outsider.id}`), leaked: async () => false }),
      },
      create: {
        own: (api) => api.post('/api/organizations', { parentId: home.id, kind: 'card_partner', name: `Cards ${randomUUID().slice(0, 5)}` }),
        foreign: async (api) => {
          const name = `Intruder ${randomUUID()}`;
          const res = await api.post('/api/organizations', { parentId: outsider.id, kind: 'card_partner', name });
          return { res, leaked: async () => !!(await ctx.db.selectFrom('organizations').select('id').where('name', '=', name).executeTakeFirst()) };
        },
      },
      update: {
        own: async (api) => api.patch(`/api/organizations/${(await freshOrg(home)).id}`, { name: 'Renamed' }),
        foreign: async (api) => {
          const target = await freshOrg(outsider);
          const res = await api.patch(`/api/organizations/${target.id}`, { name: 'Hijacked' });
          return { res, leaked: async () => (await ctx.db.selectFrom('organizations').select('name').where('id', '=', target.id).executeTakeFirstOrThrow()).name === 'Hijacked' };
        },
      },
      delete: {
        own: async (api) => api.delete(`/api/organizations/${(await freshOrg(home)).id}`),
        foreign: async (api) => {
          const target = await freshOrg(outsider);
          const res = await api.delete(`/api/organizations/${target.id}`);
          return { res, leaked: async () => !(await orgExists(target.id)) };
        },
      },
      export: {
        own: (api) => api.get('/api/organizations/export'),
        foreign: async (api) => {
          const res = await api.get('/api/organizations/export');
          return { res, leaked: async () => res.body.includes(foreignOrgForList.id) };
        },
      },
    },
    users: {
      list: {
        own: (api) => api.get('/api/users?limit=200'),
        foreign: async (api) => {
          const res = await api.get('/api/users?limit=200');
          return { res, leaked: async () => res.body.includes(foreignUserForList.id) };
        },
      },
      get: {
        own: async (api) => api.get(`/api/users/${(await freshCustomer(home)).id}`),
        foreign: async (api) => ({ res: await api.get(`/api/users/${foreignUserForList.id}`), leaked: async () => false }),
      },
      create: {
        own: (api) => api.post('/api/users', { organizationId: home.id, email: `c-${randomUUID()}@example.test`, name: 'New customer', role: 'customer', password: 'a long enough passphrase' }),
        foreign: async (api) => {
          const email = `intruder-${randomUUID()}@example.test`;
          const res = await api.post('/api/users', { organizationId: outsider.id, email, name: 'Intruder', role: 'customer', password: 'a long enough passphrase' });
          return { res, leaked: async () => !!(await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) };
        },
      },
      update: {
        own: async (api) => api.patch(`/api/users/${(await freshCustomer(home)).id}`, { name: 'Renamed' }),
        foreign: async (api) => {
          const target = await freshCustomer(outsider);
          const res = await api.patch(`/api/users/${target.id}`, { name: 'Hijacked' });
          return { res, leaked: async () => (await userName(target.id)) === 'Hijacked' };
        },
      },
      delete: {
        own: async (api) => api.delete(`/api/users/${(await freshCustomer(home)).id}`),
        foreign: async (api) => {
          const target = await freshCustomer(outsider);
          const res = await api.delete(`/api/users/${target.id}`);
          return { res, leaked: async () => (await userName(target.id)) === undefined };
        },
      },
      export: {
        own: (api) => api.get('/api/users/export'),
        foreign: async (api) => {
          const res = await api.get('/api/users/export');
          return { res, leaked: async () => res.body.includes(foreignUserForList.id) };
        },
      },
    },
    api_tokens: {
      list: {
        own: (api) => api.get('/api/api-tokens?limit=200'),
        foreign: async (api) => {
          const res = await api.get('/api/api-tokens?limit=200');
          return { res, leaked: async () => res.body.includes(foreignTokenForList.id) };
        },
      },
      get: {
        own: async (api) => api.get(`/api/api-tokens/${(await freshToken(home)).id}`),
        foreign: async (api) => ({ res: await api.get(`/api/api-tokens/${foreignTokenForList.id}`), leaked: async () => false }),
      },
      create: { own: (api) => api.post('/api/api-tokens', { name: 'integration', scopes: ['organizations.read'] }) },
      delete: {
        own: async (api) => api.delete(`/api/api-tokens/${(await freshToken(home)).id}`),
        foreign: async (api) => {
          const target = await freshToken(outsider);
          const res = await api.delete(`/api/api-tokens/${target.id}`);
          const row = await ctx.db.selectFrom('api_tokens').select('revoked_at').where('id', '=', target.id).executeTakeFirstOrThrow();
          return { res, leaked: async () => row.revoked_at !== null };
        },
      },
    },
    audit: {
      list: {
        own: (api) => api.get('/api/audit?limit=200'),
        foreign: async (api) => {
          const res = await api.get('/api/audit?limit=200');
          return { res, leaked: async () => res.body.includes(foreignAuditMarker) };
        },
      },
      get: {
        own: async (api) => api.get(`/api/audit/${await freshAudit(home, `own-${randomUUID()}`)}`),
        foreign: async (api) => ({ res: await api.get(`/api/audit/${foreignAuditSeq}`), leaked: async () => false }),
      },
      export: {
        own: (api) => api.get('/api/audit/export'),
        foreign: async (api) => {
          const res = await api.get('/api/audit/export');
          return { res, leaked: async () => res.body.includes(foreignAuditMarker) };
        },
      },
    },
    roles: {
      list: { own: (api) => api.get('/api/roles') },
      get: { own: (api) => api.get('/api/roles/staff') },
      create: { own: (api) => api.post('/api/roles', { key: `c_${randomUUID().slice(0, 8)}`, name: 'Custom', permissions: [] }) },
      update: { own: async (api) => api.patch(`/api/roles/${await freshRole()}`, { name: 'Renamed role' }) },
      delete: { own: async (api) => api.delete(`/api/roles/${await freshRole()}`) },
    },
    settings: {
      get: { own: (api) => api.get('/api/settings') },
      update: { own: (api) => api.patch('/api/settings', { platformName: 'Uplink' }) },
    },
  };

  const sessions = new Map<string, Api>();
  for (const role of roleKeys) sessions.set(role, await sessionFor(t, await seedUser(ctx, home, role)));

  const tally = { cells: 0, allowed: 0, denied: 0, foreign: 0, unexpected: 0 };
  afterAll(() => {
    // The figure quoted in the issue note.
    console.log(`tenancy matrix: ${tally.cells} cells (${tally.allowed} allowed, ${tally.denied} denied with positive control), ${tally.foreign} cross-tenant probes, ${tally.unexpected} unexpected`);
  });

  for (const role of roleKeys) {
    const granted = new Set<string>(defaultRoles[role].permissions);
    for (const [resource, actions] of Object.entries(probes)) {
      for (const [action, probe] of Object.entries(actions) as [Action, Probe][]) {
        const permission = `${resource}.${permissionAction[action]}` as Permission;
        const allowed = granted.has(permission);
        it(`${role} ${allowed ? 'may' : 'may not'} ${action} ${resource}`, async () => {
          tally.cells++;
          const api = sessions.get(role)!;
          const res = await probe.own(api);
          try {
            if (allowed) {
              expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
              expect(res.statusCode, res.body).toBeLessThan(300);
              tally.allowed++;
            } else {
              expect(res.statusCode, res.body).toBe(403);
              const positive = await probe.own(control);
              expect(positive.statusCode, `positive control: ${positive.body}`).toBeLessThan(300);
              tally.denied++;
            }
            if (probe.foreign) {
              const f = await probe.foreign(api);
              expect(await f.leaked(), `${role} reached another tenant's ${resource}`).toBe(false);
              if (allowed && action !== 'list' && action !== 'export') expect(f.res.statusCode, f.res.body).toBe(404);
              else if (!allowed) expect(f.res.statusCode).toBe(403);
              else expect(f.res.statusCode).toBe(200);
              tally.foreign++;
            }
          } catch (err) {
            tally.unexpected++;
            throw err;
          }
        });
      }
    }
  }

  it('the ISP level sees every tenant (the positive control for the 404s above)', async () => {
    const rootAdmin = await sessionFor(t, await seedUser(ctx, tree.isp, 'admin'));
    const res = await rootAdmin.get(`/api/organizations/${outsider.id}`);
    expect(res.statusCode).toBe(200);
    const users = await rootAdmin.get(`/api/users/${foreignUserForList.id}`);
    expect(users.statusCode).toBe(200);
    const audit = await rootAdmin.get(`/api/audit/${foreignAuditSeq}`);
    expect(audit.statusCode).toBe(200);
  });
});
