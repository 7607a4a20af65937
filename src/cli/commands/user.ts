import type { Command } from 'commander';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { createUser, issuePasswordLink, unlockUser } from '../../modules/users/users.service.ts';
import { createUserSchema } from '../../modules/users/users.schemas.ts';
import * as userRepo from '../../modules/users/users.repo.ts';
import { cliActor, findOrganization } from '../actor.ts';
import { withDatabase, type CliContext } from '../context.ts';
import { action, CliError } from '../run.ts';

interface CreateOptions {
  email: string;
  name: string;
  role: string;
  org: string;
  password?: string;
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('user accounts');
  user
    .command('create')
    .description('create a user; without --password, prints a one-time link for choosing one')
    .requiredOption('--email <email>', 'sign-in e-mail')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--role <role>', 'role key: developer, super_admin, admin, manager, staff, support, accountant, reseller, sub_reseller, card_distributor, customer')
    .requiredOption('--org <id|root>', 'organization id, or "root" for the ISP')
    .option('--password <password>', 'initial password (otherwise a one-time link is printed)')
    .action(action(create));
  user
    .command('reset-password')
    .description('print a one-time link for the user to choose a new password')
    .requiredOption('--email <email>', 'the user’s e-mail')
    .action(action(resetPassword));
  user
    .command('unlock')
    .description('lift a sign-in lockout after too many failed attempts')
    .requiredOption('--email <email>', 'the user’s e-mail')
    .action(action(unlock));
}

/** Runs a user command against a migrated database with the CLI's actor. */
function withActor<T>(fn: (c: CliContext, a: Awaited<ReturnType<typeof cliActor>>) => Promise<T>): Promise<T> {
  return withDatabase(async (c) => {
    await migrateToLatest(c.database);
    return fn(c, await cliActor(c.database.kysely));
  });
}

function deps(c: CliContext) {
  return { db: c.database.kysely, clock: c.clock, config: c.config };
}

async function create(opts: CreateOptions): Promise<void> {
  await withActor(async (c, { actor, root }) => {
    const org = await findOrganization(c.database.kysely, root, opts.org);
    const input = createUserSchema.parse({ organizationId: org.id, email: opts.email, name: opts.name, role: opts.role, password: opts.password });
    const { user, passwordLink } = await createUser(deps(c), actor, input);
    console.log(`created ${user.email} (${user.role}) in ${org.name}; user id ${user.id}`);
    if (passwordLink) console.log(`one-time link to choose a password (valid until ${passwordLink.expiresAt}):\n${passwordLink.url}`);
  });
}

async function userByEmail(c: CliContext, email: string) {
  const user = await userRepo.findByEmail(c.database.kysely, email.trim());
  if (!user) throw new CliError(`there is no user with the e-mail ${email}`);
  return user;
}

async function resetPassword(opts: { email: string }): Promise<void> {
  await withActor(async (c, { actor }) => {
    const link = await issuePasswordLink(deps(c), actor, (await userByEmail(c, opts.email)).id);
    console.log(`one-time link to choose a new password (valid until ${link.expiresAt}):\n${link.url}`);
  });
}

async function unlock(opts: { email: string }): Promise<void> {
  await withActor(async (c, { actor }) => {
    const user = await unlockUser(deps(c), actor, (await userByEmail(c, opts.email)).id);
    console.log(`unlocked ${user.email}: failed sign-ins reset, they can sign in again`);
  });
}
