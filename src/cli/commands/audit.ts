import type { Command } from 'commander';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { withDatabase } from '../context.ts';
import { progressReporter } from '../progress.ts';
import { action, CliError, EXIT_AUDIT_BROKEN } from '../run.ts';
import { sql } from 'kysely';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('walk the hash chain; exit 0 when intact, 2 naming the first broken entry')
    .action(action(verify));
}

async function verify(): Promise<number> {
  return withDatabase(async ({ database }) => {
    const { rows } = await sql<{ t: string | null }>`select to_regclass('public.audit_log')::text as t`.execute(database.kysely);
    if (!rows[0]?.t) throw new CliError('this database has no audit log yet: run `uplink db migrate` or start Uplink first');
    const progress = progressReporter('audit verify', 'entries');
    let result;
    try {
      result = await verifyAuditChain(database.kysely, (done, total) => progress.update({ step: '', done, total }));
    } finally {
      progress.stop();
    }
    if (result.ok) {
      console.log(`${result.entries} ${result.entries === 1 ? 'entry' : 'entries'}, chain intact`);
      return 0;
    }
    console.log(`entry ${result.brokenSeq}: ${result.reason} (the ${result.entries} entries before it are intact)`);
    return EXIT_AUDIT_BROKEN;
  });
}
