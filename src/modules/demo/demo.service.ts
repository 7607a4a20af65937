import type { Kysely } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import { hashPassword, randomToken } from '../../platform/crypto.ts';
import { ConflictError } from '../../platform/errors.ts';
import { type DemoBilling, loadDemoBilling } from './demo.billing.ts';
import { buildDemoDataset, DEMO_DATASET, type DemoUser } from './demo.data.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets'>;

export interface DemoLogin {
  role: string;
  email: string;
  organization: string;
}

export interface DemoResult {
  organizations: number;
  users: number;
  customers: number;
  /** Every demo account's password: random per load, so a demo on a public address is not an open door. */
  password: string;
  logins: DemoLogin[];
  billing: DemoBilling;
}

const BATCH = 100;

/** Demo data goes only into an empty database: mixed into real data it could never be told apart. */
export async function databaseIsEmpty(db: Kysely<DB>): Promise<boolean> {
  const orgs = await db.selectFrom('organizations').select('id').limit(1).execute();
  const users = await db.selectFrom('users').select('id').limit(1).execute();
  return orgs.length === 0 && users.length === 0;
}

/** Loads the demo data set in one transaction, recorded by one audit entry. */
export async function loadDemo(deps: Deps, actor: AuditActor, onProgress?: (done: number, total: number) => void): Promise<DemoResult> {
  const now = deps.clock.now();
  const { organizations, users } = buildDemoDataset(now);
  const password = `Demo-${randomToken(9)}`;
  // One hash for every account: argon2 per account would take a minute for a few hundred.
  const passwordHash = await hashPassword(password);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await databaseIsEmpty(trx))) throw new ConflictError('The database already holds data; demo data loads only into an empty database');
    await trx.insertInto('organizations').values(organizations.map((o) => ({ ...o, created_at: now, updated_at: now }))).execute();
    for (let i = 0; i < users.length; i += BATCH) {
      const batch = users.slice(i, i + BATCH).map((u) => ({ ...u, password_hash: passwordHash, password_changed_at: u.created_at, updated_at: u.created_at }));
      await trx.insertInto('users').values(batch).execute();
      onProgress?.(Math.min(i + BATCH, users.length), users.length);
    }
    // Setup links printed before the load would otherwise still create a second root account.
    await trx.updateTable('user_tokens').set({ used_at: now }).where('purpose', '=', 'setup').where('used_at', 'is', null).execute();
    const root = organizations[0]!;
    await appendAudit(trx, deps.clock, actor, {
      action: 'demo.load',
      organizationId: root.id,
      organizationPath: root.path,
      objectType: 'organization',
      objectId: root.id,
      after: { dataset: DEMO_DATASET, organizations: organizations.length, users: users.length },
    });
  });
  const root = organizations[0]!;
  const rootUsers = await deps.db.selectFrom('users').selectAll().where('organization_id', '=', root.id).orderBy('email').execute();
  const rootOrg = await deps.db.selectFrom('organizations').selectAll().where('id', '=', root.id).executeTakeFirstOrThrow();
  const billing = await loadDemoBilling(
    deps,
    actor,
    rootOrg,
    rootUsers.find((u) => u.role_key === 'developer')!,
    rootUsers.filter((u) => u.role_key === 'customer' && u.status === 'active'),
  );
  const orgName = new Map(organizations.map((o) => [o.id, o.name]));
  return {
    organizations: organizations.length,
    users: users.length,
    customers: users.filter((u) => u.role_key === 'customer').length,
    password,
    logins: featuredLogins(users).map((u) => ({ role: u.role_key, email: u.email, organization: orgName.get(u.organization_id)! })),
    billing,
  };
}

/** The first account of each role: enough to try every panel. */
function featuredLogins(users: DemoUser[]): DemoUser[] {
  const seen = new Set<string>();
  return users.filter((u) => u.status === 'active' && !seen.has(u.role_key) && seen.add(u.role_key));
}
