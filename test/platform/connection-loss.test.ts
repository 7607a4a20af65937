import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.ts';
import { isConnectionError } from '../../src/platform/db/errors.ts';
import { json, seedTree, seedUser, sessionFor, type Api, type TestContext } from '../support/app.ts';
import { createTestDatabase, engine, type TestDatabase } from '../support/db.ts';
import { appOn } from './harness.ts';
import { TcpProxy } from './tcp-proxy.ts';
import { waitFor } from './wait.ts';

/*
 * The app (HTTP and job worker) talks to PostgreSQL through a TCP proxy; cutting the proxy is the
 * database server going away, restoring it is the server coming back.
 */
describe.skipIf(engine !== 'postgres')('connection loss (PostgreSQL server only: PGlite runs inside the process, there is no connection to lose)', () => {
  const silent = pino({ level: 'silent' });
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let t: TestContext;
  let api: Api;

  beforeAll(async () => {
    direct = await createTestDatabase();
    const url = new URL(direct.url!);
    proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await proxy.start());
    t = await appOn(await openDatabase({ databaseUrl: url.toString(), poolSize: 4, logger: silent }), silent);
    await t.ctx.jobs.start({ work: true, pollingIntervalSeconds: 0.5 });
    const tree = await seedTree(t.ctx);
    api = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  });
  afterAll(async () => {
    await proxy?.cut();
    await t?.close();
    await direct?.close();
  });

  const create = (name: string) => api.post('/api/organizations', { kind: 'reseller', name });

  it('serves while the database is reachable', async () => {
    expect((await api.get('/api/organizations')).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('while the connection is cut: a query in flight fails as a connection error, requests answer 503 with retry-after', async () => {
    const inFlight = sql`select pg_sleep(5)`.execute(t.ctx.db).then(
      () => undefined,
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 200));
    await proxy.cut();
    const err = await inFlight;
    expect(err).toBeInstanceOf(Error);
    expect(isConnectionError(err), String(err)).toBe(true);

    for (const res of [await api.get('/api/organizations'), await create('Lost Ltd')]) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(json(res)).toMatchObject({ status: 503, type: 'https://uplink.dev/problems/unavailable' });
    }
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(json(ready).status).toBe('unavailable');
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toContain('uplink_database_up 0');
  });

  it('recovers without a restart once the database is back: requests, writes and jobs', async () => {
    await proxy.start();
    await waitFor('the API to answer 200 again', async () => (await api.get('/api/organizations')).statusCode === 200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const created = await create('Back Ltd');
    expect(created.statusCode, created.body).toBe(201);
    const id = (await t.ctx.jobs.send('system.housekeeping', {}))!;
    await waitFor('a job to run on the recovered worker', async () => (await t.ctx.jobs.getJob('system.housekeeping', id))?.state === 'completed');
  });
});
