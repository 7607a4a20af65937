/**
 * Netwatch: is each active NAS reachable? Two checks, each used when it applies: a TCP connection
 * to its management API port (when one is configured), and a RADIUS Status-Server probe (RFC 5997)
 * given by the RADIUS layer (src/radius registers it with useStatusServerProbe). A NAS that answers
 * any of its checks is up, one that answers none is down; one with no check stays as it is.
 * (ICMP ping needs raw sockets, which a Node process does not have; it is not shelled out to.)
 * Going down, and coming back after being down, each leave an event: the alert history.
 */
import { Socket } from 'node:net';
import type { AppContext } from '../../platform/context.ts';
import type { NasDevice } from '../../platform/db/schema/network.ts';
import type { RadiusClient } from '../../radius/contract.ts';
import { activeDevices } from './nas.repo.ts';

/** Sends Status-Server to the NAS and answers whether it replied in time. */
export type StatusServerProbe = (client: RadiusClient) => Promise<boolean>;
export type TcpCheck = (host: string, port: number, timeoutMs: number) => Promise<boolean>;

let registeredProbe: StatusServerProbe | null = null;

/** The RADIUS layer's Status-Server client, used by the health job from then on (null: none). */
export function useStatusServerProbe(probe: StatusServerProbe | null): void {
  registeredProbe = probe;
}

export const tcpConnects: TcpCheck = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });

export interface HealthOptions {
  probe?: StatusServerProbe | null;
  tcp?: TcpCheck;
  timeoutMs?: number;
  /** How many NAS are checked at once. */
  concurrency?: number;
}

export interface HealthReport {
  checked: number;
  up: number;
  down: number;
  unchecked: number;
  wentDown: string[];
  cameBack: string[];
}

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>;

async function reachable(deps: Deps, nas: NasDevice, opts: Required<Pick<HealthOptions, 'tcp' | 'timeoutMs'>> & { probe: StatusServerProbe | null }): Promise<{ ok: boolean; checks: Record<string, boolean> } | null> {
  const checks: Promise<[string, boolean]>[] = [];
  if (nas.api_kind !== 'none' && nas.api_port) checks.push(opts.tcp(nas.address, nas.api_port, opts.timeoutMs).then((ok) => ['api', ok]));
  if (opts.probe) {
    const probe = opts.probe;
    const client: RadiusClient = {
      id: nas.id,
      organizationId: nas.organization_id,
      name: nas.name,
      type: nas.type,
      address: nas.address,
      secret: deps.secrets.open(nas.secret_enc),
      requireMessageAuthenticator: nas.require_message_authenticator,
      coaPort: nas.coa_port,
    };
    checks.push(probe(client).then((ok) => ['radius', ok], () => ['radius', false]));
  }
  if (!checks.length) return null;
  const results = Object.fromEntries(await Promise.all(checks));
  return { ok: Object.values(results).some(Boolean), checks: results };
}

/** Checks every active NAS once and records what changed. */
export async function checkNasHealth(deps: Deps, options: HealthOptions = {}): Promise<HealthReport> {
  const opts = { probe: options.probe === undefined ? registeredProbe : options.probe, tcp: options.tcp ?? tcpConnects, timeoutMs: options.timeoutMs ?? 3_000 };
  const report: HealthReport = { checked: 0, up: 0, down: 0, unchecked: 0, wentDown: [], cameBack: [] };
  const queue = await activeDevices(deps.db);
  const worker = async () => {
    for (let nas = queue.shift(); nas; nas = queue.shift()) {
      let result: Awaited<ReturnType<typeof reachable>>;
      try {
        result = await reachable(deps, nas, opts);
      } catch (err) {
        deps.logger.warn({ err, nasId: nas.id }, 'NAS health check failed');
        continue;
      }
      if (!result) {
        report.unchecked++;
        continue;
      }
      report.checked++;
      report[result.ok ? 'up' : 'down']++;
      await record(deps, nas, result.ok, result.checks, report);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 20 }, worker));
  return report;
}

async function record(deps: Deps, nas: NasDevice, ok: boolean, checks: Record<string, boolean>, report: HealthReport): Promise<void> {
  const now = deps.clock.now();
  const status = ok ? 'up' : 'down';
  if (nas.status === status) {
    if (ok) await deps.db.updateTable('nas_devices').set({ last_seen_at: now }).where('id', '=', nas.id).execute();
    return;
  }
  await deps.db.transaction().execute(async (trx) => {
    // Conditional on the status read before the checks, so a change is recorded once however many runs overlap.
    const changed = await trx
      .updateTable('nas_devices')
      .set({ status, status_changed_at: now, ...(ok ? { last_seen_at: now } : {}) })
      .where('id', '=', nas.id)
      .where('status', '=', nas.status)
      .where('active', '=', true)
      .executeTakeFirst();
    if (changed.numUpdatedRows === 0n) return;
    // First sight of a NAS that is up is no alert; going down is, and so is coming back from down.
    if (status === 'up' && nas.status !== 'down') return;
    await trx.insertInto('nas_events').values({ nas_id: nas.id, organization_id: nas.organization_id, kind: status, at: now, details: { checks } }).execute();
    (status === 'down' ? report.wentDown : report.cameBack).push(nas.id);
    deps.logger[status === 'down' ? 'warn' : 'info']({ nasId: nas.id, name: nas.name, checks }, status === 'down' ? 'NAS went down' : 'NAS came back');
  });
}
