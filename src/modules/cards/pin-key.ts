/**
 * The key of PIN lookup hashes: 32 random bytes made once per installation, kept in the database
 * sealed with the installation's secret key, so every process hashes alike and a copy of the
 * database alone cannot test guesses against the hashes.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { pinLookupHash } from '../../core/voucher-codes.ts';
import type { SecretBox } from '../../platform/crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import * as repo from './cards.repo.ts';

const keys = new WeakMap<SecretBox, Promise<Buffer>>();

async function load(db: Kysely<DB> | Transaction<DB>, secrets: SecretBox): Promise<Buffer> {
  let row = await repo.pinKey(db);
  if (!row) {
    await repo.insertPinKey(db, secrets.seal(randomBytes(32).toString('hex')));
    row = (await repo.pinKey(db))!;
  }
  return Buffer.from(secrets.open(row.key_enc), 'hex');
}

export function pinKey(db: Kysely<DB> | Transaction<DB>, secrets: SecretBox): Promise<Buffer> {
  let key = keys.get(secrets);
  if (!key) {
    key = load(db, secrets);
    keys.set(secrets, key);
    key.catch(() => keys.delete(secrets));
  }
  return key;
}

export async function pinHash(db: Kysely<DB> | Transaction<DB>, secrets: SecretBox, pin: string): Promise<string> {
  return pinLookupHash(await pinKey(db, secrets), pin);
}
