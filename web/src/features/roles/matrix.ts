/** Lays permission keys (`resource.action`) out as a resource × action grid. */

const actionOrder = ['read', 'create', 'update', 'delete', 'export'];

export interface PermissionGrid {
  resources: string[];
  actions: string[];
  /** The permission key in a cell, or null where the catalogue has no such permission. */
  cell(resource: string, action: string): string | null;
}

export function permissionGrid(keys: readonly string[]): PermissionGrid {
  const known = new Set(keys);
  const resources: string[] = [];
  const actions = new Set<string>();
  for (const key of keys) {
    const dot = key.lastIndexOf('.');
    const resource = key.slice(0, dot);
    if (!resources.includes(resource)) resources.push(resource);
    actions.add(key.slice(dot + 1));
  }
  const rank = (a: string) => (actionOrder.includes(a) ? actionOrder.indexOf(a) : actionOrder.length);
  return {
    resources,
    actions: [...actions].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)),
    cell: (resource, action) => (known.has(`${resource}.${action}`) ? `${resource}.${action}` : null),
  };
}

/** Toggles one permission; granting any action on a resource also grants reading it. */
export function togglePermission(selected: ReadonlySet<string>, key: string, on: boolean, catalogue: readonly string[]): Set<string> {
  const next = new Set(selected);
  const resource = key.slice(0, key.lastIndexOf('.'));
  const read = `${resource}.read`;
  if (on) {
    next.add(key);
    if (catalogue.includes(read)) next.add(read);
  } else {
    next.delete(key);
    if (key === read) for (const k of catalogue) if (k.startsWith(`${resource}.`)) next.delete(k);
  }
  return next;
}
