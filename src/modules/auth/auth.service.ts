import type { AppContext } from '../../platform/context.ts';
import { appendAudit, recordAudit, type AuditActor } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor, type Principal } from '../../platform/auth/principal.ts';
import { page } from '../../platform/http/list.ts';
import { createSession, endSession, endUserSessions } from '../../platform/auth/sessions.ts';
import { matchTotp, newTotpSecret, totpUri } from '../../platform/auth/totp.ts';
import { consumeUserToken, issueUserToken } from '../../platform/auth/user-tokens.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../platform/crypto.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError } from '../../platform/errors.ts';
import { passwordProblem } from '../../core/passwords.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import { mapOrganization, type OrganizationListQuery } from '../organizations/organizations.schemas.ts';
import { readSettings } from '../settings/settings.service.ts';
import * as userRepo from '../users/users.repo.ts';
import { mapUser } from '../users/users.schemas.ts';
import type { User } from '../../platform/db/schema.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'config' | 'secrets'>;

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

export type SignedIn = { status: 'signed-in'; token: string; csrfToken: string; expiresAt: Date; userId: string };
export type LoginOutcome = SignedIn | { status: 'mfa-required'; mfaToken: string };

const MFA_TOKEN_MINUTES = 5;
const badCredentials = 'E-mail or password is incorrect';

function auditActor(client: ClientInfo, user?: User): AuditActor {
  return user
    ? { type: 'user', id: user.id, label: user.email, requestId: client.requestId, ip: client.ip }
    : { type: 'anonymous', id: null, label: null, requestId: client.requestId, ip: client.ip };
}

async function orgOf(deps: Deps, user: User) {
  const org = await orgRepo.findById(deps.db, user.organization_id);
  if (!org) throw new Error(`user ${user.id} has no organization`);
  return org;
}

async function failLogin(deps: Deps, user: User, client: ClientInfo, reason: string): Promise<never> {
  const settings = await readSettings(deps.db);
  const org = await orgOf(deps, user);
  const now = deps.clock.now();
  const failures = user.failed_login_count + 1;
  const lock = failures >= settings.loginMaxFailures;
  await deps.db.transaction().execute(async (trx) => {
    await userRepo.update(trx, user.id, {
      failed_login_count: lock ? 0 : failures,
      locked_until: lock ? new Date(now.getTime() + settings.lockoutMinutes * 60_000) : user.locked_until,
    });
    await appendAudit(trx, deps.clock, auditActor(client), {
      action: lock ? 'auth.lockout' : 'auth.login_failed',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'user',
      objectId: user.id,
      after: { reason, failures },
    });
  });
  if (lock) throw new TooManyRequestsError(`Too many failed sign-ins; the account is locked for ${settings.lockoutMinutes} minutes`, settings.lockoutMinutes * 60);
  throw new UnauthorizedError(reason === 'bad-totp' ? 'The code is incorrect' : badCredentials);
}

function assertNotLocked(deps: Deps, user: User): void {
  const now = deps.clock.now();
  if (user.locked_until && user.locked_until > now) {
    const seconds = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
    throw new TooManyRequestsError(`Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minute(s)`, seconds);
  }
}

async function assertMaySignIn(deps: Deps, user: User): Promise<void> {
  if (user.status !== 'active') throw new ForbiddenError('This account is disabled');
  const org = await orgOf(deps, user);
  if (await orgRepo.isDisabledOnPath(deps.db, org.path)) throw new ForbiddenError('Your organization is disabled');
}

async function openSession(deps: Deps, user: User, client: ClientInfo, action: string): Promise<SignedIn> {
  const org = await orgOf(deps, user);
  return deps.db.transaction().execute(async (trx) => {
    await userRepo.update(trx, user.id, { failed_login_count: 0, locked_until: null, last_login_at: deps.clock.now() });
    const s = await createSession(
      trx,
      deps.clock,
      { idleMinutes: deps.config.sessionIdleMinutes, absoluteHours: deps.config.sessionAbsoluteHours },
      { userId: user.id, organizationId: user.organization_id, ip: client.ip, userAgent: client.userAgent },
    );
    await appendAudit(trx, deps.clock, auditActor(client, user), {
      action,
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'user',
      objectId: user.id,
    });
    return { status: 'signed-in', ...s, userId: user.id };
  });
}

export async function login(deps: Deps, input: { email: string; password: string }, client: ClientInfo): Promise<LoginOutcome> {
  const user = await userRepo.findByEmail(deps.db, input.email);
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), input.password);
    await recordAudit(deps.db, deps.clock, auditActor(client), { action: 'auth.login_failed', after: { reason: 'unknown-email', email: input.email } });
    throw new UnauthorizedError(badCredentials);
  }
  assertNotLocked(deps, user);
  if (!(await verifyPassword(user.password_hash, input.password))) return failLogin(deps, user, client, 'bad-password');
  await assertMaySignIn(deps, user);
  if (user.totp_enabled) {
    const t = await issueUserToken(deps.db, deps.clock, { userId: user.id, purpose: 'mfa', ttlMinutes: MFA_TOKEN_MINUTES });
    return { status: 'mfa-required', mfaToken: t.token };
  }
  return openSession(deps, user, client, 'auth.login');
}

