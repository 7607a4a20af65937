import { z } from 'zod';
import path from 'node:path';

/** Thrown for configuration the operator must fix; the CLI prints the message alone and exits 1. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const roles = ['http', 'radius', 'worker'] as const;
export type Role = (typeof roles)[number];

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || isPostgresUrl(v), {
      message: 'must look like postgres://user:password@host:5432/database',
    }),
  UPLINK_DATA_DIR: z.string().default('./data'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  UPLINK_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (32 bytes); create one with: openssl rand -hex 32')
    .optional(),
  UPLINK_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  UPLINK_SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
  UPLINK_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
  UPLINK_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  RADIUS_HOST: z.string().default('::'),
  RADIUS_AUTH_PORT: z.coerce.number().int().min(0).max(65535).default(1812),
  RADIUS_ACCT_PORT: z.coerce.number().int().min(0).max(65535).default(1813),
});

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string | undefined;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  secretKeyHex: string | undefined;
  cookieSecure: 'auto' | 'true' | 'false';
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  dbPoolSize: number;
  /** Where the radius role listens: '::' is every IPv6 and IPv4 address. */
  radius: { host: string; authPort: number; acctPort: number };
}

function isPostgresUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '' && u.pathname.length > 1;
  } catch {
    return false;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.UPLINK_DATA_DIR),
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    secretKeyHex: e.UPLINK_SECRET_KEY,
    cookieSecure: e.UPLINK_COOKIE_SECURE,
    sessionIdleMinutes: e.UPLINK_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.UPLINK_SESSION_ABSOLUTE_HOURS,
    dbPoolSize: e.UPLINK_DB_POOL_SIZE,
    radius: { host: e.RADIUS_HOST, authPort: e.RADIUS_AUTH_PORT, acctPort: e.RADIUS_ACCT_PORT },
  };
}

export const allRoles = roles;
