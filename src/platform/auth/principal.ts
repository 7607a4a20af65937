import type { AuditActor } from '../audit/audit.ts';
import { ForbiddenError } from '../errors.ts';
import type { Scope } from '../tenancy/scope.ts';
import type { Permission } from './permissions.ts';

/** The signed-in user (through a session cookie or an API token) and what it may do where. */
export interface Principal {
  via: 'session' | 'api_token';
  userId: string;
  userName: string;
  email: string;
  roleKey: string;
  locale: string | null;
  /** The user's own organization: the widest scope it can switch to. */
  home: Scope;
  /** The organization subtree this request acts in (home, or a descendant chosen by the switcher). */
  scope: Scope;
  permissions: ReadonlySet<string>;
  sessionId?: string;
  csrfToken?: string;
  tokenId?: string;
}

/** What a service needs to know about the caller: its identity and rights, and the audit trail data. */
export interface Actor {
  principal: Principal;
  audit: AuditActor;
}

export function can(p: Principal, permission: Permission): boolean {
  return p.permissions.has(permission);
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor.principal, permission)) throw new ForbiddenError(`This needs the ${permission} permission`);
}
