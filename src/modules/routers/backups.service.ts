/**
 * Configuration backups of a router: its `/export` script, taken on demand or nightly, kept as
 * history, compared line by line. Backups hold the router's configuration, so reading and taking
 * them needs nas.export. The hash leaves out the export's first line (the time it was made), so an
 * unchanged configuration has the same hash and the nightly job does not store it again.
 */
import { structuredPatch } from 'diff';
import { sha256Hex } from '../../platform/crypto.ts';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { ListQuery } from '../../platform/http/list.ts';
import { page } from '../../platform/http/list.ts';
import { BadRequestError, NotFoundError } from '../../platform/errors.ts';
import { exportConfiguration } from '../../integrations/mikrotik/export.ts';
import { withRouter, type Deps } from './router-session.ts';
import * as repo from './routers.repo.ts';
import { nasOf } from './routers.service.ts';

type BackupRow = Awaited<ReturnType<typeof repo.insertBackup>>;

export function mapBackup(r: BackupRow) {
  return { id: r.id, nasId: r.nas_id, trigger: r.trigger, sha256: r.sha256, sizeBytes: r.size_bytes, createdAt: r.created_at.toISOString(), createdBy: r.created_by };
}

const exportStamp = /^# [^\n]* by RouterOS [^\n]*$/;

/** The configuration's hash: the export without its "# <time> by RouterOS <version>" line. */
export function configurationHash(content: string): string {
  return sha256Hex(content.replace(/^# [^\n]* by RouterOS [^\n]*\n/, ''));
}

interface BackupBy {
  audit: AuditActor;
  userId: string | null;
}

/** Takes a backup now; with `skipUnchanged` (the nightly run) an unchanged configuration is not stored again. */
export async function backupNas(deps: Deps, nas: repo.RouterNas, by: BackupBy, trigger: 'manual' | 'schedule', skipUnchanged = false) {
  const content = await withRouter(deps, nas, by.userId, (c) => exportConfiguration(c));
  const sha256 = configurationHash(content);
  return deps.db.transaction().execute(async (trx) => {
    if (skipUnchanged && (await repo.latestBackup(trx, nas.id))?.sha256 === sha256) return null;
    const row = await repo.insertBackup(trx, {
      nas_id: nas.id,
      organization_id: nas.organization_id,
      trigger,
      content,
      sha256,
      size_bytes: Buffer.byteLength(content),
      created_at: deps.clock.now(),
      created_by: by.userId,
    });
    await appendAudit(trx, deps.clock, by.audit, {
      action: 'router.backup',
      organizationId: nas.organization_id,
      organizationPath: nas.organization_path,
      objectType: 'nas',
      objectId: nas.id,
      after: { backupId: row.id, trigger, sha256, sizeBytes: row.size_bytes },
    });
    return mapBackup(row);
  });
}

export async function takeBackup(deps: Deps, actor: Actor, nasId: string) {
  requirePermission(actor, 'nas.export');
  const nas = await nasOf(deps, actor, nasId);
  return (await backupNas(deps, nas, { audit: actor.audit, userId: actor.principal.userId }, 'manual'))!;
}

export async function listBackups(deps: Deps, actor: Actor, nasId: string, query: ListQuery) {
  requirePermission(actor, 'nas.export');
  await nasOf(deps, actor, nasId);
  const rows = await repo.listBackups(deps.db, nasId, query);
  const p = page(rows, repo.backupSort, query, (r) => r.created_at, (r) => r.id);
  return { items: p.items.map(mapBackup), nextCursor: p.nextCursor };
}

async function backupOf(deps: Deps, nasId: string, id: string) {
  const row = await repo.getBackup(deps.db, nasId, id);
  if (!row) throw new NotFoundError('Backup');
  return row;
}

export async function getBackup(deps: Deps, actor: Actor, nasId: string, backupId: string) {
  requirePermission(actor, 'nas.export');
  await nasOf(deps, actor, nasId);
  const row = await backupOf(deps, nasId, backupId);
  return { ...mapBackup(row), content: row.content };
}

/** A unified line diff of two backups of the same NAS, with three lines of context. */
export async function diffBackups(deps: Deps, actor: Actor, nasId: string, q: { from: string; to: string }) {
  requirePermission(actor, 'nas.export');
  await nasOf(deps, actor, nasId);
  if (q.from === q.to) throw new BadRequestError('Pick two different backups', [{ field: 'to', message: 'must differ from from' }]);
  const [from, to] = [await backupOf(deps, nasId, q.from), await backupOf(deps, nasId, q.to)];
  const patch = structuredPatch('from', 'to', from.content, to.content, '', '', { context: 3 });
  let added = 0;
  let removed = 0;
  for (const h of patch.hunks)
    for (const l of h.lines) {
      // The export's first line is its time stamp: shown, but not a change of configuration.
      if (exportStamp.test(l.slice(1))) continue;
      if (l.startsWith('+')) added++;
      else if (l.startsWith('-')) removed++;
    }
  return {
    from: mapBackup(from),
    to: mapBackup(to),
    identical: from.sha256 === to.sha256,
    added,
    removed,
    hunks: patch.hunks.map((h) => ({ oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart, newLines: h.newLines, lines: h.lines })),
  };
}
