import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logging.ts';
import { apiAs, PASSWORD, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { createTestDatabase, engine } from '../support/db.ts';
import { appOn } from './harness.ts';

/** Values that must never reach a log line. */
const secrets = {
  wrongPassword: 'Wrong-Horse-Password-9f1c',
  newPassword: 'Brand-New-Password-77aa1',
  bearer: 'upl_NotARealTokenButSecret0123456789',
  cookie: 'SessionCookieValue-do-not-log-4e21',
  csrf: 'CsrfValue-do-not-log-8b7c',
};

describe(`logging (${engine})`, async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const t = await appOn(await createTestDatabase(), createLogger('info', sink));
  afterAll(() => t.close());
  const tree = await seedTree(t.ctx);
  const admin = await seedUser(t.ctx, tree.isp, 'admin', 'log.admin@example.test');
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, any>);

  it('requests carrying passwords, tokens and cookies are logged without them', async () => {
    const anonymous = apiAs(t.app, null);
    const login = await anonymous.post('/api/auth/login', { email: admin.email, password: PASSWORD });
    expect(login.statusCode).toBe(200);
    const sessionCookie = String(login.headers['set-cookie']);
    expect((await anonymous.post('/api/auth/login', { email: admin.email, password: secrets.wrongPassword })).statusCode).toBe(401);
    const bearer = await t.app.inject({ method: 'GET', url: '/api/organizations', headers: { authorization: `Bearer ${secrets.bearer}` } });
    expect(bearer.statusCode).toBe(401);
    const cookie = await t.app.inject({
      method: 'POST',
      url: '/api/organizations',
      headers: { cookie: `uplink_session=${secrets.cookie}`, 'x-csrf-token': secrets.csrf, 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'reseller', name: 'Logged Ltd' }),
    });
    expect(cookie.statusCode).toBe(401);
    const me = await sessionFor(t, admin);
    expect((await me.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: secrets.newPassword })).statusCode).toBe(200);

    // Logging is on: every request left its lines, tied together by the request id.
    const requestIds = new Set(records().filter((r) => r.msg === 'request completed').map((r) => r.reqId));
    expect(requestIds.size).toBe(5);
    const output = lines.join('\n');
    for (const value of [...Object.values(secrets), PASSWORD, sessionCookie.split(';')[0]!.split('=')[1]!]) expect(output).not.toContain(value);
  });

  it('the redaction paths blank headers, bodies and secrets wherever code logs them', () => {
    lines.length = 0;
    t.ctx.logger.info(
      {
        req: { headers: { authorization: `Bearer ${secrets.bearer}`, cookie: `uplink_session=${secrets.cookie}`, 'x-csrf-token': secrets.csrf } },
        res: { headers: { 'set-cookie': `uplink_session=${secrets.cookie}` } },
        body: { email: 'someone@example.test', password: secrets.wrongPassword, currentPassword: PASSWORD, newPassword: secrets.newPassword, totpCode: '123456' },
        gateway: { apiKey: 'gw-key', secret: 'gw-secret', token: 'gw-token' },
      },
      'a request that went wrong',
    );
    const [line] = records();
    expect(line!.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-csrf-token': '[redacted]' });
    expect(line!.res.headers['set-cookie']).toBe('[redacted]');
    expect(line!.body).toEqual({
      email: 'someone@example.test',
      password: '[redacted]',
      currentPassword: '[redacted]',
      newPassword: '[redacted]',
      totpCode: '[redacted]',
    });
    expect(line!.gateway).toEqual({ apiKey: '[redacted]', secret: '[redacted]', token: '[redacted]' });
  });
});