export async function loginMfa(deps: Deps, input: { mfaToken: string; code: string }, client: ClientInfo): Promise<SignedIn> {
  const t = await consumeUserToken(deps.db, deps.clock, input.mfaToken, 'mfa');
  if (!t?.user_id) throw new UnauthorizedError('The sign-in step expired; sign in again');
  const user = await userRepo.findById(deps.db, t.user_id);
  if (!user || !user.totp_enabled || !user.totp_secret_enc) throw new UnauthorizedError('Sign in again');
  assertNotLocked(deps, user);
  const step = matchTotp(deps.secrets.open(user.totp_secret_enc), input.code, deps.clock.now());
  if (step === null || (user.totp_last_step !== null && BigInt(step) <= user.totp_last_step)) {
    // A wrong code costs a failed attempt; the second step must be started again.
    return failLogin(deps, user, client, 'bad-totp');
  }
  await userRepo.update(deps.db, user.id, { totp_last_step: BigInt(step) });
  await assertMaySignIn(deps, user);
  return openSession(deps, user, client, 'auth.login');
}

export async function logout(deps: Deps, actor: Actor): Promise<void> {
  const p = actor.principal;
  if (!p.sessionId) return;
  await endSession(deps.db, deps.clock, p.sessionId, 'logout');
  await recordAudit(deps.db, deps.clock, actor.audit, {
    action: 'auth.logout',
    organizationId: p.home.orgId,
    organizationPath: p.home.orgPath,
    objectType: 'user',
    objectId: p.userId,
  });
}

export async function me(deps: Deps, principal: Principal) {
  const [user, org, home] = await Promise.all([
    userRepo.findById(deps.db, principal.userId),
    orgRepo.findById(deps.db, principal.scope.orgId),
    orgRepo.findById(deps.db, principal.home.orgId),
  ]);
  if (!user || !org || !home) throw new UnauthorizedError();
  return {
    user: mapUser(user),
    organization: mapOrganization(org),
    homeOrganization: mapOrganization(home),
    permissions: [...principal.permissions].sort(),
    csrfToken: principal.csrfToken ?? null,
    via: principal.via,
  };
}

export async function updateMe(deps: Deps, actor: Actor, input: { name?: string; locale?: string | null }) {
  const p = actor.principal;
  await deps.db.transaction().execute(async (trx) => {
    const before = await userRepo.findById(trx, p.userId);
    const after = await userRepo.update(trx, p.userId, { name: input.name, locale: input.locale, updated_at: deps.clock.now() });
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'user.update_self',
      organizationId: p.home.orgId,
      organizationPath: p.home.orgPath,
      objectType: 'user',
      objectId: p.userId,
      before: before && mapUser(before),
      after: mapUser(after),
    });
  });
  return me(deps, p);
}

/** What the switcher offers: the home subtree, whichever organization the session works in now. */
export async function listSwitchableOrganizations(deps: Deps, actor: Actor, query: OrganizationListQuery) {
  requirePermission(actor, 'organizations.read');
  const rows = await orgRepo.list(deps.db, actor.principal.home, query);
  const p = page(rows, orgRepo.organizationSort, query, (r, f) => r[f as keyof typeof r], (r) => r.id);
  return { items: p.items.map(mapOrganization), nextCursor: p.nextCursor };
}

/** The organization switcher: work inside one organization of your subtree. */
export async function switchOrganization(deps: Deps, actor: Actor, organizationId: string) {
  const p = actor.principal;
  if (!p.sessionId) throw new BadRequestError('API tokens are bound to one organization');
  const org = await orgRepo.findInScope(deps.db, p.home, organizationId);
  if (!org) throw new NotFoundError('Organization');
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('sessions').set({ active_organization_id: org.id }).where('id', '=', p.sessionId!).execute();
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'auth.switch_organization',
      organizationId: org.id,
      organizationPath: org.path,
      objectType: 'session',
      objectId: p.sessionId!,
      before: { organizationId: p.scope.orgId },
      after: { organizationId: org.id },
    });
  });
  return me(deps, { ...p, scope: { orgId: org.id, orgPath: org.path } });
}

async function checkNewPassword(db: Deps['db'], password: string, user: User): Promise<void> {
  const settings = await readSettings(db);
  const problem = passwordProblem(password, settings.passwordMinLength, [user.email, user.name]);
  if (problem) throw new BadRequestError(`The new password ${problem}`, [{ field: 'newPassword', message: problem }]);
}

/** Changes the password, ends every other session and hands back a fresh session token. */
export async function changePassword(
  deps: Deps,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
): Promise<SignedIn> {
  const p = actor.principal;
  if (!p.sessionId) throw new BadRequestError('Change the password from a signed-in browser session');
  const user = await userRepo.findById(deps.db, p.userId);
  if (!user) throw new UnauthorizedError();
  if (!(await verifyPassword(user.password_hash, input.currentPassword)))
    throw new BadRequestError('The current password is incorrect', [{ field: 'currentPassword', message: 'is incorrect' }]);
  await checkNewPassword(deps.db, input.newPassword, user);
  const hash = await hashPassword(input.newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await userRepo.update(trx, user.id, { password_hash: hash, password_changed_at: deps.clock.now() });
    await endUserSessions(trx, deps.clock, user.id, 'password-changed');
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'auth.password_change',
      organizationId: p.home.orgId,
      organizationPath: p.home.orgPath,
      objectType: 'user',
      objectId: user.id,
    });
  });
  return openSession(deps, user, client, 'auth.session_renewed');
}

