import fs from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGzip, createGunzip, type Gzip } from 'node:zlib';

/**
 * The archive: gzip'd JSON lines. Line 1 is the header; then, for each table in the header's
 * order, a `{"table": …}` line followed by one JSON array per row; last, an `{"end": …}` line.
 * Every value is PostgreSQL's own text form of the column (what COPY writes) or null, so bigint,
 * numeric, bytea, timestamptz, jsonb and arrays come back exactly as they were.
 */
export const ARCHIVE_FORMAT = 'uplink-backup';
export const ARCHIVE_VERSION = 1;

export interface ArchiveColumn {
  name: string;
  /** format_type() of the column, e.g. `timestamp with time zone`, `text[]`, `character(3)`. */
  type: string;
}

export interface ArchiveTable {
  /** Schema-qualified: `public.users`, `pgboss.job`. */
  name: string;
  columns: ArchiveColumn[];
  rows: number;
}

export interface ArchiveSequence {
  name: string;
  lastValue: string;
  isCalled: boolean;
}

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  createdAt: string;
  uplinkVersion: string;
  engine: 'pglite' | 'postgres';
  postgresVersion: string;
  /** Names of the applied migrations, in order. */
  migrations: string[];
  /** pg-boss schema version, or null when the job queue was never started on the source. */
  jobQueueVersion: number | null;
  /** First 16 hex digits of sha256(secret key): tells whether encrypted columns can be read after a restore. */
  secretKeyId: string | null;
  /** Tables in foreign-key dependency order (parents first). */
  tables: ArchiveTable[];
  sequences: ArchiveSequence[];
}

/** An archive that cannot be used, or a restore that must not go on; the message is for the operator. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export type Row = (string | null)[];

/** Writes an archive to `<file>.partial` and renames it into place only when complete. */
export class ArchiveWriter {
  readonly #gzip: Gzip;
  readonly #out: fs.WriteStream;
  readonly #done: Promise<void>;
  readonly #partial: string;

  constructor(private readonly file: string) {
    this.#partial = `${file}.partial`;
    let fd: number;
    try {
      fd = fs.openSync(this.#partial, 'w', 0o600);
    } catch (err) {
      throw new BackupError(`cannot write ${file}: ${(err as Error).message}`);
    }
    this.#gzip = createGzip();
    const out = fs.createWriteStream('', { fd });
    this.#out = out;
    this.#gzip.pipe(out);
    this.#done = new Promise((resolve, reject) => {
      out.on('finish', resolve);
      out.on('error', reject);
      this.#gzip.on('error', reject);
    });
    // Observed by line(), finish() and abandon(); this only keeps an early failure from going unhandled.
    this.#done.catch(() => undefined);
  }

  async line(value: unknown): Promise<void> {
    if (!this.#gzip.write(`${JSON.stringify(value)}\n`)) await Promise.race([once(this.#gzip, 'drain'), this.#done]);
  }

  async finish(): Promise<void> {
    this.#gzip.end();
    await this.#done;
    fs.renameSync(this.#partial, this.file);
  }

  /** After a failure: stop writing and remove the partial file. */
  async abandon(): Promise<void> {
    this.#gzip.destroy();
    this.#out.destroy();
    await finished(this.#out).catch(() => undefined);
    fs.rmSync(this.#partial, { force: true });
  }
}

export type ArchiveRecord =
  | { kind: 'header'; header: ArchiveHeader }
  | { kind: 'table'; name: string }
  | { kind: 'row'; values: Row }
  | { kind: 'end'; rows: number };

/** Reads an archive record by record; any damage (gzip, JSON, shape) throws a BackupError. */
export async function* readArchive(file: string): AsyncGenerator<ArchiveRecord> {
  let lineNo = 0;
  try {
    for await (const line of lines(file)) {
      lineNo++;
      yield parseRecord(line, lineNo);
    }
  } catch (err) {
    if (err instanceof BackupError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new BackupError(`${file} does not exist`);
    if (e.code?.startsWith('Z_') || e.code === 'ERR_ZLIB') throw new BackupError(`${file} is damaged or truncated (gzip: ${e.message})`);
    throw err;
  }
}

async function* lines(file: string): AsyncGenerator<string> {
  const source = fs.createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of gunzip) {
    pending += decoder.write(chunk as Buffer);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
}

function parseRecord(line: string, lineNo: number): ArchiveRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BackupError(`the archive is damaged at line ${lineNo}: not JSON`);
  }
  if (lineNo === 1) {
    const h = value as Partial<ArchiveHeader> | null;
    if (!h || h.format !== ARCHIVE_FORMAT) throw new BackupError('this file is not an Uplink backup');
    if (h.version !== ARCHIVE_VERSION) throw new BackupError(`archive format version ${h.version} is not supported (this Uplink reads version ${ARCHIVE_VERSION})`);
    return { kind: 'header', header: h as ArchiveHeader };
  }
  if (Array.isArray(value)) {
    if (!value.every((v) => v === null || typeof v === 'string')) throw new BackupError(`the archive is damaged at line ${lineNo}: a value is neither text nor null`);
    return { kind: 'row', values: value as Row };
  }
  const rec = value as { table?: unknown; end?: unknown; rows?: unknown } | null;
  if (rec && typeof rec.table === 'string') return { kind: 'table', name: rec.table };
  if (rec && rec.end === true && typeof rec.rows === 'number') return { kind: 'end', rows: rec.rows };
  throw new BackupError(`the archive is damaged at line ${lineNo}: unexpected content`);
}
