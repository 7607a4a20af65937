import type { AppContext } from '../../platform/context.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import { endUserSessions } from '../../platform/auth/sessions.ts';
import { issueUserToken, revokeUserTokens } from '../../platform/auth/user-tokens.ts';
import { hashPassword } from '../../platform/crypto.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import { passwordProblem } from '../../core/passwords.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import * as roleRepo from '../roles/roles.repo.ts';
import { assertCanGrant } from '../roles/roles.policy.ts';
import { readSettings } from '../settings/settings.service.ts';
import * as repo from './users.repo.ts';
import { mapUser, type CreateUserInput, type UpdateUserInput, type UserListQuery } from './users.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'config'>;

export const PASSWORD_LINK_MINUTES = 72 * 60;

/**
 * Where links point. Links are handed to the staff member who asked (never e-mailed from here), so
 * an API caller may pass the address it reached us by; PUBLIC_URL, when set, wins.
 */
export interface LinkOptions {
  baseUrl?: string;
}

export function passwordLinkUrl(config: AppContext['config'], token: string, links: LinkOptions = {}): string {
  const base = config.publicUrl ?? links.baseUrl ?? `http://localhost:${config.port}`;
  return `${base.replace(/\/$/, '')}/reset-password#token=${token}`;
}

async function userPage(deps: Deps, actor: Actor, query: UserListQuery) {
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.userSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapUser), nextCursor: p.nextCursor };
}

export async function listUsers(deps: Deps, actor: Actor, query: UserListQuery) {
  requirePermission(actor, 'users.read');
  return userPage(deps, actor, query);
}

export async function exportUsers(deps: Deps, actor: Actor, query: Omit<UserListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'users.export');
  const rows = await everyPage(query, (q: UserListQuery) => userPage(deps, actor, q));
  return toCsv(['id', 'organizationId', 'email', 'name', 'role', 'status', 'locale', 'totpEnabled', 'lastLoginAt', 'createdAt'], rows);
}

export async function getUser(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'users.read');
  const user = await repo.findInScope(deps.db, actor.principal.scope, id);
  if (!user) throw new NotFoundError('User');
  return mapUser(user);
}

async function checkRole(deps: Deps, trx: AppContext['db'], actor: Actor, roleKey: string): Promise<void> {
  const role = await roleRepo.findRole(trx, roleKey);
  if (!role) throw new BadRequestError(`There is no role "${roleKey}"`, [{ field: 'role', message: 'is not a role' }]);
  assertCanGrant(actor, await roleRepo.permissionsOf(trx, roleKey), `give the ${roleKey} role`);
}

async function checkPassword(deps: Deps, db: AppContext['db'], password: string, personal: string[]): Promise<void> {
  const settings = await readSettings(db);
  const problem = passwordProblem(password, settings.passwordMinLength, personal);
  if (problem) throw new BadRequestError(`The password ${problem}`, [{ field: 'password', message: problem }]);
}

export async function createUser(deps: Deps, actor: Actor, input: CreateUserInput, links: LinkOptions = {}) {
  requirePermission(actor, 'users.create');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const org = await orgRepo.findInScope(trx, scope, input.organizationId ?? scope.orgId);
    if (!org) throw new NotFoundError('Organization');
    await checkRole(deps, trx, actor, input.role);
    if (await repo.findByEmail(trx, input.email))
      throw new ConflictError('A user with this e-mail already exists', [{ field: 'email', message: 'is already in use' }]);
    if (input.password) await checkPassword(deps, trx, input.password, [input.email, input.name]);
    const now = deps.clock.now();
    const user = await repo.insert(trx, {
      organization_id: org.id,
      email: input.email,
      name: input.name,
      role_key: input.role,
      locale: input.locale ?? null,
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
    const after = mapUser(user);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'user.create',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'user',
      objectId: user.id,
      after,
    });
    return { user: after, passwordLink };
  });
}

