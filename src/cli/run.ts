import { ZodError } from 'zod';
import { ConfigError } from '../platform/config.ts';
import { AppError } from '../platform/errors.ts';
import { isConnectionError } from '../platform/db/errors.ts';
import { BackupError } from '../platform/backup/archive.ts';

/** A mistake in how a command was used, or a refusal; printed as its message alone. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Exit codes: 0 done, 1 failed or refused, 2 the audit chain is broken. */
export const EXIT_FAILED = 1;
export const EXIT_AUDIT_BROKEN = 2;

const debug = () => process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace';

/** One line for the operator; no stack trace unless LOG_LEVEL=debug. */
export function describeError(err: unknown): string {
  const e = err as Error & { code?: string };
  if (err instanceof ConfigError || err instanceof BackupError || err instanceof CliError) return oneLine(e.message);
  // A service's message names a single problem itself; several are listed after a general one.
  if (err instanceof AppError) {
    const fields = err.fields ?? [];
    return fields.length > 1 ? `${err.message}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}` : err.message;
  }
  if (err instanceof ZodError) return err.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
  if (isConnectionError(err)) return `cannot reach the database: ${oneLine(e.message)}`;
  // 28xxx: wrong user or password; 3D000: no such database.
  if (e?.code?.startsWith('28') || e?.code === '3D000') return `cannot open the database: ${oneLine(e.message)}`;
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return `database error ${e.code}: ${oneLine(e.message)}`;
  return `unexpected error: ${oneLine(e?.message ?? String(err))}${debug() ? '' : ' (set LOG_LEVEL=debug to see where)'}`;
}

function oneLine(message: string): string {
  return message
    .trim()
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*/g, '; ');
}

/**
 * Wraps a command's action: its result is the exit code; an error becomes one line on stderr and
 * exit code 1 (the stack only with LOG_LEVEL=debug).
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = (await fn(...args)) ?? 0;
    } catch (err) {
      process.stderr.write(`uplink: ${describeError(err)}\n`);
      if (debug() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = EXIT_FAILED;
    }
  };
}
