import type { Command } from 'commander';
import type { Config } from '../../platform/config.ts';
import { SecretBox } from '../../platform/crypto.ts';
import { loadSecretKey } from '../../platform/secret-key.ts';
import { sqlModule } from '../../modules/freeradius/config.ts';
import { disableMirror, enableMirror } from '../../modules/freeradius/mirror.ts';
import { withDatabase } from '../context.ts';
import { action } from '../run.ts';

/** Running Debian's FreeRADIUS against this database (docs/freeradius.md). */
export function registerFreeradius(program: Command): void {
  const fr = program.command('freeradius').description("let FreeRADIUS (rlm_sql) read this database's subscribers and NAS");
  fr.command('enable')
    .description('mirror login passwords and NAS secrets in clear text into schema freeradius (FreeRADIUS needs them)')
    .action(action(enable));
  fr.command('disable').description('stop the mirror and delete every clear-text secret it held').action(action(disable));
  fr.command('sql-module')
    .description('print the rlm_sql module for /etc/freeradius/3.0/mods-available/sql')
    .requiredOption('--host <host>', 'PostgreSQL host FreeRADIUS connects to')
    .option('--port <port>', 'PostgreSQL port', '5432')
    .requiredOption('--database <name>', "Uplink's database")
    .option('--user <role>', 'a role with the grants of uplink_freeradius', 'uplink_freeradius')
    .option('--password <password>', 'its password (or edit the file afterwards)', '')
    .action(action(async (o: { host: string; port: string; database: string; user: string; password: string }) => {
      process.stdout.write(sqlModule({ host: o.host, port: Number(o.port), database: o.database, user: o.user, password: o.password }));
      return 0;
    }));
}

const secretsOf = (config: Config) => new SecretBox(loadSecretKey({ secretKeyHex: config.secretKeyHex, dataDir: config.dataDir }));

async function enable(): Promise<number> {
  return withDatabase(async ({ config, database }) => {
    const done = await enableMirror({ db: database.kysely, secrets: secretsOf(config) });
    console.log(`mirror on: ${done.subscriptions} login passwords and ${done.nas} NAS secrets copied; restart FreeRADIUS to read new NAS`);
    return 0;
  });
}

async function disable(): Promise<number> {
  return withDatabase(async ({ database }) => {
    await disableMirror(database.kysely);
    console.log('mirror off: no clear-text secret is left in schema freeradius');
    return 0;
  });
}
