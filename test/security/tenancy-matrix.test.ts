/**
 * The generated access matrix: every role × every resource × every action, each against an object
 * in the caller's own subtree and (for tenant-owned resources) one in another tenant's.
 *
 * Expectations come from the default role → permission table (data, not code): a granted cell must
 * succeed; a denied cell must answer 403 and the identical request by a control user who holds the
 * permission must succeed (the positive control proving the request itself was valid). Objects of
 * another tenant must answer 404 (or be absent from lists and exports), whatever the role.
 *
 * Probes live in ./matrix/, one file per resource, or per part of one: a key `subscriptions/usage`
 * probes usage records under the subscriptions permissions.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allPermissions, defaultRoles, resources, roleKeys, type Permission } from '../../src/platform/auth/permissions.ts';
import { createTestContext, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';
import { probeFactories } from './matrix/index.ts';
import { permissionAction, type Action, type Probe, type World } from './matrix/world.ts';

/** The permission resource a probe key stands for: `subscriptions/usage` → `subscriptions`. */
const resourceOf = (key: string) => key.split('/')[0]!;

describe('cross-tenant access matrix', async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const world: World = { t, ctx: t.ctx, tree, home: tree.resellerA, outsider: tree.resellerB };
  const control = await sessionFor(t, await seedUser(t.ctx, world.home, 'developer'));
  const probes = Object.fromEntries(
    await Promise.all(Object.entries(probeFactories).map(async ([resource, factory]) => [resource, await factory(world)] as const)),
  );
  const sessions = new Map<string, Api>();
  for (const role of roleKeys) sessions.set(role, await sessionFor(t, await seedUser(t.ctx, world.home, role)));

  it('probes every permission of the catalogue, and the developer (control) holds every permission', () => {
    expect([...new Set(Object.keys(probes).map(resourceOf))].sort()).toEqual(Object.keys(resources).sort());
    const exercised = new Set(
      Object.entries(probes).flatMap(([key, actions]) => Object.keys(actions).map((a) => `${resourceOf(key)}.${permissionAction[a as Action]}`)),
    );
    expect(allPermissions.filter((p) => !exercised.has(p))).toEqual([]);
    expect([...defaultRoles.developer.permissions].sort()).toEqual([...allPermissions].sort());
  });

  const tally = { cells: 0, allowed: 0, denied: 0, foreign: 0, unexpected: 0 };
  afterAll(() => {
    // The figure quoted in the issue note.
    console.log(
      `tenancy matrix: ${tally.cells} cells (${tally.allowed} allowed, ${tally.denied} denied with positive control), ` +
        `${tally.foreign} cross-tenant probes, ${tally.unexpected} unexpected`,
    );
  });

  const probeActions = (key: string) => Object.keys(probes[key] ?? {}) as Action[];
  for (const role of roleKeys) {
    const granted = new Set<string>(defaultRoles[role].permissions);
    for (const resource of Object.keys(probeFactories)) {
      for (const action of Object.keys(permissionAction) as Action[]) {
        const permission = `${resourceOf(resource)}.${permissionAction[action]}` as Permission;
        // Singletons have no list; a resource without update has no update probe: no cell.
        if (!(allPermissions as string[]).includes(permission) || !probeActions(resource).includes(action)) continue;
        const allowed = granted.has(permission);
        it(`${role} ${allowed ? 'may' : 'may not'} ${action} ${resource}`, async () => {
          tally.cells++;
          const probe: Probe | undefined = probes[resource]?.[action];
          try {
            const api = sessions.get(role)!;
            const res = await probe!.own(api);
            if (allowed) {
              expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
              expect(res.statusCode, res.body).toBeLessThan(300);
              tally.allowed++;
            } else {
              expect(res.statusCode, res.body).toBe(403);
              const positive = await probe!.own(control);
              expect(positive.statusCode, `positive control: ${positive.body}`).toBeLessThan(300);
              tally.denied++;
            }
            if (probe!.foreign) {
              const f = await probe!.foreign(api);
              expect(await f.leaked(), `${role} reached another tenant's ${resource}`).toBe(false);
              if (!allowed) expect(f.res.statusCode).toBe(403);
              else if (action === 'list' || action === 'export') expect(f.res.statusCode).toBe(200);
              else expect(f.res.statusCode, f.res.body).toBe(404);
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
    const rootAdmin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
    expect((await rootAdmin.get(`/api/organizations/${world.outsider.id}`)).statusCode).toBe(200);
    const outsiderUser = await seedUser(t.ctx, world.outsider, 'customer');
    expect((await rootAdmin.get(`/api/users/${outsiderUser.id}`)).statusCode).toBe(200);
  });
});
