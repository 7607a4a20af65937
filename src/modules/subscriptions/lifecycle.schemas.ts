import { z } from 'zod';
import { statusReasonSchema } from './subscriptions.schemas.ts';

const note = z.string().trim().max(500).default('').describe('Free text kept in the history');
const when = z.iso.datetime({ offset: true }).optional();

export const activateSchema = z.object({ note }).meta({ id: 'ActivateSubscription' });

export const suspendSchema = z
  .object({
    reason: statusReasonSchema.default('request'),
    note,
    at: when.describe('A later instant schedules the suspension; omit to suspend now'),
    resumeAt: when.describe('Resume by itself then (a vacation hold)'),
  })
  .refine((s) => s.reason !== 'vacation' || s.resumeAt, { message: 'a vacation hold needs the date it ends', path: ['resumeAt'] })
  .refine((s) => s.reason !== 'expired', { message: 'expired is set by the billing run when a prepaid plan is not renewed', path: ['reason'] })
  .meta({ id: 'SuspendSubscription' });

export const resumeSchema = z.object({ note, at: when.describe('A later instant schedules the resumption; omit to resume now') }).meta({ id: 'ResumeSubscription' });

export const terminateSchema = z
  .object({ reason: statusReasonSchema.default('request'), note, at: when.describe('A later instant schedules the termination; omit to terminate now') })
  .meta({ id: 'TerminateSubscription' });

export const scheduledChanges = ['suspension', 'resumption', 'termination', 'plan_change'] as const;
export const cancelScheduledSchema = z.object({ change: z.enum(scheduledChanges) }).meta({ id: 'CancelScheduledChange' });

export type SuspendInput = z.infer<typeof suspendSchema>;
export type ResumeInput = z.infer<typeof resumeSchema>;
export type TerminateInput = z.infer<typeof terminateSchema>;
