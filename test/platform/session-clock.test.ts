import { describe, expect, it } from 'vitest';
import { createTestContext, seedOrganization, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

describe(`sessions on the test clock (${engine})`, async () => {
  const t = await createTestContext({ config: { sessionIdleMinutes: 30, sessionAbsoluteHours: 12 } });
  const isp = await seedOrganization(t.ctx, null, 'isp', 'Clock ISP');
  const me = async (api: Awaited<ReturnType<typeof sessionFor>>) => (await api.get('/api/auth/me')).statusCode;
  const ended = async (userId: string) =>
    t.ctx.db.selectFrom('sessions').select(['ended_at', 'end_reason']).where('user_id', '=', userId).executeTakeFirstOrThrow();

  it('a session idle past the idle timeout ends, and stays ended when the clock goes back', async () => {
    const user = await seedUser(t.ctx, isp, 'staff');
    const api = await sessionFor(t, user);
    expect(await me(api)).toBe(200);
    t.clock.advance({ minutes: 29 });
    expect(await me(api)).toBe(200);
    // Use restarts the idle timer: 58 minutes after sign-in, 29 after the last request.
    t.clock.advance({ minutes: 29 });
    expect(await me(api)).toBe(200);
    t.clock.advance({ minutes: 30, seconds: 1 });
    expect(await me(api)).toBe(401);
    expect(await ended(user.id)).toEqual({ ended_at: t.clock.now(), end_reason: 'idle' });
    t.clock.advance({ minutes: -40 });
    expect(await me(api)).toBe(401);
  });

  it('a session in constant use ends at the absolute timeout', async () => {
    const user = await seedUser(t.ctx, isp, 'staff');
    const api = await sessionFor(t, user);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      t.clock.advance({ minutes: 20 });
      expect(await me(api), `after ${minutes} minutes`).toBe(200);
    }
    t.clock.advance({ minutes: 19, seconds: 59 });
    expect(await me(api), 'one second before 12 hours').toBe(200);
    t.clock.advance({ seconds: 1 });
    expect(await me(api), 'at 12 hours').toBe(401);
    expect((await ended(user.id)).end_reason).toBe('expired');
  });
});
