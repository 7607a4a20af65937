/**
 * The radius role: the RADIUS server of src/radius with the network module's NAS directory, the
 * AAA policy (with its change listener) and the accounting sink; and the worker's enforcement
 * sender. Started by the composition root (src/main.ts) for the roles a process runs.
 */
import type { AppContext } from '../../platform/context.ts';
import { createChangeSender, createRadiusServer, type RadiusServer } from '../../radius/index.ts';
import { NasDirectory } from '../network/radius-clients.ts';
import { startEnforcementWorker } from './aaa.jobs.ts';
import { AaaAccounting } from './accounting.ts';
import { listenForChanges } from './decision-cache.ts';
import { AaaPolicy } from './policy.ts';

export interface RadiusRole {
  server: RadiusServer;
  policy: AaaPolicy;
  accounting: AaaAccounting;
  stop(): Promise<void>;
}

export async function startRadiusRole(ctx: AppContext): Promise<RadiusRole> {
  const logger = ctx.logger.child({ part: 'radius' });
  const clients = new NasDirectory(ctx);
  await clients.start();
  const policy = new AaaPolicy(ctx);
  const stopListening = await listenForChanges(ctx, policy.cache);
  const accounting = new AaaAccounting(ctx);
  const { host, authPort, acctPort } = ctx.config.radius;
  const server = createRadiusServer({ auth: { port: authPort, host }, acct: { port: acctPort, host }, clients, policy, accounting, logger, clock: ctx.clock });
  try {
    await server.start();
  } catch (err) {
    await stopListening();
    await clients.stop();
    throw err;
  }
  logger.info({ auth: server.addresses.auth.port, acct: server.addresses.acct.port }, 'RADIUS server listening');
  return {
    server,
    policy,
    accounting,
    stop: async () => {
      await server.stop();
      await accounting.drain();
      await policy.drain();
      await stopListening();
      await clients.stop();
    },
  };
}

/** The worker's CoA/Disconnect sender over the enforcement outbox. */
export function startEnforcement(ctx: AppContext, everyMs?: number): () => Promise<void> {
  const sender = createChangeSender({ logger: ctx.logger.child({ part: 'coa' }) });
  const stop = startEnforcementWorker(ctx, sender, everyMs);
  return async () => {
    await stop();
    await sender.close();
  };
}
