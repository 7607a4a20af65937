import { describe, expect, it } from 'vitest';
import { defaultRoles, roleKeys, type Permission } from '../../src/platform/auth/permissions.ts';
import { permissionAction, type Action, type ProbeFactory, type World } from '../security/matrix/world.ts';
import { createTestContext, seedTree, seedUser, sessionFor, type Api } from '../support/app.ts';

/**
 * Runs one probe file the way the tenancy matrix does (every role × every probed action, a positive
 * control for each denial, another tenant's object answering 404 or absent), for a probe file that
 * shares its resource's permissions with another (usage with subscriptions, penalty classes with
 * billing) and so cannot hold that resource's key in the matrix's one-file-per-resource index.
 */
export function describeProbes(title: string, resource: string, factory: ProbeFactory): void {
  describe(title, async () => {
    const t = await createTestContext();
    const tree = await seedTree(t.ctx);
    const world: World = { t, ctx: t.ctx, tree, home: tree.resellerA, outsider: tree.resellerB };
    const control = await sessionFor(t, await seedUser(t.ctx, world.home, 'developer'));
    const probes = await factory(world);
    const sessions = new Map<string, Api>();
    for (const role of roleKeys) sessions.set(role, await sessionFor(t, await seedUser(t.ctx, world.home, role)));

    for (const role of roleKeys)
      for (const action of Object.keys(probes) as Action[]) {
        const permission = `${resource}.${permissionAction[action]}` as Permission;
        const allowed = defaultRoles[role].permissions.includes(permission);
        it(`${role} ${allowed ? 'may' : 'may not'} ${action} (${permission})`, async () => {
          const probe = probes[action]!;
          const api = sessions.get(role)!;
          const res = await probe.own(api);
          if (allowed) expect(res.statusCode, res.body).toBeLessThan(300);
          else {
            expect(res.statusCode, res.body).toBe(403);
            expect((await probe.own(control)).statusCode, 'positive control').toBeLessThan(300);
          }
          if (!probe.foreign) return;
          const f = await probe.foreign(api);
          expect(await f.leaked(), `${role} reached another tenant's object`).toBe(false);
          if (!allowed) expect(f.res.statusCode).toBe(403);
          else if (action === 'list' || action === 'export') expect(f.res.statusCode).toBe(200);
          else expect(f.res.statusCode, f.res.body).toBe(404);
        });
      }
  });
}
