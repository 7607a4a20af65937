/**
 * What pushing the catalog to a router means, as pure functions: the profile each plan should have
 * on the router, and the changes that bring the router's profiles there. Only the properties Uplink
 * manages are compared, so a push after a push changes nothing, and settings an operator added by
 * hand (other properties, other profiles) are left alone. Profiles are named by plan code.
 */
import { mikrotikRateLimit, rateProfileOf } from '../../core/mikrotik-rate-limit.ts';
import type { RouterRow } from '../../integrations/mikrotik/client.ts';
import type { PlanForRouter } from './routers.repo.ts';

export type ProfileMenu = '/ppp/profile' | '/ip/hotspot/user/profile';

export interface DesiredProfile {
  menu: ProfileMenu;
  planId: string;
  planCode: string;
  name: string;
  props: Record<string, string>;
}

export interface ProfileChange extends DesiredProfile {
  action: 'create' | 'update' | 'unchanged';
  id: string | null;
  /** Property → [on the router, wanted]; only those that differ. */
  changes: Record<string, [string | null, string]>;
}

/** The mark on every profile Uplink writes, naming the plan version it came from. */
export const commentOf = (p: Pick<PlanForRouter, 'code' | 'version'>) => `uplink plan ${p.code} v${p.version}`;

export function desiredProfiles(plans: readonly PlanForRouter[]): DesiredProfile[] {
  return plans.map((p) => {
    const menu: ProfileMenu = p.service_type === 'hotspot' ? '/ip/hotspot/user/profile' : '/ppp/profile';
    // Empty text clears a property on RouterOS: a plan without a limit, pool or list says so.
    const props: Record<string, string> = {
      'rate-limit': mikrotikRateLimit(rateProfileOf(p)) ?? '',
      'address-list': p.address_list ?? '',
      [menu === '/ppp/profile' ? 'remote-address' : 'address-pool']: p.ip_pool ?? '',
      comment: commentOf(p),
    };
    return { menu, planId: p.id, planCode: p.code, name: p.code, props };
  });
}

/** Compares the wanted profiles with the router's (rows of `print` on each menu). */
export function profileChanges(desired: readonly DesiredProfile[], onRouter: Record<ProfileMenu, readonly RouterRow[]>): ProfileChange[] {
  return desired.map((d) => {
    const row = onRouter[d.menu].find((r) => r.name === d.name);
    if (!row) return { ...d, action: 'create', id: null, changes: Object.fromEntries(Object.entries(d.props).filter(([, v]) => v !== '').map(([k, v]) => [k, [null, v]])) };
    const changes: Record<string, [string | null, string]> = {};
    for (const [k, v] of Object.entries(d.props)) if ((row[k] ?? '') !== v) changes[k] = [row[k] ?? null, v];
    return { ...d, action: Object.keys(changes).length ? 'update' : 'unchanged', id: row['.id'] ?? null, changes };
  });
}

/** Plans whose codes collide are pushed once (the first by code order); the rest are reported. */
export function withoutNameClashes(plans: readonly PlanForRouter[]): { plans: PlanForRouter[]; clashes: PlanForRouter[] } {
  const seen = new Set<string>();
  const kept: PlanForRouter[] = [];
  const clashes: PlanForRouter[] = [];
  for (const p of plans) {
    const key = `${p.service_type}:${p.code.toLowerCase()}`;
    if (seen.has(key)) clashes.push(p);
    else {
      seen.add(key);
      kept.push(p);
    }
  }
  return { plans: kept, clashes };
}
