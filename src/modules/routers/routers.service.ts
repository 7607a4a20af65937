/**
 * Router management use cases over a NAS: its status, pushing the catalog's plans as profiles,
 * active sessions, the command log and the pinned certificate. A NAS outside the caller's subtree
 * answers 404; reading needs nas.read, changing the router or its pin nas.update.
 */
import type { RouterRow } from '../../integrations/mikrotik/client.ts';
import { RouterCertificateError, RouterError } from '../../integrations/mikrotik/errors.ts';
import { normalizeFingerprint } from '../../integrations/mikrotik/socket.ts';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { ListQuery } from '../../platform/http/list.ts';
import { page } from '../../platform/http/list.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { auditPush, changeRows, wantedValues } from './push-changes.ts';
import { desiredProfiles, profileChanges, withoutNameClashes, type ProfileMenu } from './plan-push.ts';
import { connectOptions, defaultPort, hostOf, withRouter, type Deps } from './router-session.ts';
import * as repo from './routers.repo.ts';

export type { Deps };

export async function nasOf(deps: Pick<Deps, 'db'>, actor: Actor, id: string): Promise<repo.RouterNas> {
  const nas = await repo.nasInScope(deps.db, actor.principal.scope, id);
  if (!nas) throw new NotFoundError('NAS');
  return nas;
}

