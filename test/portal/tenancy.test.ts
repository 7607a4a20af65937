import { afterAll, describe, expect, it } from 'vitest';
import { roleKeys } from '../../src/platform/auth/permissions.ts';
import { portalCustomerProbes } from '../security/matrix/portal.ts';
import type { World } from '../security/matrix/world.ts';
import { createTestContext, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

// The portal-login route is an ordinary staff route: the tenancy matrix probes it (subscribers/portal-login).

/**
 * The portal itself needs no staff permission, so the permission matrix cannot hold it: every login
 * that is not a subscriber's own (every role, a customer without a subscriber among them) is refused
 * every portal endpoint, each refusal with the positive control of the subscriber's own login; that
 * login reaches no other subscriber's data, in its own organization or another tenant.
 */
describe(`customer portal: logins × endpoints × subscribers (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const world: World = { t, ctx: t.ctx, tree, home: tree.resellerA, outsider: tree.resellerB };
  const { customer, probes, close } = await portalCustomerProbes(world);
  afterAll(close);
  const tally = { refused: 0, own: 0, foreign: 0 };

  for (const role of roleKeys)
    for (const [name, probe] of Object.entries(probes))
      it(`a ${role} login without a subscriber may not call ${name}`, async () => {
        const api = await sessionFor(t, await seedUser(t.ctx, world.home, role));
        expect((await probe.own(api)).statusCode).toBe(403);
        const positive = await probe.own(customer);
        expect(positive.statusCode, `positive control: ${positive.body.slice(0, 200)}`).toBe(200);
        const f = await probe.foreign!(api);
        expect(f.res.statusCode).toBe(403);
        expect(await f.leaked()).toBe(false);
        tally.refused++;
      });

  for (const [name, probe] of Object.entries(probes))
    it(`the subscriber's own login calls ${name} and reaches no other subscriber's data`, async () => {
      const own = await probe.own(customer);
      expect(own.statusCode, own.body.slice(0, 200)).toBe(200);
      tally.own++;
      const f = await probe.foreign!(customer);
      expect(await f.leaked(), `${name} reached another subscriber`).toBe(false);
      expect(f.res.statusCode, f.res.body.slice(0, 200)).toBe(['me', 'subscriptions', 'invoices', 'statement', 'savedCards'].includes(name) ? 200 : 404);
      tally.foreign++;
    });

  it('covered every login and endpoint', () => {
    const endpoints = Object.keys(probes).length;
    expect(endpoints).toBe(10);
    expect(tally).toEqual({ refused: roleKeys.length * endpoints, own: endpoints, foreign: endpoints });
  });
});
