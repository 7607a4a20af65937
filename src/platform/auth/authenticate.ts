import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { safeEqual, sha256 } from '../crypto.ts';
import type { DB } from '../db/schema.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { Actor, Principal } from './principal.ts';
import { API_TOKEN_PREFIX, SESSION_COOKIE, endSession, type SessionPolicy } from './sessions.ts';
import type { Permission } from './permissions.ts';

export type RouteAuth = 'public' | 'optional' | 'required';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Default 'required'. */
    auth?: RouteAuth;
    /** The permission the route needs (checked after sign-in). */
    permission?: Permission;
    /** Cookie-authenticated writes need the CSRF header unless a route opts out (login). */
    csrf?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
    actor?: Actor;
  }
}

/** The role's permissions, fetched in the same query as the session or token (one round trip per request). */
function permissionsOf(eb: ExpressionBuilder<any, any>, roleColumn: string) {
  return eb
    .selectFrom('role_permissions as rp')
    .select(sql<string[]>`coalesce(array_agg(rp.permission_key), '{}')`.as('p'))
    .whereRef('rp.role_key', '=', roleColumn as any)
    .as('permissions');
}

export async function principalFromSession(
  db: Kysely<DB>,
  clock: Clock,
  policy: SessionPolicy,
  token: string,
): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('organizations as home', 'home.id', 'u.organization_id')
    .innerJoin('organizations as active', 'active.id', 's.active_organization_id')
    .select([
      's.id as sessionId',
      's.csrf_token',
      's.last_seen_at',
      's.expires_at',
      's.ended_at',
      'u.id as userId',
      'u.name',
      'u.email',
      'u.role_key',
      'u.locale',
      'u.status',
      'home.id as homeId',
      'home.path as homePath',
      'active.id as activeId',
      'active.path as activePath',
      (eb) => permissionsOf(eb, 'u.role_key'),
    ])
    .where('s.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.ended_at) return undefined;
  const now = clock.now();
  if (row.expires_at <= now) {
    await endSession(db, clock, row.sessionId, 'expired');
    return undefined;
  }
  if (now.getTime() - row.last_seen_at.getTime() > policy.idleMinutes * 60_000) {
    await endSession(db, clock, row.sessionId, 'idle');
    return undefined;
  }
  if (row.status !== 'active') return undefined;
  // Touch at most once a minute: idle tracking without a write per request.
  if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.sessionId).execute();
  }
  return {
    via: 'session',
    userId: row.userId,
    userName: row.name,
    email: row.email,
    roleKey: row.role_key,
    locale: row.locale,
    home: { orgId: row.homeId, orgPath: row.homePath },
    scope: { orgId: row.activeId, orgPath: row.activePath },
    permissions: new Set(row.permissions as string[]),
    sessionId: row.sessionId,
    csrfToken: row.csrf_token,
  };
}

export async function principalFromApiToken(db: Kysely<DB>, clock: Clock, token: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .innerJoin('organizations as o', 'o.id', 't.organization_id')
    .select([
      't.id as tokenId',
      't.scopes',
      't.expires_at',
      't.revoked_at',
      't.last_used_at',
      'u.id as userId',
      'u.name',
      'u.email',
      'u.role_key',
      'u.locale',
      'u.status',
      'o.id as orgId',
      'o.path as orgPath',
      (eb) => permissionsOf(eb, 'u.role_key'),
    ])
    .where('t.token_hash', '=', sha256(token))
    .executeTakeFirst();
  const now = clock.now();
  if (!row || row.revoked_at || row.status !== 'active') return undefined;
  if (row.expires_at && row.expires_at <= now) return undefined;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.tokenId).execute();
  }
  // A token can do what its scopes say and its owner's role still allows, never more.
  const rolePerms = new Set(row.permissions as string[]);
  const permissions = new Set(row.scopes.filter((s) => rolePerms.has(s)));
  const scope = { orgId: row.orgId, orgPath: row.orgPath };
  return {
    via: 'api_token',
    userId: row.userId,
    userName: row.name,
    email: row.email,
    roleKey: row.role_key,
    locale: row.locale,
    home: scope,
    scope,
    permissions,
    tokenId: row.tokenId,
  };
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function authHooks(deps: { db: Kysely<DB>; clock: Clock; policy: SessionPolicy }) {
  return {
    /** Resolves who is calling; sets req.principal and req.actor. Never throws for a bad credential here. */
    async identify(req: FastifyRequest): Promise<void> {
      const bearer = bearerToken(req);
      let principal: Principal | undefined;
      if (bearer) {
        if (bearer.startsWith(API_TOKEN_PREFIX)) principal = await principalFromApiToken(deps.db, deps.clock, bearer);
        if (!principal) throw new UnauthorizedError('The API token is invalid, expired or revoked');
      } else {
        const cookie = req.cookies?.[SESSION_COOKIE];
        if (cookie) principal = await principalFromSession(deps.db, deps.clock, deps.policy, cookie);
      }
      if (!principal) return;
      req.principal = principal;
      req.actor = {
        principal,
        audit: {
          type: principal.via === 'api_token' ? 'api_token' : 'user',
          id: principal.via === 'api_token' ? principal.tokenId! : principal.userId,
          label: principal.via === 'api_token' ? `${principal.email} (API token)` : principal.email,
          requestId: String(req.id),
          ip: req.ip,
        },
      };
    },

    /** Enforces the route's declared auth, CSRF and permission. */
    async authorize(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
      const config = req.routeOptions.config;
      const mode = config.auth ?? 'required';
      if (mode === 'public') return;
      const p = req.principal;
      if (!p) {
        if (mode === 'optional') return;
        throw new UnauthorizedError();
      }
      if (p.via === 'session' && unsafeMethods.has(req.method) && config.csrf !== false) {
        const header = req.headers['x-csrf-token'];
        if (typeof header !== 'string' || !p.csrfToken || !safeEqual(header, p.csrfToken))
          throw new ForbiddenError('Missing or wrong CSRF token (send the X-CSRF-Token header)');
      }
      if (config.permission && !p.permissions.has(config.permission))
        throw new ForbiddenError(`This needs the ${config.permission} permission`);
    },
  };
}

/** The audit actor for requests without a signed-in user (login attempts, setup). */
export function anonymousActor(req: FastifyRequest) {
  return { type: 'anonymous' as const, id: null, label: null, requestId: String(req.id), ip: req.ip };
}
