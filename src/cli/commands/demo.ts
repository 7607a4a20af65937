import type { Command } from 'commander';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { SecretBox } from '../../platform/crypto.ts';
import { loadSecretKey } from '../../platform/secret-key.ts';
import { databaseIsEmpty, loadDemo, type DemoResult } from '../../modules/demo/demo.service.ts';
import { cliAudit } from '../actor.ts';
import { box } from '../banner.ts';
import { describeDatabase, withDatabase } from '../context.ts';
import { progressReporter } from '../progress.ts';
import { action, CliError } from '../run.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('load the demo data set (a Kenyan ISP, its resellers, staff and a few hundred customer accounts) into an empty database')
    .action(action(demo));
}

async function demo(): Promise<void> {
  await withDatabase(async ({ config, database, clock }) => {
    await migrateToLatest(database);
    if (!(await databaseIsEmpty(database.kysely)))
      throw new CliError(`${describeDatabase(config)} already holds data; demo data loads only into an empty database (use another UPLINK_DATA_DIR or DATABASE_URL)`);
    const progress = progressReporter('demo', 'accounts');
    try {
      const secrets = new SecretBox(loadSecretKey({ secretKeyHex: config.secretKeyHex, dataDir: config.dataDir }));
      printDemoLogins(await loadDemo({ db: database.kysely, clock, secrets }, cliAudit, (done, total) => progress.update({ step: 'users', done, total })));
    } finally {
      progress.stop();
    }
  });
}

export function printDemoLogins(r: DemoResult): void {
  const width = Math.max(...r.logins.map((l) => l.role.length));
  console.log(
    box([
      `Demo data loaded: ${r.organizations} organizations, ${r.users} accounts (${r.customers} customers).`,
      `${r.billing.subscribers} subscribers on 4 plans, ${r.billing.invoices} invoices; ${r.billing.portalLogins} customers can use the portal (/portal).`,
      '',
      `Every demo account's password: ${r.password}`,
      '',
      ...r.logins.map((l) => `${l.role.padEnd(width)}  ${l.email}  (${l.organization})`),
    ]),
  );
}
