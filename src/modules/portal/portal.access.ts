/**
 * Who may use the customer portal: a login of the `customer` role linked to a subscriber. Staff
 * permissions play no part: a portal route answers only the linked subscriber's own data, so the
 * route declares this hook instead of a permission. It runs before validation, like the
 * permission check, so other callers learn nothing of the route's schema.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditActor } from '../../platform/audit/audit.ts';
import type { DB } from '../../platform/db/schema.ts';
import { ForbiddenError, UnauthorizedError } from '../../platform/errors.ts';
import * as repo from './portal.repo.ts';

/** The subscriber behind a portal login, and what its requests write to the audit log. */
export interface Customer {
  readonly userId: string;
  readonly subscriberId: string;
  readonly organizationId: string;
  readonly organizationPath: string;
  /** The login's chosen language, else its organization's. */
  readonly locale: string;
  readonly audit: AuditActor;
}

declare module 'fastify' {
  interface FastifyRequest {
    customer?: Customer;
  }
}

export const customerRole = 'customer';

export function customerOnly(db: Kysely<DB>) {
  return async (req: FastifyRequest): Promise<void> => {
    const actor = req.actor;
    if (!actor) throw new UnauthorizedError();
    const linked = actor.principal.roleKey === customerRole ? await repo.customerLogin(db, actor.principal.userId) : undefined;
    if (!linked) throw new ForbiddenError('The customer portal is for subscribers: sign in with the login your provider gave you');
    req.customer = {
      userId: actor.principal.userId,
      subscriberId: linked.subscriberId,
      organizationId: linked.organizationId,
      organizationPath: linked.organizationPath,
      locale: actor.principal.locale ?? linked.organizationLocale,
      audit: actor.audit,
    };
  };
}

export function customerOf(req: FastifyRequest): Customer {
  if (!req.customer) throw new ForbiddenError();
  return req.customer;
}
