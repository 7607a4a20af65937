import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { issueUserToken, consumeUserToken } from '../../platform/auth/user-tokens.ts';
import { hashPassword } from '../../platform/crypto.ts';
import { BadRequestError, ConflictError } from '../../platform/errors.ts';
import { isCurrencyCode, isTimeZone, rootPath } from '../../core/organizations.ts';
import { passwordProblem } from '../../core/passwords.ts';
import { readSettings } from '../settings/settings.service.ts';
import * as userRepo from '../users/users.repo.ts';
import type { z } from 'zod';
import type { setupSchema } from '../auth/auth.schemas.ts';
import type { ClientInfo } from '../auth/auth.service.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'config'>;

export const FIRST_USER_ROLE = 'developer';

export async function setupNeeded(deps: Pick<AppContext, 'db'>): Promise<boolean> {
  return (await userRepo.countUsers(deps.db)) === 0;
}

/**
 * While nobody can sign in, each start issues a one-time setup link (24 h) that creates the ISP's
 * root organization and the first account. Returns the link, or undefined once set up.
 */
export async function issueSetupLink(deps: Deps, baseUrl: string): Promise<string | undefined> {
  if (!(await setupNeeded(deps))) return undefined;
  await deps.db.updateTable('user_tokens').set({ used_at: deps.clock.now() }).where('purpose', '=', 'setup').where('used_at', 'is', null).execute();
  const t = await issueUserToken(deps.db, deps.clock, { userId: null, purpose: 'setup', ttlMinutes: 24 * 60 });
  return `${baseUrl.replace(/\/$/, '')}/setup#token=${t.token}`;
}

export async function completeSetup(deps: Deps, input: z.infer<typeof setupSchema>, client: ClientInfo) {
  const fields = [];
  if (!isCurrencyCode(input.organization.currency)) fields.push({ field: 'organization.currency', message: 'must be an ISO 4217 code such as KES' });
  if (!isTimeZone(input.organization.timezone)) fields.push({ field: 'organization.timezone', message: 'must be an IANA time zone such as Africa/Nairobi' });
  const settings = await readSettings(deps.db);
  const pw = passwordProblem(input.admin.password, settings.passwordMinLength, [input.admin.email, input.admin.name]);
  if (pw) fields.push({ field: 'admin.password', message: pw });
  if (fields.length) throw new BadRequestError('Some fields need attention', fields);
  const hash = await hashPassword(input.admin.password);
  return deps.db.transaction().execute(async (trx) => {
    if ((await userRepo.countUsers(trx)) > 0) throw new ConflictError('Uplink is already set up; sign in instead');
    const t = await consumeUserToken(trx, deps.clock, input.token, 'setup');
    if (!t) throw new BadRequestError('The setup link is invalid or expired; restart Uplink to print a new one', [{ field: 'token', message: 'is invalid or expired' }]);
    const now = deps.clock.now();
    let root = await trx.selectFrom('organizations').selectAll().where('parent_id', 'is', null).executeTakeFirst();
    if (!root) {
      const id = randomUUID();
      root = await trx
        .insertInto('organizations')
        .values({
          id,
          parent_id: null,
          kind: 'isp',
          name: input.organization.name,
          path: rootPath(id),
          depth: 0,
          currency: input.organization.currency,
          timezone: input.organization.timezone,
          locale: input.organization.locale,
          contact_email: input.admin.email,
          contact_phone: null,
          address: null,
          tax_id: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const user = await userRepo.insert(trx, {
      organization_id: root.id,
      email: input.admin.email,
      name: input.admin.name,
      role_key: FIRST_USER_ROLE,
      password_hash: hash,
      password_changed_at: now,
      locale: input.organization.locale,
      created_at: now,
      updated_at: now,
    });
    await appendAudit(trx, deps.clock, { type: 'anonymous', id: null, label: null, requestId: client.requestId, ip: client.ip }, {
      action: 'system.setup',
      organizationId: root.id,
      organizationPath: root.path,
      objectType: 'user',
      objectId: user.id,
      after: { organization: root.name, email: user.email, role: FIRST_USER_ROLE },
    });
    return user;
  });
}
