import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from './config.ts';

/**
 * The key that encrypts secrets at rest. UPLINK_SECRET_KEY wins; otherwise the key lives in
 * <data dir>/secret.key, created on first start (mode 0600). Several processes sharing one
 * PostgreSQL server must share the key: set UPLINK_SECRET_KEY on each.
 */
export function loadSecretKey(opts: { secretKeyHex?: string | undefined; dataDir: string }): string {
  if (opts.secretKeyHex) return opts.secretKeyHex.toLowerCase();
  const file = path.join(opts.dataDir, 'secret.key');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(existing)) throw new ConfigError(`${file} does not hold a 64-hex-character key`);
    return existing.toLowerCase();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
    }
  }
  const key = randomBytes(32).toString('hex');
  try {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(opts);
    throw new ConfigError(`cannot create ${file}: ${(err as Error).message}`);
  }
  return key;
}
