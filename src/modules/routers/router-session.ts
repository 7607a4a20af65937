/**
 * Talking to a NAS's router: the adapter its api_kind names (binary API or REST), its decrypted API
 * password, its pinned certificate, and a command log that is written whatever happens — a command
 * that failed halfway is exactly the one an operator will look for.
 */
import { BinaryApiClient } from '../../integrations/mikrotik/api-client.ts';
import type { CommandRecord, RouterClient, RouterConnectOptions } from '../../integrations/mikrotik/client.ts';
import { RouterError } from '../../integrations/mikrotik/errors.ts';
import { RestClient } from '../../integrations/mikrotik/rest-client.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, UnprocessableError } from '../../platform/errors.ts';
import * as repo from './routers.repo.ts';

export type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'logger'>;

/** The router could not be reached or refused: 502, with what went wrong in words. */
export class RouterUnavailableError extends AppError {
  constructor(readonly routerError: RouterError) {
    super(502, `router-${routerError.kind}`, `The router did not do it: ${routerError.message}`);
  }
}

export const defaultPort = (nas: Pick<repo.RouterNas, 'api_kind' | 'api_tls'>) =>
  nas.api_kind === 'rest' ? (nas.api_tls ? 443 : 80) : nas.api_tls ? 8729 : 8728;

/** The address to reach the router's API: the NAS's own address (inet text, without a host mask). */
export const hostOf = (nas: Pick<repo.RouterNas, 'address'>) => nas.address.replace(/\/(32|128)$/, '');

export async function connectOptions(deps: Deps, nas: repo.RouterNas): Promise<RouterConnectOptions> {
  if (nas.type !== 'mikrotik') throw new UnprocessableError('Router management speaks to MikroTik routers only', [{ field: 'type', message: 'must be mikrotik' }]);
  if (nas.api_kind === 'none' || !nas.api_username || !nas.api_password_enc)
    throw new UnprocessableError('This NAS has no management API configured', [{ field: 'apiKind', message: 'must be rest or binary, with a user name and password' }]);
  return {
    host: hostOf(nas),
    port: nas.api_port ?? defaultPort(nas),
    username: nas.api_username,
    password: deps.secrets.open(nas.api_password_enc),
    tls: nas.api_tls ? { fingerprint: await repo.pinOf(deps.db, nas.id) } : null,
    timeoutMs: 10_000,
  };
}

/**
 * Connects, runs `work`, closes, and writes every command sent to the log. A RouterError becomes
 * RouterUnavailableError unless `raw` asks for it as it is (the connection test reports it).
 */
export async function withRouter<T>(deps: Deps, nas: repo.RouterNas, userId: string | null, work: (client: RouterClient) => Promise<T>, raw = false): Promise<T> {
  const options = await connectOptions(deps, nas);
  const records: CommandRecord[] = [];
  const protocol = nas.api_kind === 'rest' ? 'rest' : 'binary';
  const connectStarted = deps.clock.now();
  let client: RouterClient | null = null;
  try {
    const opts = { ...options, observer: (r: CommandRecord) => records.push(r) };
    client = protocol === 'rest' ? await RestClient.connect(opts) : await BinaryApiClient.connect(opts);
    return await work(client);
  } catch (err) {
    // A connection that never opened sent no command; log the attempt so the failure is on record.
    if (err instanceof RouterError && records.length === 0)
      records.push({ command: `connect ${protocol} ${options.host}:${options.port}`, outcome: 'error', message: err.message, durationMs: deps.clock.now().getTime() - connectStarted.getTime() });
    if (err instanceof RouterError && !raw) throw new RouterUnavailableError(err);
    throw err;
  } finally {
    await client?.close().catch(() => undefined);
    const at = deps.clock.now();
    await repo
      .insertCommands(
        deps.db,
        records.map((r) => ({
          nas_id: nas.id,
          organization_id: nas.organization_id,
          user_id: userId,
          protocol,
          command: r.command,
          outcome: r.outcome,
          message: r.message,
          duration_ms: Math.max(0, r.durationMs),
          at,
        })),
      )
      .catch((e: unknown) => deps.logger.error({ err: e instanceof Error ? e.message : String(e), nasId: nas.id }, 'router command log not written'));
  }
}
