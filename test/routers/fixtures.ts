import { randomInt } from 'node:crypto';
import type { AppContext } from '../../src/platform/context.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { startRouterSimulator, type RouterSimulator } from '../../src/integrations/mikrotik/simulator.ts';

export const API_USER = 'uplink-api';
export const API_PASSWORD = 'router-pass-7731';

/**
 * A loopback address of its own (127.x.y.z): a NAS address is unique in the whole database, and
 * the router's API is reached at the NAS's address, so every simulated router listens on its own.
 */
export const loopbackAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** A MikroTik NAS whose management API is a running simulator (binary API or REST). */
export async function seedRouterNas(ctx: AppContext, org: Organization, kind: 'binary' | 'rest', opts: { sim?: RouterSimulator; port?: number } = {}) {
  const sim = opts.sim ?? (await startRouterSimulator({ host: loopbackAddress(), username: API_USER, password: API_PASSWORD }));
  const nas = await ctx.db
    .insertInto('nas_devices')
    .values({
      organization_id: org.id,
      name: `Router ${crypto.randomUUID().slice(0, 8)}`,
      type: 'mikrotik',
      address: opts.sim ? loopbackAddress() : sim.host,
      secret_enc: ctx.secrets.seal('radius-secret'),
      api_kind: kind,
      api_port: opts.port ?? (kind === 'rest' ? sim.restPort : sim.binaryPort),
      api_username: API_USER,
      api_password_enc: ctx.secrets.seal(API_PASSWORD),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { nas, sim };
}