export async function resetPassword(deps: Deps, input: { token: string; newPassword: string }, client: ClientInfo): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const t = await consumeUserToken(trx, deps.clock, input.token, 'password_reset');
    if (!t?.user_id) throw new BadRequestError('This link is invalid, used or expired; ask for a new one', [{ field: 'token', message: 'is invalid or expired' }]);
    const user = await userRepo.findById(trx, t.user_id);
    if (!user) throw new BadRequestError('This link is invalid, used or expired');
    await checkNewPassword(trx, input.newPassword, user);
    await userRepo.update(trx, user.id, {
      password_hash: await hashPassword(input.newPassword),
      password_changed_at: deps.clock.now(),
      failed_login_count: 0,
      locked_until: null,
    });
    await endUserSessions(trx, deps.clock, user.id, 'password-reset');
    const org = await orgRepo.findById(trx, user.organization_id);
    await appendAudit(trx, deps.clock, auditActor(client, user), {
      action: 'auth.password_reset',
      organizationId: user.organization_id,
      organizationPath: org?.path ?? null,
      objectType: 'user',
      objectId: user.id,
    });
  });
}

export async function startTotpSetup(deps: Deps, actor: Actor) {
  const user = await userRepo.findById(deps.db, actor.principal.userId);
  if (!user) throw new UnauthorizedError();
  if (user.totp_enabled) throw new ConflictError('Two-factor sign-in is already on; turn it off first to set up a new device');
  const secret = newTotpSecret();
  await userRepo.update(deps.db, user.id, { totp_secret_enc: deps.secrets.seal(secret), totp_last_step: null });
  const settings = await readSettings(deps.db);
  return { secret, uri: totpUri(secret, settings.platformName, user.email) };
}

export async function enableTotp(deps: Deps, actor: Actor, code: string) {
  const p = actor.principal;
  const user = await userRepo.findById(deps.db, p.userId);
  if (!user?.totp_secret_enc) throw new ConflictError('Start the two-factor setup first');
  if (user.totp_enabled) throw new ConflictError('Two-factor sign-in is already on');
  const step = matchTotp(deps.secrets.open(user.totp_secret_enc), code, deps.clock.now());
  if (step === null) throw new BadRequestError('The code is incorrect; check the time on your phone', [{ field: 'code', message: 'is incorrect' }]);
  await deps.db.transaction().execute(async (trx) => {
    await userRepo.update(trx, user.id, { totp_enabled: true, totp_last_step: BigInt(step), updated_at: deps.clock.now() });
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'auth.totp_enable',
      organizationId: p.home.orgId,
      organizationPath: p.home.orgPath,
      objectType: 'user',
      objectId: user.id,
    });
  });
  return me(deps, p);
}

export async function disableTotp(deps: Deps, actor: Actor, password: string) {
  const p = actor.principal;
  const user = await userRepo.findById(deps.db, p.userId);
  if (!user) throw new UnauthorizedError();
  if (!(await verifyPassword(user.password_hash, password)))
    throw new BadRequestError('The password is incorrect', [{ field: 'password', message: 'is incorrect' }]);
  await deps.db.transaction().execute(async (trx) => {
    await userRepo.update(trx, user.id, { totp_enabled: false, totp_secret_enc: null, totp_last_step: null, updated_at: deps.clock.now() });
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'auth.totp_disable',
      organizationId: p.home.orgId,
      organizationPath: p.home.orgPath,
      objectType: 'user',
      objectId: user.id,
    });
  });
  return me(deps, p);
}

export async function listMySessions(deps: Deps, actor: Actor) {
  const rows = await deps.db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', actor.principal.userId)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', deps.clock.now())
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((s) => ({
    id: s.id,
    current: s.id === actor.principal.sessionId,
    ip: s.ip,
    userAgent: s.user_agent,
    createdAt: s.created_at.toISOString(),
    lastSeenAt: s.last_seen_at.toISOString(),
    expiresAt: s.expires_at.toISOString(),
  }));
}

export async function endMySession(deps: Deps, actor: Actor, sessionId: string): Promise<void> {
  const s = await deps.db
    .selectFrom('sessions')
    .select('id')
    .where('id', '=', sessionId)
    .where('user_id', '=', actor.principal.userId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (!s) throw new NotFoundError('Session');
  await endSession(deps.db, deps.clock, sessionId, 'ended-by-user');
  await recordAudit(deps.db, deps.clock, actor.audit, {
    action: 'auth.session_end',
    organizationId: actor.principal.home.orgId,
    organizationPath: actor.principal.home.orgPath,
    objectType: 'session',
    objectId: sessionId,
  });
}
