/**
 * NAS: the routers and access servers that ask Uplink about subscribers over RADIUS. A NAS belongs
 * to an organization of the caller's subtree; its source address is unique in the whole system
 * (the RADIUS server finds a NAS by it); its shared secret and API password are write-only and
 * sealed with ctx.secrets. Every change is audited and tells the RADIUS client directory to reload.
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { randomToken } from '../../platform/crypto.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors.ts';
import { everyPage, page, toCsv } from '../../platform/http/list.ts';
import { orgInScope, pathInScope, type Scope } from '../../platform/tenancy/scope.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Kysely, Transaction } from 'kysely';
import { nasChanged } from './nas-changes.ts';
import * as repo from './nas.repo.ts';
import type { CreateNasInput, NasListQuery, NasOutput, UpdateNasInput } from './nas.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets'>;
type Db = Kysely<DB> | Transaction<DB>;

export const blastRadiusWarning =
  'Message-Authenticator is not required: this NAS is open to the BlastRADIUS attack (CVE-2024-3596). Turn it back on as soon as the NAS sends one.';

const defaultApiPort = (kind: 'rest' | 'binary', tls: boolean) => (kind === 'rest' ? (tls ? 443 : 80) : tls ? 8729 : 8728);

export function mapNas(r: repo.NasRow): NasOutput {
  return {
    id: r.id,
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    name: r.name,
    type: r.type,
    address: r.address,
    secretSet: r.secret_enc.length > 0,
    requireMessageAuthenticator: r.require_message_authenticator,
    warning: r.require_message_authenticator ? null : blastRadiusWarning,
    coaPort: r.coa_port,
    location: r.location,
    coordinates: r.latitude === null || r.longitude === null ? null : { latitude: Number(r.latitude), longitude: Number(r.longitude) },
    description: r.description,
    managementApi: { kind: r.api_kind, port: r.api_port, tls: r.api_tls, username: r.api_username, passwordSet: r.api_password_enc !== null },
    status: r.status,
    statusChangedAt: r.status_changed_at?.toISOString() ?? null,
    lastSeenAt: r.last_seen_at?.toISOString() ?? null,
    active: r.active,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function organizationInScope(db: Db, scope: Scope, id: string) {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).where(orgInScope(scope)).executeTakeFirst();
}

/** 409 naming the NAS that has the address, or only "another organization's" when the caller may not see it. */
async function checkAddressFree(db: Db, scope: Scope, address: string, exceptId?: string): Promise<void> {
  const owner = await repo.byAddress(db, address, exceptId);
  if (!owner) return;
  const who = pathInScope(scope, owner.organization_path) ? `the NAS ${owner.name}` : 'a NAS of another organization';
  throw new ConflictError(`The address ${address} is already used by ${who}`, [{ field: 'address', message: 'is taken' }]);
}

async function checkNameFree(db: Db, organizationId: string, name: string, exceptId?: string): Promise<void> {
  if (await repo.nameTaken(db, organizationId, name, exceptId))
    throw new ConflictError(`There is already a NAS named ${name}`, [{ field: 'name', message: 'is taken' }]);
}

type ApiInput = NonNullable<CreateNasInput['managementApi']>;

/** The management API columns: a kind needs a username and a password (given now or stored before). */
function apiColumns(deps: Deps, input: ApiInput, storedPassword: string | null) {
  if (input.kind === 'none') return { api_kind: 'none' as const, api_port: null, api_tls: false, api_username: null, api_password_enc: null };
  const errors = [];
  if (!input.username) errors.push({ field: 'managementApi.username', message: 'is required for a management API' });
  if (!input.password && !storedPassword) errors.push({ field: 'managementApi.password', message: 'is required for a management API' });
  if (errors.length) throw new BadRequestError('The management API needs a username and a password', errors);
  return {
    api_kind: input.kind,
    api_port: input.port ?? defaultApiPort(input.kind, input.tls),
    api_tls: input.tls,
    api_username: input.username!,
    api_password_enc: input.password ? deps.secrets.seal(input.password) : storedPassword,
  };
}

async function nasPage(deps: Deps, actor: Actor, query: NasListQuery) {
  const rows = await repo.list(deps.db, actor.principal.scope, query);
  const p = page(rows, repo.nasSort, query, (r, f) => (f === 'created_at' ? r.created_at : r[f as keyof typeof r]), (r) => r.id);
  return { items: p.items.map(mapNas), nextCursor: p.nextCursor };
}

export async function listNas(deps: Deps, actor: Actor, query: NasListQuery) {
  requirePermission(actor, 'nas.read');
  return nasPage(deps, actor, query);
}

export async function exportNas(deps: Deps, actor: Actor, query: Omit<NasListQuery, 'cursor' | 'limit'>): Promise<string> {
  requirePermission(actor, 'nas.export');
  const items = await everyPage(query, (q: NasListQuery) => nasPage(deps, actor, q));
  const rows = items.map((n) => ({
    ...n,
    latitude: n.coordinates?.latitude,
    longitude: n.coordinates?.longitude,
    apiKind: n.managementApi.kind,
    apiPort: n.managementApi.port,
  }));
  const columns = ['id', 'organizationName', 'name', 'type', 'address', 'active', 'status', 'lastSeenAt', 'requireMessageAuthenticator', 'coaPort', 'location', 'latitude', 'longitude', 'apiKind', 'apiPort', 'description', 'createdAt'];
  return toCsv(columns, rows);
}

