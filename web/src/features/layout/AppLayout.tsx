import { AppShell, Burger, Group, NavLink, ScrollArea, Text, ThemeIcon } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAntenna } from '@tabler/icons-react';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { Loading } from '../../components/feedback.tsx';
import { useCan, useSetupStatus } from '../auth/session.ts';
import { LanguageMenu } from './LanguageMenu.tsx';
import { navItems } from './navigation.ts';
import { OrgSwitcher } from './OrgSwitcher.tsx';
import { UserMenu } from './UserMenu.tsx';

export function Brand() {
  const setup = useSetupStatus();
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon size="lg" radius="md" variant="filled">
        <IconAntenna size={20} />
      </ThemeIcon>
      <Text fw={700} size="lg" truncate>
        {setup.data?.platformName ?? 'Uplink'}
      </Text>
    </Group>
  );
}

/** The signed-in shell: header (switcher, language, user), navigation that folds into a burger on phones. */
export function AppLayout() {
  const { t } = useTranslation();
  const can = useCan();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const items = navItems.filter((i) => !i.permission || can(i.permission));

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('layout.toggleNavigation')} />
            <Brand />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Group visibleFrom="sm">
              <OrgSwitcher />
            </Group>
            <LanguageMenu />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('layout.navigation')} component="nav">
        <AppShell.Section hiddenFrom="sm" mb="sm">
          <OrgSwitcher />
        </AppShell.Section>
        <AppShell.Section grow component={ScrollArea}>
          {items.map((item) => (
            <NavLink
              key={item.path}
              component={Link}
              to={item.path}
              label={t(item.labelKey)}
              leftSection={<item.icon size={18} stroke={1.6} />}
              active={item.path === '/' ? location.pathname === '/' : location.pathname.startsWith(item.path)}
              onClick={close}
            />
          ))}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