const num = (v: string | undefined) => (v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

/** Connects, logs in and reads identity and resources; a failure is an answer (ok: false), not an error. */
export async function routerStatus(deps: Deps, actor: Actor, nasId: string) {
  requirePermission(actor, 'nas.read');
  const nas = await nasOf(deps, actor, nasId);
  const options = await connectOptions(deps, nas);
  const base = {
    nasId: nas.id,
    protocol: nas.api_kind === 'rest' ? ('rest' as const) : ('binary' as const),
    endpoint: `${hostOf(nas)}:${nas.api_port ?? defaultPort(nas)}`,
    tls: nas.api_tls,
    pinnedFingerprint: options.tls?.fingerprint ?? null,
  };
  const started = performance.now();
  try {
    const { identity, resource } = await withRouter(
      deps,
      nas,
      actor.principal.userId,
      async (c) => ({ identity: (await c.print('/system/identity'))[0]?.name ?? null, resource: (await c.print('/system/resource'))[0] ?? {} }),
      true,
    );
    return {
      ...base,
      ok: true,
      durationMs: Math.round(performance.now() - started),
      identity,
      resource: {
        version: resource.version ?? null,
        boardName: resource['board-name'] ?? null,
        architecture: resource['architecture-name'] ?? null,
        uptime: resource.uptime ?? null,
        cpuLoadPercent: num(resource['cpu-load']),
        freeMemoryBytes: num(resource['free-memory']),
        totalMemoryBytes: num(resource['total-memory']),
      },
      error: null,
      presentedFingerprint: null,
    };
  } catch (err) {
    if (!(err instanceof RouterError)) throw err;
    return {
      ...base,
      ok: false,
      durationMs: Math.round(performance.now() - started),
      identity: null,
      resource: null,
      error: { kind: err.kind, message: err.message },
      presentedFingerprint: err instanceof RouterCertificateError ? err.presentedFingerprint : null,
    };
  }
}

const managed = ['.id', 'name', 'rate-limit', 'address-list', 'remote-address', 'address-pool', 'comment'];

/**
 * Makes the router's PPP and hotspot user profiles match the active plans (created or updated,
 * never removed). With dryRun, only compares. A second push finds everything unchanged.
 */
export async function pushPlans(deps: Deps, actor: Actor, nasId: string, input: { dryRun: boolean }) {
  requirePermission(actor, 'nas.update');
  const nas = await nasOf(deps, actor, nasId);
  const { plans, clashes } = withoutNameClashes(await repo.plansFor(deps.db, nas));
  const desired = desiredProfiles(plans);
  const changes = await withRouter(deps, nas, actor.principal.userId, async (c) => {
    const onRouter: Record<ProfileMenu, RouterRow[]> = {
      '/ppp/profile': desired.some((d) => d.menu === '/ppp/profile') ? await c.print('/ppp/profile', { proplist: managed }) : [],
      '/ip/hotspot/user/profile': desired.some((d) => d.menu === '/ip/hotspot/user/profile') ? await c.print('/ip/hotspot/user/profile', { proplist: managed }) : [],
    };
    const found = profileChanges(desired, onRouter);
    if (input.dryRun) return found;
    for (const ch of found) {
      if (ch.action === 'create') await c.add(ch.menu, { name: ch.name, ...Object.fromEntries(Object.entries(ch.props).filter(([, v]) => v !== '')) });
      else if (ch.action === 'update') await c.set(ch.menu, ch.id!, wantedValues(ch.changes));
    }
    return found;
  });
  const summary = { create: 0, update: 0, unchanged: 0 };
  for (const ch of changes) summary[ch.action]++;
  const applied = !input.dryRun && summary.create + summary.update > 0;
  const profiles = changes.map((ch) => ({
    menu: ch.menu,
    planId: ch.planId,
    planCode: ch.planCode,
    name: ch.name,
    action: ch.action,
    changes: changeRows(ch.changes),
  }));
  if (applied) await auditPush(deps, actor, nas, 'router.push-plans', { summary, profiles: profiles.filter((p) => p.action !== 'unchanged') });
  const pending = summary.create + summary.update;
  const message =
    pending === 0
      ? `Nothing to change: the router already has the ${summary.unchanged} plan profile(s)`
      : input.dryRun
        ? `${summary.create} profile(s) to create and ${summary.update} to update`
        : `${summary.create} profile(s) created and ${summary.update} updated`;
  return {
    dryRun: input.dryRun,
    applied,
    summary,
    message,
    profiles,
    skipped: clashes.map((p) => ({ planId: p.id, planCode: p.code, reason: 'another plan of the same service type has this code' })),
  };
}

export async function activeSessions(deps: Deps, actor: Actor, nasId: string) {
  requirePermission(actor, 'nas.read');
  const nas = await nasOf(deps, actor, nasId);
  const [ppp, hotspot] = await withRouter(deps, nas, actor.principal.userId, async (c) => [await c.print('/ppp/active'), await c.print('/ip/hotspot/active')]);
  const or = (v: string | undefined) => v ?? null;
  return {
    items: [
      ...ppp.map((r) => ({ kind: 'pppoe' as const, id: r['.id'] ?? '', user: r.name ?? '', address: or(r.address), callerId: or(r['caller-id']), uptime: or(r.uptime), service: or(r.service), bytesIn: null, bytesOut: null })),
      ...hotspot.map((r) => ({
        kind: 'hotspot' as const,
        id: r['.id'] ?? '',
        user: r.user ?? '',
        address: or(r.address),
        callerId: or(r['mac-address']),
        uptime: or(r.uptime),
        service: or(r.server),
        bytesIn: or(r['bytes-in']),
        bytesOut: or(r['bytes-out']),
      })),
    ],
  };
}

export async function listCommands(deps: Deps, actor: Actor, nasId: string, query: ListQuery) {
  requirePermission(actor, 'nas.read');
  await nasOf(deps, actor, nasId);
  const rows = await repo.listCommands(deps.db, nasId, query);
  const p = page(rows, repo.commandSort, query, (r) => Number(r.id), (r) => r.id.toString());
  return {
    items: p.items.map((r) => ({
      id: r.id.toString(),
      protocol: r.protocol,
      command: r.command,
      outcome: r.outcome,
      message: r.message,
      durationMs: r.duration_ms,
      at: r.at.toISOString(),
      userId: r.user_id,
      userEmail: r.user_email,
    })),
    nextCursor: p.nextCursor,
  };
}

/** Pins (or with null, unpins) the certificate accepted on the router's API-SSL/HTTPS. */
export async function setTlsPin(deps: Deps, actor: Actor, nasId: string, fingerprint: string | null) {
  requirePermission(actor, 'nas.update');
  return deps.db.transaction().execute(async (trx) => {
    const nas = await nasOf({ db: trx }, actor, nasId);
    const before = await repo.pinOf(trx, nas.id);
    const after = fingerprint === null ? null : normalizeFingerprint(fingerprint);
    await repo.setPin(trx, nas.id, after, deps.clock.now(), actor.principal.userId);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'router.tls-pin',
      organizationId: nas.organization_id,
      organizationPath: nas.organization_path,
      objectType: 'nas',
      objectId: nas.id,
      before: { fingerprint: before },
      after: { fingerprint: after },
    });
    return { fingerprint: after };
  });
}