export async function getNas(deps: Deps, actor: Actor, id: string) {
  requirePermission(actor, 'nas.read');
  const row = await repo.findInScope(deps.db, actor.principal.scope, id);
  if (!row) throw new NotFoundError('NAS');
  const events = await repo.events(deps.db, actor.principal.scope, 20, id);
  return { ...mapNas(row), events: events.map(mapEvent) };
}

export function mapEvent(e: repo.NasEventRow) {
  return { id: e.id, nasId: e.nas_id, nasName: e.nas_name, kind: e.kind, at: e.at.toISOString(), details: e.details };
}

export async function listEvents(deps: Deps, actor: Actor, limit: number) {
  requirePermission(actor, 'nas.read');
  return { items: (await repo.events(deps.db, actor.principal.scope, limit)).map(mapEvent) };
}

export async function createNas(deps: Deps, actor: Actor, input: CreateNasInput) {
  requirePermission(actor, 'nas.create');
  const scope = actor.principal.scope;
  const created = await deps.db.transaction().execute(async (trx) => {
    const org = await organizationInScope(trx, scope, input.organizationId ?? scope.orgId);
    if (!org) throw new NotFoundError('Organization');
    await checkAddressFree(trx, scope, input.address);
    await checkNameFree(trx, org.id, input.name);
    const id = randomUUID();
    const now = deps.clock.now();
    await repo.insert(trx, {
      id,
      organization_id: org.id,
      name: input.name,
      type: input.type,
      address: input.address,
      secret_enc: deps.secrets.seal(input.secret),
      require_message_authenticator: input.requireMessageAuthenticator,
      coa_port: input.coaPort,
      location: input.location,
      latitude: input.coordinates ? String(input.coordinates.latitude) : null,
      longitude: input.coordinates ? String(input.coordinates.longitude) : null,
      description: input.description,
      ...apiColumns(deps, input.managementApi ?? { kind: 'none', tls: false }, null),
      created_at: now,
      updated_at: now,
    });
    const after = mapNas((await repo.findInScope(trx, scope, id))!);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'nas.create', organizationId: org.id, organizationPath: org.path, objectType: 'nas', objectId: id, after });
    return after;
  });
  nasChanged();
  return created;
}

export async function updateNas(deps: Deps, actor: Actor, id: string, input: UpdateNasInput) {
  requirePermission(actor, 'nas.update');
  const scope = actor.principal.scope;
  const updated = await deps.db.transaction().execute(async (trx) => {
    const current = await repo.lockInScope(trx, scope, id);
    if (!current) throw new NotFoundError('NAS');
    if (input.address !== undefined) await checkAddressFree(trx, scope, input.address, id);
    if (input.name !== undefined) await checkNameFree(trx, current.organization_id, input.name, id);
    const before = mapNas(current);
    await repo.update(trx, id, {
      name: input.name,
      type: input.type,
      address: input.address,
      require_message_authenticator: input.requireMessageAuthenticator,
      coa_port: input.coaPort,
      location: input.location,
      latitude: input.coordinates === undefined ? undefined : input.coordinates && String(input.coordinates.latitude),
      longitude: input.coordinates === undefined ? undefined : input.coordinates && String(input.coordinates.longitude),
      description: input.description,
      active: input.active,
      ...(input.managementApi ? apiColumns(deps, input.managementApi, current.api_password_enc) : {}),
      // A deactivated NAS is not watched: its status says so rather than keeping a stale "up".
      ...(input.active === false && current.active ? { status: 'unknown' as const, status_changed_at: deps.clock.now() } : {}),
      updated_at: deps.clock.now(),
    });
    const after = mapNas((await repo.findInScope(trx, scope, id))!);
    const action = input.active === false && before.active ? 'nas.deactivate' : input.active === true && !before.active ? 'nas.activate' : 'nas.update';
    await appendAudit(trx, deps.clock, actor.audit, { action, organizationId: current.organization_id, organizationPath: current.organization_path, objectType: 'nas', objectId: id, before, after });
    return after;
  });
  nasChanged();
  return updated;
}

/** A new shared secret (given, or 144 random bits); answered once so it can be entered on the NAS. */
export async function rotateSecret(deps: Deps, actor: Actor, id: string, secret?: string): Promise<{ secret: string }> {
  requirePermission(actor, 'nas.update');
  const scope = actor.principal.scope;
  const fresh = secret ?? randomToken(18);
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.lockInScope(trx, scope, id);
    if (!current) throw new NotFoundError('NAS');
    await repo.update(trx, id, { secret_enc: deps.secrets.seal(fresh), updated_at: deps.clock.now() });
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'nas.rotate_secret',
      organizationId: current.organization_id,
      organizationPath: current.organization_path,
      objectType: 'nas',
      objectId: id,
      after: { generated: secret === undefined },
    });
  });
  nasChanged();
  return { secret: fresh };
}

/** Only a NAS nothing refers to may go; one with pools, sessions or backups is deactivated instead. */
export async function deleteNas(deps: Deps, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'nas.delete');
  const scope = actor.principal.scope;
  await deps.db.transaction().execute(async (trx) => {
    const current = await repo.lockInScope(trx, scope, id);
    if (!current) throw new NotFoundError('NAS');
    const used = await repo.referencesTo(trx, id);
    if (used.length) throw new ConflictError(`The NAS ${current.name} is still referenced (${used.join(', ')}): deactivate it instead`);
    const before = mapNas(current);
    await repo.remove(trx, id);
    await appendAudit(trx, deps.clock, actor.audit, { action: 'nas.delete', organizationId: current.organization_id, organizationPath: current.organization_path, objectType: 'nas', objectId: id, before });
  });
  nasChanged();
}
