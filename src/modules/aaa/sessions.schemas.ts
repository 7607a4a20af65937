import { z } from 'zod';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

export const sessionParams = z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/, 'must be a session number').describe('The session number (radacctid)') });

export const sessionSchema = z
  .object({
    id: z.string().describe('The session number (radacctid)'),
    acctSessionId: z.string(),
    username: z.string().nullable(),
    subscriptionId: z.uuid().nullable(),
    subscriberId: z.uuid().nullable(),
    subscriberName: z.string().nullable(),
    nasId: z.uuid().nullable(),
    nasName: z.string().nullable(),
    nasAddress: z.string(),
    framedIpAddress: z.string().nullable(),
    framedIpv6Prefix: z.string().nullable(),
    delegatedIpv6Prefix: z.string().nullable(),
    callingStationId: z.string().nullable(),
    startedAt: z.iso.datetime().nullable(),
    updatedAt: z.iso.datetime().nullable(),
    stoppedAt: z.iso.datetime().nullable(),
    durationSeconds: z.number().int().describe('Until now for an open session, until its stop otherwise'),
    inputBytes: z.string().describe('From the subscriber (upload), 64-bit, as decimal text'),
    outputBytes: z.string().describe('To the subscriber (download), 64-bit, as decimal text'),
    terminateCause: z.string().nullable(),
  })
  .meta({ id: 'RadiusSession' });

export const sessionListQuery = listQuerySchema.extend({
  nasId: z.uuid().optional(),
  subscriptionId: z.uuid().optional(),
});
export type SessionListQuery = z.infer<typeof sessionListQuery>;
export const sessionHistoryQuery = listQuerySchema.omit({ q: true });
export type SessionHistoryQuery = z.infer<typeof sessionHistoryQuery>;

export const sessionPage = pageSchema(sessionSchema, 'RadiusSessionPage');

export const enforcementSchema = z
  .object({
    id: z.uuid(),
    subscriptionId: z.uuid(),
    nasId: z.uuid().nullable(),
    sessionId: z.string().nullable().describe('The session number (radacctid) it targets'),
    acctSessionId: z.string().nullable(),
    kind: z.enum(['coa', 'disconnect']),
    reason: z.string().describe('suspended, terminated, expired, unlocked, plan_changed, network_changed, quota_exceeded, quota_reset, time_quota_exhausted, manual'),
    status: z.enum(['pending', 'ack', 'nak', 'timeout', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.iso.datetime().nullable().describe('When it is tried again after no answer; null when due at once or settled'),
    lastError: z.string().nullable(),
    fallback: z
      .enum(['removed', 'rate_set', 'not_found', 'failed'])
      .nullable()
      .describe("What the router's management API did when the NAS did not acknowledge: the session removed, the new rate set on its queue, no such session, or failed; null when no fallback ran"),
    fallbackDetail: z.string().nullable(),
    fallbackAt: z.iso.datetime().nullable(),
    attributes: z.array(z.tuple([z.string(), z.union([z.string(), z.number()])])).nullable().describe('What was last sent'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'EnforcementRequest' });

export const enforcementPage = pageSchema(enforcementSchema, 'EnforcementRequestPage');
