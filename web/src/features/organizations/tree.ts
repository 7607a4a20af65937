/** Pure helpers for showing organizations as a tree. */

export type OrganizationKind = 'isp' | 'reseller' | 'sub_reseller' | 'card_partner';

/** Which kinds may sit under which (the server checks the same rule). */
export const allowedChildKinds: Record<OrganizationKind, readonly Exclude<OrganizationKind, 'isp'>[]> = {
  isp: ['reseller', 'card_partner'],
  reseller: ['sub_reseller', 'card_partner'],
  sub_reseller: ['sub_reseller', 'card_partner'],
  card_partner: [],
};

export interface TreeNode {
  id: string;
  parentId: string | null;
  name: string;
}

/**
 * Orders organizations depth-first (parents before children, siblings by name) and gives each
 * its nesting level within the list. An organization whose parent is not in the list (filtered
 * out, or above the user's scope) starts a tree of its own at level 0.
 */
export function treeOrder<T extends TreeNode>(items: readonly T[]): { item: T; level: number }[] {
  const ids = new Set(items.map((i) => i.id));
  const children = new Map<string | null, T[]>();
  for (const item of items) {
    const parent = item.parentId && ids.has(item.parentId) ? item.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(item);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const out: { item: T; level: number }[] = [];
  const visit = (parent: string | null, level: number) => {
    for (const item of children.get(parent) ?? []) {
      out.push({ item, level });
      visit(item.id, level + 1);
    }
  };
  visit(null, 0);
  return out;
}
