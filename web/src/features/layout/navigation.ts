import {
  IconActivity,
  IconBuildingCommunity,
  IconCalendarDollar,
  IconCash,
  IconCreditCard,
  IconPlugConnected,
  IconRouter,
  IconScale,
  IconSitemap,
  IconFileInvoice,
  IconMessageReport,
  IconCalendarTime,
  IconAddressBook,
  IconHome,
  IconKey,
  IconListSearch,
  IconPackages,
  IconSettings,
  IconShieldLock,
  IconUserCircle,
  IconUsers,
  type Icon,
} from '@tabler/icons-react';

export interface NavItem {
  path: string;
  labelKey: string;
  icon: Icon;
  /** Hidden from users without this permission; the server refuses them anyway. */
  permission?: string;
}

export const navItems: NavItem[] = [
  { path: '/', labelKey: 'nav.dashboard', icon: IconHome },
  { path: '/subscribers', labelKey: 'nav.subscribers', icon: IconAddressBook, permission: 'subscribers.read' },
  { path: '/organizations', labelKey: 'nav.organizations', icon: IconBuildingCommunity, permission: 'organizations.read' },
  { path: '/users', labelKey: 'nav.users', icon: IconUsers, permission: 'users.read' },
  { path: '/plans', labelKey: 'nav.plans', icon: IconPackages, permission: 'plans.read' },
  { path: '/invoices', labelKey: 'invoices.nav', icon: IconFileInvoice, permission: 'invoices.read' },
  { path: '/payments', labelKey: 'payments.nav', icon: IconCash, permission: 'payments.read' },
  { path: '/gateways', labelKey: 'gateways.nav', icon: IconPlugConnected, permission: 'gateways.read' },
  { path: '/cards', labelKey: 'cards.nav', icon: IconCreditCard, permission: 'cards.read' },
  { path: '/billing', labelKey: 'billing.nav', icon: IconCalendarDollar, permission: 'billing.read' },
  { path: '/disputes', labelKey: 'paymentCases.nav.disputes', icon: IconMessageReport, permission: 'payments.read' },
  { path: '/installment-plans', labelKey: 'paymentCases.nav.plans', icon: IconCalendarTime, permission: 'payments.read' },
  { path: '/reconciliation', labelKey: 'reconciliation.nav', icon: IconScale, permission: 'payments.read' },
  { path: '/sessions', labelKey: 'sessions.nav', icon: IconActivity, permission: 'sessions.read' },
  { path: '/nas', labelKey: 'network.nav.nas', icon: IconRouter, permission: 'nas.read' },
  { path: '/ip-pools', labelKey: 'network.nav.pools', icon: IconSitemap, permission: 'ipam.read' },
  { path: '/roles', labelKey: 'nav.roles', icon: IconShieldLock, permission: 'roles.read' },
  { path: '/api-tokens', labelKey: 'nav.apiTokens', icon: IconKey, permission: 'api_tokens.read' },
  { path: '/audit', labelKey: 'nav.audit', icon: IconListSearch, permission: 'audit.read' },
  { path: '/settings', labelKey: 'nav.settings', icon: IconSettings, permission: 'settings.read' },
  { path: '/account', labelKey: 'nav.account', icon: IconUserCircle },
];
