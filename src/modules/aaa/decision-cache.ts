/**
 * The inputs of access decisions kept in memory, so an Access-Request costs no query but the count
 * of open sessions. Correctness first: the database's triggers (migration 20261122T0340_aaa) NOTIFY
 * on channel uplink_aaa after every commit that changes a subscription, a plan, a NAS, an
 * organization, the AAA settings or a quota state; each RADIUS process LISTENs and forgets what
 * changed. While the listening connection is down, nothing is cached at all. A load that raced an
 * invalidation is not kept (generation count). Entries also expire after a minute, a backstop.
 */
import pg from 'pg';
import type { AppContext } from '../../platform/context.ts';
import type { DecisionRow, OrganizationSettings } from './aaa.repo.ts';

export const CHANNEL = 'uplink_aaa';
const TTL_MS = 60_000;

interface Entry<T> {
  value: T;
  at: number;
}

export class DecisionCache {
  readonly #subs = new Map<string, Entry<DecisionRow>>();
  /** subscription id → the lower-case username its entry is filed under. */
  readonly #names = new Map<string, string>();
  readonly #orgs = new Map<string, Entry<OrganizationSettings>>();
  #generation = 0;
  #enabled: boolean;

  constructor(
    private readonly now: () => number,
    opts: { enabled?: boolean } = {},
  ) {
    this.#enabled = opts.enabled ?? true;
  }

  /** Caching only while changes can be heard. */
  setEnabled(on: boolean): void {
    this.#enabled = on;
    this.forget('*');
  }

  async subscription(username: string, load: () => Promise<DecisionRow | undefined>): Promise<DecisionRow | undefined> {
    const key = username.toLowerCase();
    const hit = this.#fresh(this.#subs.get(key));
    if (hit) return hit;
    const generation = this.#generation;
    const row = await load();
    // Unknown names are not kept: a subscription created a moment later must be found.
    if (row && this.#enabled && generation === this.#generation) {
      this.#subs.set(key, { value: row, at: this.now() });
      this.#names.set(row.id, key);
    }
    return row;
  }

  async organization(id: string, load: () => Promise<OrganizationSettings | undefined>): Promise<OrganizationSettings | undefined> {
    const hit = this.#fresh(this.#orgs.get(id));
    if (hit) return hit;
    const generation = this.#generation;
    const value = await load();
    if (value && this.#enabled && generation === this.#generation) this.#orgs.set(id, { value, at: this.now() });
    return value;
  }

  /** A NOTIFY payload: '*' (everything), 's:<subscription id>' or 'p:<plan id>'. */
  forget(payload: string): void {
    this.#generation++;
    if (payload.startsWith('s:')) {
      const key = this.#names.get(payload.slice(2));
      if (key) this.#subs.delete(key);
      this.#names.delete(payload.slice(2));
      return;
    }
    if (payload.startsWith('p:')) {
      const plan = payload.slice(2);
      for (const [key, e] of this.#subs)
        if (e.value.plan_id === plan) {
          this.#subs.delete(key);
          this.#names.delete(e.value.id);
        }
      return;
    }
    this.#subs.clear();
    this.#names.clear();
    this.#orgs.clear();
  }

  get size(): number {
    return this.#subs.size;
  }

  #fresh<T>(e: Entry<T> | undefined): T | undefined {
    if (!e || !this.#enabled) return undefined;
    if (this.now() - e.at > TTL_MS) return undefined;
    return e.value;
  }
}

/**
 * Subscribes the cache to the database's change notices: through PGlite's own notification hook on
 * the embedded engine (same process), through a dedicated LISTEN connection on a server, which is
 * reopened after a loss (the cache stays off until it is back). Returns the stop function.
 */
export async function listenForChanges(ctx: Pick<AppContext, 'database' | 'config' | 'logger'>, cache: DecisionCache): Promise<() => Promise<void>> {
  const { database } = ctx;
  if (database.pglite) {
    const pglite = database.pglite;
    const off = pglite.onNotification((channel, payload) => {
      if (channel === CHANNEL) cache.forget(payload);
    });
    await database.sql.executeSql(`listen ${CHANNEL}`);
    cache.setEnabled(true);
    return async () => {
      off();
      await database.sql.executeSql(`unlisten ${CHANNEL}`).catch(() => undefined);
    };
  }
  const url = ctx.config.databaseUrl;
  if (!url) {
    cache.setEnabled(false);
    return async () => undefined;
  }
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, application_name: 'uplink-aaa-listen' });
    const lost = () => {
      if (client !== c) return;
      client = undefined;
      cache.setEnabled(false);
      c.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(() => void connect().catch(() => lost()), 1000);
    };
    c.on('error', (err) => {
      ctx.logger.warn({ err: err.message }, 'AAA change listener lost its connection; decisions are not cached until it is back');
      lost();
    });
    c.on('end', lost);
    c.on('notification', (n) => {
      if (n.channel === CHANNEL) cache.forget(n.payload ?? '*');
    });
    client = c;
    try {
      await c.connect();
      await c.query(`listen ${CHANNEL}`);
      cache.setEnabled(true);
    } catch (err) {
      ctx.logger.warn({ err: (err as Error).message }, 'AAA change listener cannot connect; retrying');
      lost();
    }
  };
  cache.setEnabled(false);
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => undefined);
  };
}
