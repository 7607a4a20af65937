import { expect } from 'vitest';
import type { AppContext } from '../../src/platform/context.ts';
import type { Organization } from '../../src/platform/db/schema.ts';
import { createPlan } from '../catalog/fixtures.ts';
import { json, type Api } from '../support/app.ts';

/** A subscriber of the organization, created through the API by a user who may create there. */
export async function createSubscriber(api: Api, org: Organization, name = `Subscriber ${crypto.randomUUID().slice(0, 8)}`): Promise<{ id: string; accountNumber: string }> {
  const res = await api.post('/api/subscribers', { organizationId: org.id, name });
  expect(res.statusCode, res.body).toBe(201);
  return json(res);
}

/**
 * An active subscription of a usage plan (KES 0.50 per GB). The subscription row is written
 * directly: usage and penalties need only that it exists, whose it is and when it began.
 */
export async function seedSubscription(
  ctx: AppContext,
  api: Api,
  org: Organization,
  opts: { username?: string; startsAt?: Date; subscriberId?: string } = {},
): Promise<{ id: string; subscriberId: string; username: string | null }> {
  const subscriberId = opts.subscriberId ?? (await createSubscriber(api, org)).id;
  const plan = await createPlan(api, { organizationId: org.id }, { prices: [{ currency: 'KES', components: [{ kind: 'per-unit', unit: 'GB', price: '0.50' }] }] });
  const row = await ctx.db
    .insertInto('subscriptions')
    .values({
      organization_id: org.id,
      subscriber_id: subscriberId,
      plan_id: plan.id,
      currency: 'KES',
      status: 'active',
      starts_at: opts.startsAt ?? new Date('2026-01-01T00:00:00Z'),
      activated_at: opts.startsAt ?? new Date('2026-01-01T00:00:00Z'),
      username: opts.username ?? null,
      password_enc: opts.username ? 'not-a-real-secret' : null,
    })
    .returning(['id', 'subscriber_id', 'username'])
    .executeTakeFirstOrThrow();
  return { id: row.id, subscriberId: row.subscriber_id, username: row.username };
}
