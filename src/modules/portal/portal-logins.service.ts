/**
 * Staff give a subscriber a login to the customer portal: a user of the `customer` role in the
 * subscriber's organization, linked to the subscriber (one login per subscriber, the database's
 * unique index). Without a password the subscriber gets a one-time link, as staff users do.
 */
import { passwordProblem } from '../../core/passwords.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { issueUserToken } from '../../platform/auth/user-tokens.ts';
import type { AppContext } from '../../platform/context.ts';
import { hashPassword } from '../../platform/crypto.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import { assertCanGrant } from '../roles/roles.policy.ts';
import * as roleRepo from '../roles/roles.repo.ts';
import { readSettings } from '../settings/settings.service.ts';
import * as subscriberRepo from '../subscribers/subscribers.repo.ts';
import * as usersRepo from '../users/users.repo.ts';
import { mapUser } from '../users/users.schemas.ts';
import { PASSWORD_LINK_MINUTES, type LinkOptions, passwordLinkUrl } from '../users/users.service.ts';
import { customerRole } from './portal.access.ts';
import * as portalRepo from './portal.repo.ts';
import type { PortalLoginInput } from './portal.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'config'>;

export async function createPortalLogin(deps: Deps, actor: Actor, subscriberId: string, input: PortalLoginInput, links: LinkOptions = {}) {
  requirePermission(actor, 'subscribers.update');
  return deps.db.transaction().execute(async (trx) => {
    // Locked, so two staff members creating a login for the same subscriber at once queue here.
    const [subscriber] = await subscriberRepo.lockInScope(trx, actor.principal.scope, [subscriberId]);
    if (!subscriber) throw new NotFoundError('Subscriber');
    assertCanGrant(actor, await roleRepo.permissionsOf(trx, customerRole), 'give a portal login');
    const existing = await portalRepo.loginOf(trx, subscriber.id);
    if (existing) throw new ConflictError(`This subscriber already has a portal login (${existing.email})`);
    if (await usersRepo.findByEmail(trx, input.email))
      throw new ConflictError('A user with this e-mail already exists', [{ field: 'email', message: 'is already in use' }]);
    if (input.password) {
      const problem = passwordProblem(input.password, (await readSettings(trx)).passwordMinLength, [input.email, subscriber.name]);
      if (problem) throw new BadRequestError(`The password ${problem}`, [{ field: 'password', message: problem }]);
    }
    const now = deps.clock.now();
    const user = await usersRepo.insert(trx, {
      organization_id: subscriber.organization_id,
      subscriber_id: subscriber.id,
      email: input.email,
      name: subscriber.name,
      role_key: customerRole,
      locale: null,
      password_hash: input.password ? await hashPassword(input.password) : null,
      password_changed_at: input.password ? now : null,
      created_at: now,
      updated_at: now,
    });
    let passwordLink = null;
    if (!input.password) {
      const t = await issueUserToken(trx, deps.clock, { userId: user.id, purpose: 'password_reset', ttlMinutes: PASSWORD_LINK_MINUTES });
      passwordLink = { url: passwordLinkUrl(deps.config, t.token, links), expiresAt: t.expiresAt.toISOString() };
    }
    const org = await orgRepo.findById(trx, subscriber.organization_id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'user.create',
      organizationId: subscriber.organization_id,
      organizationPath: org?.path ?? null,
      objectType: 'user',
      objectId: user.id,
      after: { ...mapUser(user), subscriberId: subscriber.id },
    });
    return { user: mapUser(user), passwordLink };
  });
}
