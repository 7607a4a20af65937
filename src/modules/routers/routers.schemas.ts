import { z } from 'zod';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

export const routerStatusSchema = z
  .object({
    nasId: z.uuid(),
    protocol: z.enum(['binary', 'rest']),
    endpoint: z.string().describe('host:port the API was reached on'),
    tls: z.boolean(),
    pinnedFingerprint: z.string().nullable().describe('SHA-256 fingerprint of the certificate accepted for TLS, if pinned'),
    ok: z.boolean().describe('Whether the router answered and accepted the login'),
    durationMs: z.number().int(),
    identity: z.string().nullable(),
    resource: z
      .object({
        version: z.string().nullable(),
        boardName: z.string().nullable(),
        architecture: z.string().nullable(),
        uptime: z.string().nullable(),
        cpuLoadPercent: z.number().nullable(),
        freeMemoryBytes: z.number().nullable(),
        totalMemoryBytes: z.number().nullable(),
      })
      .nullable(),
    error: z.object({ kind: z.string(), message: z.string() }).nullable(),
    presentedFingerprint: z.string().nullable().describe('On a certificate error: the fingerprint the router presented, to pin after checking it'),
  })
  .meta({ id: 'RouterStatus' });

export const pushPlansSchema = z
  .object({ dryRun: z.boolean().default(false).describe('Only compare: answer what would change, change nothing') })
  .meta({ id: 'PushPlansToRouter' });

export const profileChangeSchema = z.object({
  menu: z.enum(['/ppp/profile', '/ip/hotspot/user/profile']),
  planId: z.uuid(),
  planCode: z.string(),
  name: z.string().describe('The profile name on the router (the plan code)'),
  action: z.enum(['create', 'update', 'unchanged']),
  changes: z.array(z.object({ property: z.string(), from: z.string().nullable(), to: z.string() })),
});

export const pushResultSchema = z
  .object({
    dryRun: z.boolean(),
    applied: z.boolean().describe('True when changes were written to the router'),
    summary: z.object({ create: z.number().int(), update: z.number().int(), unchanged: z.number().int() }),
    message: z.string(),
    profiles: z.array(profileChangeSchema),
    skipped: z.array(z.object({ planId: z.uuid(), planCode: z.string(), reason: z.string() })),
  })
  .meta({ id: 'PushPlansResult' });

export const queueChangeSchema = z.object({
  action: z.enum(['create', 'update', 'unchanged', 'remove']).describe('remove: a queue Uplink made whose subscription is not active or not served here any more'),
  subscriptionId: z.uuid().nullable(),
  username: z.string().nullable(),
  name: z.string().describe('The queue name on the router'),
  target: z.string().describe("The subscriber's static address, as a /32"),
  reason: z.string().nullable().describe('Why a queue is stale'),
  changes: z.array(z.object({ property: z.string(), from: z.string().nullable(), to: z.string() })),
});

export const pushQueuesResultSchema = z
  .object({
    dryRun: z.boolean(),
    applied: z.boolean().describe('True when changes were written to the router'),
    summary: z.object({ create: z.number().int(), update: z.number().int(), unchanged: z.number().int(), remove: z.number().int() }),
    message: z.string(),
    queues: z.array(queueChangeSchema),
    skipped: z.array(z.object({ subscriptionId: z.uuid(), reason: z.string() })),
  })
  .meta({ id: 'PushQueuesResult' });

export const activeSessionSchema = z
  .object({
    kind: z.enum(['pppoe', 'hotspot']),
    id: z.string().describe('The router-side .id'),
    user: z.string(),
    address: z.string().nullable(),
    callerId: z.string().nullable().describe('MAC address or Calling-Station-Id'),
    uptime: z.string().nullable(),
    service: z.string().nullable(),
    bytesIn: z.string().nullable(),
    bytesOut: z.string().nullable(),
  })
  .meta({ id: 'RouterActiveSession' });

export const activeSessionsSchema = z.object({ items: z.array(activeSessionSchema) }).meta({ id: 'RouterActiveSessions' });

export const backupSchema = z
  .object({
    id: z.uuid(),
    nasId: z.uuid(),
    trigger: z.enum(['schedule', 'manual']),
    sha256: z.string().describe('Hash of the configuration (the export without its time-stamp line)'),
    sizeBytes: z.number().int(),
    createdAt: z.iso.datetime(),
    createdBy: z.uuid().nullable(),
  })
  .meta({ id: 'RouterBackup' });

export const backupWithContentSchema = backupSchema.extend({ content: z.string() }).meta({ id: 'RouterBackupWithContent' });
export const backupPage = pageSchema(backupSchema, 'RouterBackupPage');
export const backupParams = z.object({ id: z.uuid(), backupId: z.uuid() });
export const backupDiffQuery = z.object({ from: z.uuid().describe('The older backup'), to: z.uuid().describe('The newer backup') });

export const backupDiffSchema = z
  .object({
    from: backupSchema,
    to: backupSchema,
    identical: z.boolean(),
    added: z.number().int(),
    removed: z.number().int(),
    hunks: z.array(
      z.object({
        oldStart: z.number().int(),
        oldLines: z.number().int(),
        newStart: z.number().int(),
        newLines: z.number().int(),
        lines: z.array(z.string()).describe("Each line starts with '+' (added), '-' (removed) or ' ' (context)"),
      }),
    ),
  })
  .meta({ id: 'RouterBackupDiff' });

export const commandSchema = z
  .object({
    id: z.string(),
    protocol: z.enum(['binary', 'rest']),
    command: z.string().describe('The words sent, secrets masked'),
    outcome: z.enum(['ok', 'trap', 'error']),
    message: z.string().nullable(),
    durationMs: z.number().int(),
    at: z.iso.datetime(),
    userId: z.uuid().nullable(),
    userEmail: z.string().nullable(),
  })
  .meta({ id: 'RouterCommand' });

export const commandPage = pageSchema(commandSchema, 'RouterCommandPage');
export const routerListQuery = listQuerySchema;

export const tlsPinSchema = z
  .object({
    fingerprint: z
      .string()
      .trim()
      .regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint: 32 bytes in hex, such as AB:CD:…')
      .nullable()
      .describe('The certificate to accept for this router; null removes the pin'),
  })
  .meta({ id: 'RouterTlsPin' });
