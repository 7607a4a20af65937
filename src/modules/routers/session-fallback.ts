/**
 * Enforcement through the router's management API, for when RFC 5176 did not work (the NAS did not
 * answer or refused): finds the subscriber's live session on a MikroTik router and removes it
 * (/ppp/active, else /ip/hotspot/active), or, for a rate change, sets the new rate on the session's
 * simple queue when that queue is a static one Uplink may edit. RouterOS creates PPP and hotspot
 * queues dynamically and refuses edits to them, so a session with a dynamic queue (or none) is
 * disconnected instead: the subscriber logs in again at once and the Access-Accept carries the
 * new profile. Every command goes to the router command log (withRouter).
 */
import type { RouterClient, RouterRow } from '../../integrations/mikrotik/client.ts';
import type { FallbackOutcome } from '../../platform/db/schema/aaa.ts';
import * as repo from './routers.repo.ts';
import { RouterUnavailableError, withRouter, type Deps } from './router-session.ts';

/** What identifies the session: radacct's view of it. */
export interface SessionTarget {
  username: string | null;
  acctSessionId: string | null;
  /** The subscriber's IPv4 address (Framed-IP-Address), without a mask. */
  address: string | null;
}

export type FallbackAction = { kind: 'disconnect' } | { kind: 'rate'; queue: Record<string, string> };

export interface FallbackResult {
  outcome: FallbackOutcome;
  detail: string;
}

/** The router can be managed through its API: a MikroTik NAS with an API kind and credentials. */
export function hasRouterApi(nas: Pick<repo.RouterNas, 'type' | 'api_kind' | 'api_username' | 'api_password_enc'>): boolean {
  return nas.type === 'mikrotik' && nas.api_kind !== 'none' && !!nas.api_username && !!nas.api_password_enc;
}

/** MikroTik's Acct-Session-Id is /ppp/active's session-id without 0x, in any case. */
const sessionKey = (v: string) => v.trim().toLowerCase().replace(/^0x/, '');

/**
 * The rows of one session: the one with its Acct-Session-Id, else the one at its address, else the
 * only session of the user name. Several sessions of the name and nothing to tell them apart: none
 * (cutting every session of a user for one request is not ours to decide).
 */
export function pickSession(rows: readonly RouterRow[], target: SessionTarget, nameField: 'name' | 'user'): RouterRow | null {
  const named = target.username ? rows.filter((r) => (r[nameField] ?? '').toLowerCase() === target.username!.toLowerCase()) : [];
  if (target.acctSessionId) {
    const id = sessionKey(target.acctSessionId);
    const bySession = named.find((r) => r['session-id'] !== undefined && sessionKey(r['session-id']) === id);
    if (bySession) return bySession;
  }
  if (target.address) {
    const byAddress = (named.length ? named : rows).find((r) => r.address === target.address);
    if (byAddress) return byAddress;
  }
  return named.length === 1 ? named[0]! : null;
}

async function findSession(c: RouterClient, target: SessionTarget): Promise<{ menu: '/ppp/active' | '/ip/hotspot/active'; row: RouterRow } | null> {
  const ppp = await c.print('/ppp/active', target.username ? { where: { name: target.username } } : {});
  const inPpp = pickSession(ppp, target, 'name');
  if (inPpp) return { menu: '/ppp/active', row: inPpp };
  const hotspot = await c.print('/ip/hotspot/active', target.username ? { where: { user: target.username } } : {});
  const inHotspot = pickSession(hotspot, target, 'user');
  return inHotspot ? { menu: '/ip/hotspot/active', row: inHotspot } : null;
}

/** The session's own simple queue: `<pppoe-user>` / `<hotspot-user>` as RouterOS names them, or the one targeting its address. */
async function queueOf(c: RouterClient, menu: string, row: RouterRow): Promise<RouterRow | null> {
  const user = menu === '/ppp/active' ? row.name : row.user;
  const names = user ? [`<pppoe-${user}>`, `<hotspot-${user}>`] : [];
  const queues = await c.print('/queue/simple');
  return (
    queues.find((q) => names.includes(q.name ?? '')) ??
    (row.address ? queues.find((q) => (q.target ?? '').split(',').includes(`${row.address}/32`) || q.target === row.address) : undefined) ??
    null
  );
}

/** Applies `action` to the session on the router; never throws for the router's failures (they are the outcome). */
export async function applyOnRouter(deps: Deps, nas: repo.RouterNas, target: SessionTarget, action: FallbackAction): Promise<FallbackResult> {
  try {
    return await withRouter(deps, nas, null, async (c) => {
      const found = await findSession(c, target);
      if (!found) return { outcome: 'not_found', detail: `no active session of ${target.username ?? target.address ?? 'the subscriber'} on the router` };
      const label = `${found.menu} ${found.row['.id']} (${found.row.name ?? found.row.user ?? ''}${found.row.address ? ` ${found.row.address}` : ''})`;
      if (action.kind === 'rate') {
        const queue = await queueOf(c, found.menu, found.row);
        if (queue && queue.dynamic !== 'true' && queue['.id']) {
          await c.set('/queue/simple', queue['.id'], action.queue);
          return { outcome: 'rate_set', detail: `set ${action.queue['max-limit']} on queue ${queue.name ?? queue['.id']} of ${label}` };
        }
        await c.remove(found.menu, found.row['.id']!);
        return { outcome: 'removed', detail: `removed ${label}: its queue is ${queue ? 'dynamic' : 'missing'}, the next login gets the new profile` };
      }
      await c.remove(found.menu, found.row['.id']!);
      return { outcome: 'removed', detail: `removed ${label}` };
    });
  } catch (err) {
    if (err instanceof RouterUnavailableError) return { outcome: 'failed', detail: err.routerError.message.slice(0, 400) };
    if (err instanceof Error && 'statusCode' in err) return { outcome: 'failed', detail: err.message.slice(0, 400) };
    throw err;
  }
}
