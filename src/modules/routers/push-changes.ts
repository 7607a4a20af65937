/**
 * What the plan-profile push and the queue push share: a change is property → [on the router,
 * wanted]; the router is told the wanted values, the API shows each property's from and to, and an
 * applied push is audited on the NAS.
 */
import { appendAudit } from '../../platform/audit/audit.ts';
import type { Actor } from '../../platform/auth/principal.ts';
import type { Deps } from './router-session.ts';
import type { RouterNas } from './routers.repo.ts';

export type PropertyChanges = Record<string, [string | null, string]>;

/** The values to send: what each changed property should become. */
export const wantedValues = (changes: PropertyChanges): Record<string, string> => Object.fromEntries(Object.entries(changes).map(([k, [, to]]) => [k, to]));

/** The changes as the API answers them. */
export const changeRows = (changes: PropertyChanges) => Object.entries(changes).map(([property, [from, to]]) => ({ property, from, to }));

/** The audit entry of a push that changed the router. */
export async function auditPush(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, nas: Pick<RouterNas, 'id' | 'organization_id' | 'organization_path'>, action: string, after: unknown): Promise<void> {
  await deps.db.transaction().execute((trx) =>
    appendAudit(trx, deps.clock, actor.audit, { action, organizationId: nas.organization_id, organizationPath: nas.organization_path, objectType: 'nas', objectId: nas.id, after }),
  );
}
