/**
 * The permission catalogue and the default role → permission grants. These are seed data: the
 * database holds the live table (role_permissions), which super admins edit in the web app.
 * A later module adds its resources here and a migration inserts the new rows.
 */
export const actions = ['read', 'create', 'update', 'delete', 'export'] as const;
export type Action = (typeof actions)[number];

export const resources = {
  organizations: ['read', 'create', 'update', 'delete', 'export'],
  users: ['read', 'create', 'update', 'delete', 'export'],
  roles: ['read', 'create', 'update', 'delete'],
  api_tokens: ['read', 'create', 'delete'],
  audit: ['read', 'export'],
  settings: ['read', 'update'],
  ledger: ['read', 'create', 'export'],
  plans: ['read', 'create', 'update', 'delete', 'export'],
  subscribers: ['read', 'create', 'update', 'delete', 'export'],
  subscriptions: ['read', 'create', 'update', 'delete', 'export'],
  invoices: ['read', 'create', 'update', 'delete', 'export'],
  billing: ['read', 'create', 'update'],
  nas: ['read', 'create', 'update', 'delete', 'export'],
  ipam: ['read', 'create', 'update', 'delete'],
  sessions: ['read', 'update', 'export'],
  payments: ['read', 'create', 'update', 'delete', 'export'],
  cards: ['read', 'create', 'update', 'delete', 'export'],
  gateways: ['read', 'update'],
} as const satisfies Record<string, readonly Action[]>;

export type Resource = keyof typeof resources;
export type Permission = { [R in Resource]: `${R}.${(typeof resources)[R][number]}` }[Resource];

export const allPermissions: Permission[] = Object.entries(resources).flatMap(([r, acts]) =>
  acts.map((a) => `${r}.${a}` as Permission),
);

export const roleKeys = [
  'developer',
  'super_admin',
  'admin',
  'manager',
  'staff',
  'support',
  'accountant',
  'reseller',
  'sub_reseller',
  'card_distributor',
  'customer',
] as const;
export type RoleKey = (typeof roleKeys)[number];

const all = (r: Resource) => resources[r].map((a) => `${r}.${a}` as Permission);
const pick = <R extends Resource>(r: R, ...acts: (typeof resources)[R][number][]) =>
  acts.map((a) => `${r}.${a}` as Permission);

export const defaultRoles: Record<RoleKey, { name: string; description: string; permissions: Permission[] }> = {
  developer: {
    name: 'Developer',
    description: 'System settings and everything else',
    permissions: [...allPermissions],
  },
  super_admin: {
    name: 'Super admin',
    description: 'Runs the ISP: every organization, user and role',
    permissions: allPermissions.filter((p) => p !== 'settings.update'),
  },
  admin: {
    name: 'Admin',
    description: 'Manages organizations, staff and API access',
    permissions: [...all('organizations'), ...all('users'), ...pick('roles', 'read'), ...all('api_tokens'), ...all('audit'), ...pick('settings', 'read'), ...all('ledger'), ...all('subscribers'), ...all('plans'), ...all('subscriptions'), ...all('invoices'), ...all('billing'), ...all('nas'), ...all('ipam'), ...all('sessions'), ...all('payments'), ...all('cards'), ...all('gateways')],
  },
  manager: {
    name: 'Manager',
    description: 'Manages staff and reads the organization tree',
    permissions: [...pick('organizations', 'read', 'export'), ...pick('users', 'read', 'create', 'update', 'export'), ...pick('roles', 'read'), ...pick('audit', 'read'), ...pick('ledger', 'read'), ...pick('subscribers', 'read', 'create', 'update', 'export'), ...pick('plans', 'read', 'create', 'update', 'export'), ...pick('subscriptions', 'read', 'create', 'update', 'export'), ...pick('invoices', 'read', 'create', 'update', 'export'), ...pick('billing', 'read', 'create'), ...pick('nas', 'read', 'update', 'export'), ...pick('ipam', 'read', 'create', 'update'), ...all('sessions'), ...pick('payments', 'read', 'create', 'update', 'export'), ...pick('cards', 'read', 'create', 'update', 'export'), ...pick('gateways', 'read')],
  },
  staff: {
    name: 'Staff',
    description: 'Day-to-day work on subscribers and payments',
    permissions: [...pick('organizations', 'read'), ...pick('users', 'read'), ...pick('subscribers', 'read', 'create', 'update', 'export'), ...pick('plans', 'read'), ...pick('subscriptions', 'read', 'create', 'update'), ...pick('invoices', 'read', 'create'), ...pick('billing', 'read'), ...pick('nas', 'read'), ...pick('ipam', 'read'), ...pick('sessions', 'read', 'update'), ...pick('payments', 'read', 'create'), ...pick('cards', 'read', 'update')],
  },
  support: {
    name: 'Support',
    description: 'Helpdesk: answers subscribers and tickets',
    permissions: [...pick('organizations', 'read'), ...pick('users', 'read'), ...pick('subscribers', 'read', 'update'), ...pick('plans', 'read'), ...pick('subscriptions', 'read', 'update'), ...pick('invoices', 'read'), ...pick('nas', 'read'), ...pick('sessions', 'read', 'update'), ...pick('payments', 'read')],
  },
  accountant: {
    name: 'Accountant',
    description: 'Reads and exports financial records and the audit log',
    permissions: [...pick('organizations', 'read', 'export'), ...pick('users', 'read'), ...all('audit'), ...all('ledger'), ...pick('subscribers', 'read', 'export'), ...pick('plans', 'read', 'export'), ...pick('subscriptions', 'read', 'export'), ...all('invoices'), ...all('billing'), ...pick('sessions', 'read', 'export'), ...all('payments'), ...pick('cards', 'read', 'export'), ...pick('gateways', 'read')],
  },
  reseller: {
    name: 'Reseller',
    description: 'Runs a reseller/POP: its sub-resellers, card partners and staff',
    permissions: [...pick('organizations', 'read', 'create', 'update', 'export'), ...all('users'), ...pick('roles', 'read'), ...all('api_tokens'), ...pick('audit', 'read'), ...pick('ledger', 'read'), ...all('subscribers'), ...pick('plans', 'read', 'create', 'update'), ...all('subscriptions'), ...all('invoices'), ...pick('billing', 'read', 'create'), ...pick('nas', 'read', 'create', 'update'), ...pick('ipam', 'read', 'create', 'update'), ...all('sessions'), ...pick('payments', 'read', 'create', 'update', 'export'), ...all('cards'), ...all('gateways')],
  },
  sub_reseller: {
    name: 'Sub-reseller',
    description: 'Runs a sub-reseller under a reseller',
    permissions: [...pick('organizations', 'read', 'create', 'update'), ...pick('users', 'read', 'create', 'update', 'delete'), ...pick('roles', 'read'), ...pick('api_tokens', 'read', 'create', 'delete'), ...pick('ledger', 'read'), ...all('subscribers'), ...pick('plans', 'read', 'create', 'update'), ...all('subscriptions'), ...all('invoices'), ...pick('billing', 'read'), ...pick('nas', 'read'), ...pick('ipam', 'read'), ...pick('sessions', 'read', 'update'), ...pick('payments', 'read', 'create'), ...pick('cards', 'read', 'update')],
  },
  card_distributor: {
    name: 'Card distributor',
    description: 'Recharge-card partner: sells cards',
    permissions: [...pick('organizations', 'read'), ...pick('users', 'read'), ...pick('cards', 'read', 'update')],
  },
  customer: {
    name: 'Customer',
    description: 'A subscriber using the customer portal',
    permissions: [],
  },
};
