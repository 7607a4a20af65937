import path from 'node:path';
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { createBackup } from '../../platform/backup/backup.ts';
import { inspectArchive, type ArchiveSummary } from '../../platform/backup/inspect.ts';
import { restoreBackup } from '../../platform/backup/restore.ts';
import { currentSecretKeyId, describeDatabase, withDatabase } from '../context.ts';
import { progressReporter, type ProgressReporter } from '../progress.ts';
import { action, CliError, EXIT_AUDIT_BROKEN } from '../run.ts';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('write a consistent archive of the whole database (works while Uplink runs on a PostgreSQL server)')
    .option('--out <file>', 'archive to write (default ./uplink-backup-<time>.jsonl.gz)')
    .action(action(backup));
  program
    .command('restore')
    .description('replace the whole database with an archive made by `uplink backup` (on either engine)')
    .argument('<file>', 'the archive')
    .option('--yes', 'do not ask for confirmation')
    .action(action(restore));
}

async function withProgress<T>(reporter: ProgressReporter, fn: (r: ProgressReporter) => Promise<T>): Promise<T> {
  try {
    return await fn(reporter);
  } finally {
    reporter.stop();
  }
}

async function backup(opts: { out?: string }): Promise<void> {
  const file = path.resolve(opts.out ?? `uplink-backup-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}.jsonl.gz`);
  await withDatabase(async ({ config, database, clock }) => {
    const summary = await withProgress(progressReporter('backup', 'rows'), (p) =>
      createBackup(database, { file, clock, secretKeyId: currentSecretKeyId(config), onProgress: (x) => p.update(x) }),
    );
    console.log(`wrote ${summary.file}: ${summary.tables} tables, ${summary.rows} rows, ${(summary.bytes / 1024).toFixed(0)} KiB`);
  });
}

async function restore(file: string, opts: { yes?: boolean }): Promise<number> {
  return withDatabase(
    async ({ config, database }) => {
      const summary = await withProgress(progressReporter('checking archive', 'rows'), (p) => inspectArchive(path.resolve(file), (x) => p.update(x)));
      const target = describeDatabase(config);
      printSummary(summary, target);
      await confirm(opts.yes === true, target);
      const result = await withProgress(progressReporter('restore', 'rows'), (p) =>
        restoreBackup(database, { summary, secretKeyId: currentSecretKeyId(config), onProgress: (x) => p.update(x) }),
      );
      for (const w of result.warnings) console.error(`warning: ${w}`);
      console.log(`restored ${result.tables} tables, ${result.rows} rows`);
      if (!result.audit.ok) {
        console.error(`the restored audit chain is broken: entry ${result.audit.brokenSeq}: ${result.audit.reason}`);
        return EXIT_AUDIT_BROKEN;
      }
      console.log(`audit log: ${result.audit.entries} ${result.audit.entries === 1 ? 'entry' : 'entries'}, chain intact`);
      return 0;
    },
    { singleConnection: true },
  );
}

function printSummary(s: ArchiveSummary, target: string): void {
  const h = s.header;
  console.log(`archive: made ${h.createdAt} by Uplink ${h.uplinkVersion} on ${h.engine} (PostgreSQL ${h.postgresVersion})`);
  console.log(`         ${h.tables.length} tables, ${s.rows} rows, ${h.migrations.length} migrations`);
  console.log(`target:  ${target}`);
}

async function confirm(yes: boolean, target: string): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError('restore replaces everything in the target database; add --yes to confirm');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`This erases everything in ${target} and replaces it with the archive. Type "yes" to go on: `);
    if (answer.trim().toLowerCase() !== 'yes') throw new CliError('restore cancelled; nothing was changed');
  } finally {
    rl.close();
  }
}
