import { Command } from 'commander';
import { uplinkVersion } from '../platform/backup/backup.ts';
import { registerAudit } from './commands/audit.ts';
import { registerBackup } from './commands/backup.ts';
import { registerDb } from './commands/db.ts';
import { registerDemo } from './commands/demo.ts';
import { registerFreeradius } from './commands/freeradius.ts';
import { registerStart } from './commands/start.ts';
import { registerUser } from './commands/user.ts';

const program = new Command('uplink')
  .description('Uplink: billing, CRM and AAA for Internet Service Providers')
  .version(uplinkVersion)
  .showHelpAfterError();
registerStart(program);
registerDb(program);
registerUser(program);
registerDemo(program);
registerBackup(program);
registerAudit(program);
registerFreeradius(program);

await program.parseAsync(process.argv);
// Done: leave even if a library left a timer behind (stdout and stderr are synchronous here).
process.exit(process.exitCode ?? 0);
