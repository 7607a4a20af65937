import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { NotFoundError } from '../errors.ts';

/**
 * Where uploaded files (KYC documents, later invoice PDFs) live, by key. The database keeps the key
 * and the content hash; the bytes live here. The local folder is the default; an S3-compatible
 * store is one more implementation of this interface.
 */
export interface FileStore {
  /** Stores the bytes under the key (replacing nothing: keys are fresh) and answers their SHA-256. */
  put(key: string, data: Buffer): Promise<{ sha256: string; size: number }>;
  /** The bytes under the key; NotFoundError when there are none. */
  get(key: string): Promise<Buffer>;
  /** Removes the key; nothing happens when it is not there. */
  delete(key: string): Promise<void>;
}

const keyPattern = /^[a-z0-9-]+(\/[a-z0-9-]+)*$/;

function checkKey(key: string): void {
  if (!keyPattern.test(key) || key.length > 200) throw new Error(`invalid file key: ${key}`);
}

/** Files under a folder (`<dataDir>/files`), each written to a temporary name and renamed, so a reader never sees half a file. */
export class LocalFileStore implements FileStore {
  constructor(readonly root: string) {}

  async put(key: string, data: Buffer) {
    checkKey(key);
    const target = path.join(this.root, key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.part`;
    await fs.writeFile(temporary, data, { flag: 'wx' });
    await fs.rename(temporary, target);
    return { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
  }

  async get(key: string) {
    checkKey(key);
    try {
      return await fs.readFile(path.join(this.root, key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('File');
      throw err;
    }
  }

  async delete(key: string) {
    checkKey(key);
    await fs.rm(path.join(this.root, key), { force: true });
  }
}

const stores = new Map<string, FileStore>();

/** The installation's file store: the local folder under the data directory. */
export function fileStoreFor(config: Pick<Config, 'dataDir'>): FileStore {
  const root = path.join(config.dataDir, 'files');
  let store = stores.get(root);
  if (!store) stores.set(root, (store = new LocalFileStore(root)));
  return store;
}
