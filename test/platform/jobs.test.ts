import PgBoss from 'pg-boss';
import pino from 'pino';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { JobQueue, type JobDefinition } from '../../src/platform/jobs/queue.ts';
import { createTestContext } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { waitFor } from './wait.ts';

const silent = pino({ level: 'silent' });
const empty = z.object({}).passthrough();

describe(`job queue (${engine})`, async () => {
  // startJobs: the app's own queue runs the system jobs and registers their cron schedules.
  const t = await createTestContext({ startJobs: true });
  const queues: JobQueue[] = [];

  function queue(...defs: JobDefinition<any>[]): JobQueue {
    const q = new JobQueue(t.database.sql, silent);
    for (const d of defs) q.define(d);
    queues.push(q);
    return q;
  }
  const stateOf = async (q: JobQueue, name: string, id: string) => (await q.getJob(name, id))?.state;

  afterAll(async () => {
    for (const q of queues) await q.stop();
  });

  it('a job sent before a restart runs on the queue started after it', async () => {
    const name = 'test.durable';
    const first = queue({ name, payload: z.object({ n: z.number() }), handler: async () => {} });
    await first.start({ work: false });
    const id = (await first.send(name, { n: 7 }))!;
    await first.stop();

    const seen: unknown[] = [];
    const second = queue({ name, payload: z.object({ n: z.number() }), handler: async (p) => void seen.push(p) });
    await second.start({ work: true, pollingIntervalSeconds: 0.5 });
    await waitFor('the job to complete', async () => (await stateOf(second, name, id)) === 'completed');
    expect(seen).toEqual([{ n: 7 }]);
  });

  it('a job sent inside a transaction exists only if the transaction commits', async () => {
    const name = 'test.transactional';
    const q = queue({ name, payload: empty, handler: async () => {} });
    await q.start({ work: false });
    const sendWithSetting = (key: string, fail: boolean) =>
      t.database.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('settings').values({ key, value: JSON.stringify(true) }).execute();
        const id = await q.send(name, {}, { trx });
        if (fail) throw Object.assign(new Error('roll back'), { id });
        return id!;
      });

    const err = await sendWithSetting('test.rolled-back', true).catch((e: Error & { id: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await q.getJob(name, (err as { id: string }).id)).toBeNull();
    expect(await t.ctx.db.selectFrom('settings').where('key', '=', 'test.rolled-back').selectAll().execute()).toEqual([]);

    const committed = await sendWithSetting('test.committed', false);
    expect(await stateOf(q, name, committed)).toBe('created');
    expect(await t.ctx.db.selectFrom('settings').where('key', '=', 'test.committed').selectAll().execute()).toHaveLength(1);
  });

  it('a failing job is retried with its retry count, and fails for good after its retry limit', async () => {
    const attempts: number[] = [];
    let brokenRuns = 0;
    const q = queue(
      {
        name: 'test.flaky',
        payload: empty,
        retryLimit: 3,
        retryDelaySeconds: 0,
        handler: async (_p, meta) => {
          attempts.push(meta.retryCount);
          if (attempts.length < 3) throw new Error('flaky');
        },
      },
      {
        name: 'test.broken',
        payload: empty,
        retryLimit: 1,
        retryDelaySeconds: 0,
        handler: async () => {
          brokenRuns++;
          throw new Error('always');
        },
      },
    );
    await q.start({ work: true, pollingIntervalSeconds: 0.5 });
    const flaky = (await q.send('test.flaky', {}))!;
    const broken = (await q.send('test.broken', {}))!;
    await waitFor('the flaky job to complete', async () => (await stateOf(q, 'test.flaky', flaky)) === 'completed');
    expect(attempts).toEqual([0, 1, 2]);
    expect((await q.getJob('test.flaky', flaky))?.retryCount).toBe(2);
    await waitFor('the broken job to fail', async () => (await stateOf(q, 'test.broken', broken)) === 'failed');
    expect(brokenRuns).toBe(2);
  });

  it('registers the cron schedule of system.housekeeping and none for jobs without cron', async () => {
    const boss = new PgBoss({ db: t.database.sql as PgBoss.Db, schema: 'pgboss', supervise: false, schedule: false, migrate: false });
    await boss.start();
    try {
      // The published type omits the timezone column that getSchedules() returns.
      const schedules = (await boss.getSchedules()) as (PgBoss.Schedule & { timezone: string })[];
      expect(schedules.map((s) => ({ name: s.name, cron: s.cron, timezone: s.timezone }))).toContainEqual({
        name: 'system.housekeeping',
        cron: '17 * * * *',
        timezone: 'UTC',
      });
      expect(schedules.map((s) => s.name).filter((n) => n.startsWith('test.'))).toEqual([]);
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });

  it('runs system.housekeeping on demand: idempotency records older than a day are deleted', async () => {
    const now = t.clock.now();
    const record = (key: string, ageHours: number) => ({
      principal: 'ip:127.0.0.1',
      key,
      method: 'POST',
      path: '/api/x',
      request_hash: 'h',
      state: 'done' as const,
      created_at: new Date(now.getTime() - ageHours * 3_600_000),
    });
    await t.ctx.db.insertInto('idempotency_keys').values([record('old', 25), record('recent', 23)]).execute();
    const id = (await t.ctx.jobs.send('system.housekeeping', {}))!;
    await waitFor('housekeeping to complete', async () => (await t.ctx.jobs.getJob('system.housekeeping', id))?.state === 'completed');
    const left = await t.ctx.db.selectFrom('idempotency_keys').select('key').where('path', '=', '/api/x').execute();
    expect(left.map((r) => r.key)).toEqual(['recent']);
  });
});
