import { ActionIcon, AppShell, Button, Container, Group, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { IconChartBar, IconFileDollar, IconHome, IconLogout, IconReceipt, IconWallet, type Icon } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { fetchMe, meQueryKey, MeContext, returnState, signOut } from '../auth/session.ts';
import { PublicLayout } from '../auth/PublicLayout.tsx';
import { Brand } from '../layout/AppLayout.tsx';
import { LanguageMenu } from '../layout/LanguageMenu.tsx';

const HomePage = lazy(() => import('./HomePage.tsx'));
const InvoicesPage = lazy(() => import('./InvoicesPage.tsx'));
const InvoicePage = lazy(() => import('./InvoicePage.tsx'));
const UsagePage = lazy(() => import('./UsagePage.tsx'));
const WalletPage = lazy(() => import('./WalletPage.tsx'));
const ReceiptsPage = lazy(() => import('./ReceiptsPage.tsx'));
const PayPage = lazy(() => import('./PayPage.tsx'));
const PaymentStatusPage = lazy(() => import('./PaymentStatusPage.tsx'));
const RedeemCardPage = lazy(() => import('./RedeemCardPage.tsx'));

const tabs: { path: string; labelKey: string; icon: Icon }[] = [
  { path: '/portal', labelKey: 'portal.nav.home', icon: IconHome },
  { path: '/portal/invoices', labelKey: 'portal.nav.invoices', icon: IconReceipt },
  { path: '/portal/usage', labelKey: 'portal.nav.usage', icon: IconChartBar },
  { path: '/portal/wallet', labelKey: 'portal.nav.wallet', icon: IconWallet },
  { path: '/portal/receipts', labelKey: 'portalReceipts.nav', icon: IconFileDollar },
];

/** Staff who open the portal learn where they are instead of meeting a wall of refusals. */
function StaffNotice({ name }: { name: string }) {
  const { t } = useTranslation();
  return (
    <PublicLayout title={t('portal.staff.title')}>
      <Text>{t('portal.staff.message', { name })}</Text>
      <Button component={Link} to="/">
        {t('portal.staff.openStaffApp')}
      </Button>
    </PublicLayout>
  );
}

/** The portal is for customer logins: strangers sign in first, staff are told this is not their app. */
function RequireCustomer({ children }: { children: ReactNode }) {
  const location = useLocation();
  const me = useQuery({ queryKey: meQueryKey, queryFn: fetchMe, staleTime: Infinity });
  if (me.isPending) return <Loading />;
  if (me.isError) return <QueryError error={me.error} />;
  if (!me.data) return <Navigate to="/login" replace state={returnState(location.pathname + location.search)} />;
  if (me.data.user.role !== 'customer') return <StaffNotice name={me.data.user.name} />;
  return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
}

function BottomNavigation() {
  const { t } = useTranslation();
  const location = useLocation();
  const current = (path: string) => (path === '/portal' ? location.pathname === '/portal' || location.pathname === '/portal/' : location.pathname.startsWith(path));
  return (
    <Group component="nav" aria-label={t('portal.nav.label')} h="100%" grow gap={0} wrap="nowrap">
      {tabs.map((tab) => (
        <UnstyledButton
          key={tab.path}
          component={Link}
          to={tab.path}
          aria-current={current(tab.path) ? 'page' : undefined}
          c={current(tab.path) ? 'teal.7' : 'dimmed'}
          py={6}
        >
          <Stack gap={2} align="center">
            <tab.icon size={22} stroke={1.7} />
            <Text size="xs" fw={current(tab.path) ? 700 : 500}>
              {t(tab.labelKey)}
            </Text>
          </Stack>
        </UnstyledButton>
      ))}
    </Group>
  );
}

function PortalLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const notify = useNotify();
  const logout = async () => {
    try {
      await signOut(queryClient);
      navigate('/login', { replace: true });
    } catch (err) {
      notify.failure(err);
    }
  };
  return (
    <AppShell header={{ height: 56 }} footer={{ height: 64 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Brand />
          <Group gap={4} wrap="nowrap">
            <LanguageMenu />
            <Tooltip label={t('layout.signOut')}>
              <ActionIcon variant="subtle" color="gray" size="lg" aria-label={t('layout.signOut')} onClick={() => void logout()}>
                <IconLogout size={20} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Container size={560} px={0}>
          <Suspense fallback={<Loading />}>{children}</Suspense>
        </Container>
      </AppShell.Main>
      <AppShell.Footer>
        <BottomNavigation />
      </AppShell.Footer>
    </AppShell>
  );
}

/** The customer portal: its own phone-first layout, with none of the staff app's navigation. */
export default function PortalApp() {
  return (
    <RequireCustomer>
      <PortalLayout>
        <Routes>
          <Route index element={<HomePage />} />
          <Route path="invoices" element={<InvoicesPage />} />
          <Route path="invoices/:id" element={<InvoicePage />} />
          <Route path="usage" element={<UsagePage />} />
          <Route path="wallet" element={<WalletPage />} />
          <Route path="receipts" element={<ReceiptsPage />} />
          <Route path="cards/redeem" element={<RedeemCardPage />} />
          <Route path="pay" element={<PayPage />} />
          <Route path="payments/:id" element={<PaymentStatusPage />} />
          <Route path="*" element={<Navigate to="/portal" replace />} />
        </Routes>
      </PortalLayout>
    </RequireCustomer>
  );
}
