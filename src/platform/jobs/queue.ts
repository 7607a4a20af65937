import PgBoss from 'pg-boss';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type { SqlExecutor } from '../db/database.ts';

/**
 * A job is declared once: name, zod payload, handler, and optionally a cron schedule. Handlers must
 * be idempotent: a job can run again after a crash or a retry.
 */
export interface JobDefinition<P = unknown> {
  name: string;
  payload: ZodType<P>;
  handler: (payload: P, meta: { jobId: string; retryCount: number }) => Promise<void>;
  /** Cron expression (UTC unless `timezone`), e.g. '0 2 * * *'. */
  cron?: string;
  timezone?: string;
  cronPayload?: P;
  retryLimit?: number;
  retryDelaySeconds?: number;
  expireInSeconds?: number;
}

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  trx?: Transaction<any> | Kysely<any>;
  singletonKey?: string;
  startAfter?: Date | number;
}

/** The durable queue on PostgreSQL (pg-boss 10), on the embedded database or a server alike. */
export class JobQueue {
  readonly #defs = new Map<string, JobDefinition<any>>();
  #boss: PgBoss | undefined;
  #working = false;

  constructor(
    private readonly executor: SqlExecutor,
    private readonly logger: Logger,
  ) {}

  define<P>(def: JobDefinition<P>): void {
    if (this.#defs.has(def.name)) throw new Error(`job ${def.name} is defined twice`);
    this.#defs.set(def.name, def);
  }

  get definitions(): JobDefinition<any>[] {
    return [...this.#defs.values()];
  }

  /** Creates the queue tables and queues; with `work`, also runs handlers and cron schedules. */
  async start(opts: { work: boolean; pollingIntervalSeconds?: number }): Promise<void> {
    const boss = new PgBoss({
      db: this.executor as PgBoss.Db,
      schema: 'pgboss',
      supervise: opts.work,
      schedule: opts.work,
      migrate: true,
    });
    boss.on('error', (err) => this.logger.warn({ err: err.message }, 'job queue error'));
    await boss.start();
    this.#boss = boss;
    for (const def of this.#defs.values()) {
      await boss.createQueue(def.name, {
        name: def.name,
        retryLimit: def.retryLimit ?? 5,
        retryDelay: def.retryDelaySeconds ?? 30,
        retryBackoff: true,
        expireInSeconds: def.expireInSeconds ?? 15 * 60,
      });
    }
    if (!opts.work) return;
    this.#working = true;
    for (const def of this.#defs.values()) {
      // includeMetadata: without it pg-boss hands out only id, name and data, and retryCount is lost.
      const workOptions = { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2, batchSize: 1, includeMetadata: true as const };
      await boss.work(def.name, workOptions, async (jobs) => {
        for (const job of jobs) {
          const payload = def.payload.parse(job.data);
          await def.handler(payload, { jobId: job.id, retryCount: job.retryCount });
        }
      });
      if (def.cron) await boss.schedule(def.name, def.cron, (def.cronPayload ?? {}) as object, { tz: def.timezone ?? 'UTC' });
      else await boss.unschedule(def.name).catch(() => undefined);
    }
  }

  get isWorking(): boolean {
    return this.#working;
  }

  async send<P>(name: string, payload: P, opts: SendOptions = {}): Promise<string | null> {
    const def = this.#defs.get(name);
    if (!def) throw new Error(`unknown job ${name}`);
    const boss = this.#requireBoss();
    const data = def.payload.parse(payload) as object;
    const trx = opts.trx;
    const db: PgBoss.Db | undefined = trx
      ? {
          executeSql: async (text, values) => {
            const r = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
            return { rows: r.rows as any[] };
          },
        }
      : undefined;
    return boss.send(name, data, {
      ...(db ? { db } : {}),
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      ...(opts.startAfter !== undefined ? { startAfter: opts.startAfter instanceof Date ? opts.startAfter : opts.startAfter } : {}),
    });
  }

  /** Job state, for tests and the admin screens. */
  async getJob(name: string, id: string): Promise<{ state: string; retryCount: number; output: unknown } | null> {
    const job = await this.#requireBoss().getJobById(name, id);
    return job ? { state: job.state, retryCount: job.retryCount, output: job.output } : null;
  }

  async stop(): Promise<void> {
    const boss = this.#boss;
    this.#boss = undefined;
    this.#working = false;
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  #requireBoss(): PgBoss {
    if (!this.#boss) throw new Error('the job queue is not started');
    return this.#boss;
  }
}
