/**
 * The RADIUS server's directory of NAS (ClientDirectory in src/radius/contract.ts): every active
 * NAS, secret decrypted, in a map by source address, so a packet never waits on the database.
 *
 * It reloads when the NAS list changes: at once for changes made in this process (nas-changes.ts),
 * through PostgreSQL's LISTEN for changes made by any process (the nas_devices trigger notifies
 * uplink_nas_changed; PGlite delivers its own notifications the same way), and every 30 s whatever
 * happens, so a lost notification or a dropped listening connection costs at most 30 s.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { normaliseAddress } from '../../core/ipam.ts';
import type { AppContext } from '../../platform/context.ts';
import type { ClientDirectory, RadiusClient } from '../../radius/contract.ts';
import { onNasChanged } from './nas-changes.ts';
import { activeDevices } from './nas.repo.ts';

export const NAS_CHANNEL = 'uplink_nas_changed';

type Deps = Pick<AppContext, 'db' | 'secrets' | 'database' | 'config' | 'logger'>;

export class NasDirectory implements ClientDirectory {
  #clients = new Map<string, RadiusClient>();
  #loading: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stops: (() => Promise<void> | void)[] = [];
  readonly #deps: Deps;
  readonly #logger: Logger;
  /** How many times the map was (re)built; for tests and metrics. */
  loads = 0;

  constructor(deps: Deps, readonly opts: { reloadEveryMs?: number } = {}) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ part: 'nas-directory' });
  }

  /** Loads the NAS list, then keeps it fresh until stop(). */
  async start(): Promise<void> {
    await this.reload();
    this.#stops.push(onNasChanged(() => void this.reload()));
    await this.#listen();
    this.#timer = setInterval(() => void this.reload(), this.opts.reloadEveryMs ?? 30_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const stop of this.#stops.splice(0)) await stop();
    await this.#loading;
  }

  byAddress(address: string): RadiusClient | null {
    const key = normaliseAddress(address);
    return key === null ? null : (this.#clients.get(key) ?? null);
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Rebuilds the map; a reload asked for while one runs is done once more after it (changes coalesce). */
  reload(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = (async () => {
      do {
        this.#again = false;
        try {
          this.#clients = await this.#load();
          this.loads++;
        } catch (err) {
          // Keep answering from the last good map; the next change or tick tries again.
          this.#logger.error({ err }, 'could not reload the NAS list');
        }
      } while (this.#again);
    })().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  async #load(): Promise<Map<string, RadiusClient>> {
    const map = new Map<string, RadiusClient>();
    for (const nas of await activeDevices(this.#deps.db)) {
      const address = normaliseAddress(nas.address);
      if (!address) continue;
      let secret: string;
      try {
        secret = this.#deps.secrets.open(nas.secret_enc);
      } catch {
        // Sealed with another key (a restore onto a new install): its packets are dropped until the secret is set again.
        this.#logger.warn({ nasId: nas.id }, 'the NAS shared secret cannot be decrypted');
        continue;
      }
      map.set(address, {
        id: nas.id,
        organizationId: nas.organization_id,
        name: nas.name,
        type: nas.type,
        address,
        secret,
        requireMessageAuthenticator: nas.require_message_authenticator,
        coaPort: nas.coa_port,
      });
    }
    return map;
  }

  async #listen(): Promise<void> {
    const { database, config } = this.#deps;
    const onNotify = () => void this.reload();
    if (database.pglite) {
      const unlisten = await database.pglite.listen(NAS_CHANNEL, onNotify);
      this.#stops.push(unlisten);
      return;
    }
    if (!config.databaseUrl) return;
    // LISTEN needs a connection of its own, held open: a pooled one would be handed to other queries.
    const connect = async (): Promise<void> => {
      const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'uplink-nas-directory' });
      let stopped = false;
      client.on('notification', onNotify);
      client.on('error', (err) => {
        this.#logger.warn({ err: err.message }, 'NAS change listener lost its connection; reconnecting');
        client.end().catch(() => undefined);
        if (!stopped) setTimeout(() => void connect().catch(() => undefined), 5_000).unref();
      });
      this.#stops.push(async () => {
        stopped = true;
        await client.end().catch(() => undefined);
      });
      await client.connect();
      await client.query(`listen ${NAS_CHANNEL}`);
      // Changes made while we were not listening.
      void this.reload();
    };
    try {
      await connect();
    } catch (err) {
      this.#logger.warn({ err }, 'cannot LISTEN for NAS changes; reloading every 30 s only');
    }
  }
}
