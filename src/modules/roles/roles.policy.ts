import { ForbiddenError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/auth/principal.ts';

/**
 * No one hands out more power than they hold: a role (or API token scope set) can be granted,
 * and a user holding it managed, only by someone who has every permission it carries.
 */
export function assertCanGrant(actor: Actor, permissions: Iterable<string>, what: string): void {
  const mine = actor.principal.permissions;
  const missing = [...permissions].filter((p) => !mine.has(p));
  if (missing.length) throw new ForbiddenError(`You cannot ${what}: it carries permissions you do not have (${missing.join(', ')})`);
}
