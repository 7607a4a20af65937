import { describe, expect, it } from 'vitest';
import { createTestContext, json } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`health and metrics (${engine})`, async () => {
  const t = await createTestContext();
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('/healthz answers without a session', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: 'ok' });
  });

  it('/readyz reports the database it reached', async () => {
    const res = await get('/readyz');
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: 'ready', database: engine });
  });

  it('/metrics is Prometheus text with request durations by route and status', async () => {
    expect((await get('/api/organizations')).statusCode).toBe(401);
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE uplink_http_request_duration_seconds histogram');
    expect(res.body).toMatch(/uplink_http_request_duration_seconds_count\{method="GET",route="\/api\/organizations",status="401"\} 1\n/);
    expect(res.body).toMatch(/uplink_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/readyz",status="200"\} 1\n/);
    expect(res.body).toContain('uplink_database_up 1');
    expect(res.body).toMatch(/^uplink_process_cpu_user_seconds_total /m);
  });

  it('answers 503 on /readyz and reports the database down once the database is gone, while /healthz stays up', async () => {
    const broken = await createTestContext({ autoClose: false });
    await broken.database.close();
    try {
      const ready = await broken.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(json(ready)).toEqual({ status: 'unavailable', database: engine });
      expect((await broken.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await broken.app.inject({ method: 'GET', url: '/metrics' })).body).toContain('uplink_database_up 0');
    } finally {
      await broken.app.close();
    }
  });
});
