import type { Kysely } from 'kysely';
import type { AuditActor } from '../platform/audit/audit.ts';
import type { Actor } from '../platform/auth/principal.ts';
import type { DB, Organization } from '../platform/db/schema.ts';
import { CliError } from './run.ts';

/** Whoever runs the CLI has the machine, hence the database: audit entries name them 'cli'. */
export const cliAudit: AuditActor = { type: 'system', id: null, label: 'cli', requestId: null, ip: null };

/**
 * The CLI acts through the same services as the API, as a principal holding every permission
 * over the whole tree, so its changes pass the same checks and land in the audit log.
 */
export async function cliActor(db: Kysely<DB>): Promise<{ actor: Actor; root: Organization }> {
  const root = await db.selectFrom('organizations').selectAll().where('parent_id', 'is', null).executeTakeFirst();
  if (!root)
    throw new CliError('there is no organization yet: open the setup link that `uplink start` prints, or load the demo data with `uplink demo`');
  const permissions = (await db.selectFrom('permissions').select('key').execute()).map((p) => p.key);
  const scope = { orgId: root.id, orgPath: root.path };
  return {
    root,
    actor: {
      principal: {
        via: 'session',
        userId: 'cli',
        userName: 'Uplink CLI',
        email: '',
        roleKey: 'developer',
        locale: null,
        home: scope,
        scope,
        permissions: new Set(permissions),
      },
      audit: cliAudit,
    },
  };
}

/** `root` or an organization id, as the --org option takes it. */
export async function findOrganization(db: Kysely<DB>, root: Organization, ref: string): Promise<Organization> {
  if (ref === 'root') return root;
  if (!/^[0-9a-f-]{36}$/i.test(ref)) throw new CliError(`--org takes an organization id or "root", not "${ref}"`);
  const org = await db.selectFrom('organizations').selectAll().where('id', '=', ref.toLowerCase()).executeTakeFirst();
  if (!org) throw new CliError(`there is no organization ${ref}`);
  return org;
}
