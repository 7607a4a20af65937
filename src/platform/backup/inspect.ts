import { createRequire } from 'node:module';
import { migrationNames } from '../db/migrate.ts';
import { BackupError, readArchive, type ArchiveHeader } from './archive.ts';
import type { Progress } from './backup.ts';

export interface ArchiveSummary {
  file: string;
  header: ArchiveHeader;
  rows: number;
  /** Job queues named in the archive: each needs its partition before its jobs can be loaded. */
  queueNames: string[];
}

/**
 * Reads the whole archive once before anything is touched: a truncated, damaged or inconsistent
 * archive is refused while the target database is still as it was.
 */
export async function inspectArchive(file: string, onProgress?: (p: Progress) => void): Promise<ArchiveSummary> {
  let header: ArchiveHeader | undefined;
  let tableIndex = -1;
  let tableRows = 0;
  let rows = 0;
  let ended = false;
  const queueNames: string[] = [];
  const tableDone = () => {
    const t = header!.tables[tableIndex];
    if (t && tableRows !== t.rows) throw new BackupError(`the archive is damaged: table ${t.name} has ${tableRows} rows, its header says ${t.rows}`);
  };
  for await (const rec of readArchive(file)) {
    if (ended) throw new BackupError('the archive is damaged: content after its end');
    if (rec.kind === 'header') {
      header = rec.header;
      continue;
    }
    if (!header) throw new BackupError('this file is not an Uplink backup');
    const total = header.tables.reduce((n, t) => n + t.rows, 0);
    if (rec.kind === 'table') {
      tableDone();
      tableIndex++;
      tableRows = 0;
      if (header.tables[tableIndex]?.name !== rec.name) throw new BackupError(`the archive is damaged: table ${rec.name} is out of place`);
    } else if (rec.kind === 'row') {
      const t = header.tables[tableIndex];
      if (!t || rec.values.length !== t.columns.length) throw new BackupError(`the archive is damaged: a row of ${t?.name ?? '(no table)'} has the wrong number of values`);
      if (t.name === 'pgboss.queue') queueNames.push(rec.values[t.columns.findIndex((c) => c.name === 'name')]!);
      tableRows++;
      rows++;
      if (rows % 1000 === 0) onProgress?.({ step: t.name, done: rows, total });
    } else {
      tableDone();
      if (tableIndex !== header.tables.length - 1 || rec.rows !== rows) throw new BackupError('the archive is damaged: its end does not match its header');
      ended = true;
      onProgress?.({ step: 'checked', done: rows, total });
    }
  }
  if (!header) throw new BackupError(`${file} is empty`);
  if (!ended) throw new BackupError('the archive is truncated: its end is missing');
  return { file, header, rows, queueNames };
}

const installedJobQueueVersion: number = createRequire(import.meta.url)('pg-boss/version.json').schema;

export interface RestorePlan {
  /** Migrations to run on the emptied database: exactly those the archive's database had. */
  migrations: string[];
  /** Whether the job queue's tables come back (same pg-boss schema version only). */
  jobQueue: boolean;
  warnings: string[];
}

/** Decides whether this code can rebuild the archive's schema; refuses archives from a newer Uplink. */
export function planRestore(header: ArchiveHeader): RestorePlan {
  const unknown = header.migrations.filter((m) => !migrationNames.includes(m));
  if (unknown.length)
    throw new BackupError(
      `the archive was made by a newer Uplink (${header.uplinkVersion}): migration ${unknown[0]} is unknown here; upgrade Uplink, then restore`,
    );
  const prefix = migrationNames.slice(0, header.migrations.length);
  if (prefix.some((m, i) => m !== header.migrations[i]))
    throw new BackupError('the archive’s migrations are not a prefix of this version’s; restore with the Uplink version that made it');
  const warnings: string[] = [];
  const v = header.jobQueueVersion;
  if (v !== null && v > installedJobQueueVersion)
    throw new BackupError(`the archive’s job queue schema (version ${v}) is newer than this Uplink’s (${installedJobQueueVersion}); upgrade Uplink, then restore`);
  if (v !== null && v < installedJobQueueVersion)
    warnings.push(`queued jobs were not restored: the archive's job queue schema is version ${v}, this Uplink's is ${installedJobQueueVersion}`);
  return { migrations: header.migrations, jobQueue: v === installedJobQueueVersion, warnings };
}