export async function updateUser(deps: Deps, actor: Actor, id: string, input: UpdateUserInput) {
  requirePermission(actor, 'users.update');
  const scope = actor.principal.scope;
  return deps.db.transaction().execute(async (trx) => {
    const current = await repo.findInScope(trx, scope, id);
    if (!current) throw new NotFoundError('User');
    assertCanGrant(actor, await roleRepo.permissionsOf(trx, current.role_key), 'change this user');
    const self = current.id === actor.principal.userId;
    if (self && input.role !== undefined && input.role !== current.role_key) throw new ConflictError('You cannot change your own role');
    if (self && input.status === 'disabled') throw new ConflictError('You cannot disable yourself');
    if (input.role !== undefined && input.role !== current.role_key) await checkRole(deps, trx, actor, input.role);
    let org = await orgRepo.findById(trx, current.organization_id);
    if (input.organizationId && input.organizationId !== current.organization_id) {
      if (self) throw new ConflictError('You cannot move yourself to another organization');
      org = await orgRepo.findInScope(trx, scope, input.organizationId);
      if (!org) throw new NotFoundError('Organization');
    }
    if (input.email && input.email !== current.email.toLowerCase()) {
      const other = await repo.findByEmail(trx, input.email);
      if (other && other.id !== id) throw new ConflictError('A user with this e-mail already exists', [{ field: 'email', message: 'is already in use' }]);
    }
    const user = await repo.update(trx, id, {
      organization_id: input.organizationId,
      email: input.email,
      name: input.name,
      role_key: input.role,
      status: input.status,
      locale: input.locale,
      updated_at: deps.clock.now(),
    });
    // Whatever changes who the user is or may do ends their sessions: they sign in again.
    if (input.status === 'disabled' || user.role_key !== current.role_key || user.organization_id !== current.organization_id)
      await endUserSessions(trx, deps.clock, id, input.status === 'disabled' ? 'user-disabled' : 'user-changed');
    const before = mapUser(current);
    const after = mapUser(user);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: input.status && input.status !== current.status ? `user.${input.status === 'disabled' ? 'disable' : 'enable'}` : 'user.update',
      organizationId: org!.id,
      organizationPath: org!.path,
      objectType: 'user',
      objectId: id,
      before,
      after,
    });
    return after;
  });
}

export async function deleteUser(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'users.delete');
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.findInScope(trx, actor.principal.scope, id);
    if (!current) throw new NotFoundError('User');
    if (current.id === actor.principal.userId) throw new ConflictError('You cannot delete yourself');
    assertCanGrant(actor, await roleRepo.permissionsOf(trx, current.role_key), 'delete this user');
    const org = await orgRepo.findById(trx, current.organization_id);
    await repo.remove(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'user.delete',
      organizationId: current.organization_id,
      organizationPath: org?.path ?? null,
      objectType: 'user',
      objectId: id,
      before: mapUser(current),
    });
  });
}

/** An administrator issues a one-time link for the user to choose a new password. */
export async function issuePasswordLink(deps: Deps, actor: Actor, id: string, links: LinkOptions = {}) {
  requirePermission(actor, 'users.update');
  return deps.db.transaction().execute(async (trx) => {
    const user = await repo.findInScope(trx, actor.principal.scope, id);
    if (!user) throw new NotFoundError('User');
    assertCanGrant(actor, await roleRepo.permissionsOf(trx, user.role_key), 'reset this user’s password');
    await revokeUserTokens(trx, deps.clock, id, 'password_reset');
    const t = await issueUserToken(trx, deps.clock, { userId: id, purpose: 'password_reset', ttlMinutes: 24 * 60 });
    const org = await orgRepo.findById(trx, user.organization_id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'user.password_link',
      organizationId: user.organization_id,
      organizationPath: org?.path ?? null,
      objectType: 'user',
      objectId: id,
    });
    return { url: passwordLinkUrl(deps.config, t.token, links), expiresAt: t.expiresAt.toISOString() };
  });
}

/** Lifts a sign-in lockout before it runs out. */
export async function unlockUser(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'users.update');
  return deps.db.transaction().execute(async (trx) => {
    const user = await repo.findInScope(trx, actor.principal.scope, id);
    if (!user) throw new NotFoundError('User');
    const updated = await repo.update(trx, id, { failed_login_count: 0, locked_until: null, updated_at: deps.clock.now() });
    const org = await orgRepo.findById(trx, user.organization_id);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'user.unlock',
      organizationId: user.organization_id,
      organizationPath: org?.path ?? null,
      objectType: 'user',
      objectId: id,
    });
    return mapUser(updated);
  });
}
