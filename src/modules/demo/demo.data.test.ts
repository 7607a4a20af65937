import { describe, expect, it } from 'vitest';
import { roleKeys } from '../../platform/auth/permissions.ts';
import { buildDemoDataset } from './demo.data.ts';

describe('demo data set', () => {
  const now = new Date('2026-06-01T09:00:00Z');
  const set = buildDemoDataset(now);

  it('is the same every time', () => {
    expect(buildDemoDataset(now)).toEqual(set);
  });

  it('has a consistent tree: one ISP, three resellers, sub-resellers, two card partners, paths from parents', () => {
    const kinds = set.organizations.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'isp')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'reseller')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'sub_reseller').length).toBeGreaterThanOrEqual(3);
    expect(kinds.filter((k) => k === 'card_partner')).toHaveLength(2);
    const byId = new Map(set.organizations.map((o) => [o.id, o]));
    for (const o of set.organizations.filter((x) => x.parent_id)) {
      const parent = byId.get(o.parent_id!)!;
      expect(o.path).toBe(`${parent.path}${o.id}/`);
      expect(o.depth).toBe(parent.depth + 1);
    }
    // A reseller may bill in its own currency; its subtree follows it.
    for (const o of set.organizations.filter((x) => x.depth > 1)) expect(o.currency).toBe(byId.get(o.parent_id!)!.currency);
  });

  it('has people in every role, a few hundred customers, unique e-mails and ids', () => {
    expect(new Set(set.users.map((u) => u.role_key))).toEqual(new Set(roleKeys));
    expect(set.users.filter((u) => u.role_key === 'customer').length).toBeGreaterThanOrEqual(300);
    expect(new Set(set.users.map((u) => u.email)).size).toBe(set.users.length);
    expect(new Set([...set.users, ...set.organizations].map((x) => x.id)).size).toBe(set.users.length + set.organizations.length);
    expect(set.users.every((u) => u.created_at <= now && (!u.last_login_at || u.last_login_at <= now))).toBe(true);
  });
});
