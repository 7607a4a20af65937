import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Loading, QueryError } from './components/feedback.tsx';
import { fetchMe, meQueryKey, MeContext, returnState, useSetupStatus } from './features/auth/session.ts';
import { AppLayout } from './features/layout/AppLayout.tsx';

const LoginPage = lazy(() => import('./features/auth/LoginPage.tsx'));
const SetupPage = lazy(() => import('./features/auth/SetupPage.tsx'));
const ResetPasswordPage = lazy(() => import('./features/auth/ResetPasswordPage.tsx'));
const DashboardPage = lazy(() => import('./features/dashboard/DashboardPage.tsx'));
const OrganizationsPage = lazy(() => import('./features/organizations/OrganizationsPage.tsx'));
const UsersPage = lazy(() => import('./features/users/UsersPage.tsx'));
const SubscribersPage = lazy(() => import('./features/subscribers/SubscribersPage.tsx'));
const RolesPage = lazy(() => import('./features/roles/RolesPage.tsx'));
const ApiTokensPage = lazy(() => import('./features/api-tokens/ApiTokensPage.tsx'));
const AuditPage = lazy(() => import('./features/audit/AuditPage.tsx'));
const SettingsPage = lazy(() => import('./features/settings/SettingsPage.tsx'));
const AccountPage = lazy(() => import('./features/account/AccountPage.tsx'));
const PlansPage = lazy(() => import('./features/plans/PlansPage.tsx'));
const PortalApp = lazy(() => import('./features/portal/PortalApp.tsx'));
const InvoicesPage = lazy(() => import('./features/invoices/InvoicesPage.tsx'));
const BillingPage = lazy(() => import('./features/billing/BillingPage.tsx'));
const SessionsPage = lazy(() => import('./features/sessions/SessionsPage.tsx'));
const NasPage = lazy(() => import('./features/network/NasPage.tsx'));
const NasDetailPage = lazy(() => import('./features/network/NasDetailPage.tsx'));
const RouterPage = lazy(() => import('./features/routers/RouterPage.tsx'));
const PoolsPage = lazy(() => import('./features/network/PoolsPage.tsx'));
const PoolDetailPage = lazy(() => import('./features/network/PoolDetailPage.tsx'));
const ReconciliationPage = lazy(() => import('./features/reconciliation/ReconciliationPage.tsx'));
const DisputesPage = lazy(() => import('./features/payment-cases/DisputesPage.tsx'));
const DisputeDetailPage = lazy(() => import('./features/payment-cases/DisputeDetailPage.tsx'));
const InstallmentPlansPage = lazy(() => import('./features/payment-cases/PlansPage.tsx'));
const PlanPage = lazy(() => import('./features/payment-cases/PlanPage.tsx'));
const PaymentCasesPage = lazy(() => import('./features/payment-cases/PaymentCasesPage.tsx'));
const PaymentsPage = lazy(() => import('./features/payments/PaymentsPage.tsx'));
const GatewaysPage = lazy(() => import('./features/gateways/GatewaysPage.tsx'));
const CardBatchesPage = lazy(() => import('./features/cards/CardBatchesPage.tsx'));
const CardBatchPage = lazy(() => import('./features/cards/CardBatchPage.tsx'));

/** Signed-in area: sends strangers to the sign-in page (or to first-run setup) and back after. */
function RequireSignIn({ children }: { children: ReactNode }) {
  const location = useLocation();
  const setup = useSetupStatus();
  const me = useQuery({ queryKey: meQueryKey, queryFn: fetchMe, staleTime: Infinity });
  if (setup.isPending || me.isPending) return <Loading />;
  if (me.isError) return <QueryError error={me.error} />;
  if (!me.data) {
    if (setup.data?.needed) return <Navigate to="/setup" replace />;
    return <Navigate to="/login" replace state={returnState(location.pathname + location.search)} />;
  }
  // A subscriber's login has no business in the staff app: its place is the customer portal.
  if (me.data.user.role === 'customer') return <Navigate to="/portal" replace />;
  return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route path="/portal/*" element={<PortalApp />} />
        <Route
          element={
            <RequireSignIn>
              <AppLayout />
            </RequireSignIn>
          }
        >
          <Route index element={<DashboardPage />} />
          <Route path="organizations" element={<OrganizationsPage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="plans" element={<PlansPage />} />
          <Route path="subscribers" element={<SubscribersPage />} />
          <Route path="invoices" element={<InvoicesPage />} />
          <Route path="payments/*" element={<PaymentsPage />} />
          <Route path="gateways" element={<GatewaysPage />} />
          <Route path="cards" element={<CardBatchesPage />} />
          <Route path="cards/:id" element={<CardBatchPage />} />
          <Route path="billing" element={<BillingPage />} />
          <Route path="sessions" element={<SessionsPage />} />
          <Route path="roles" element={<RolesPage />} />
          <Route path="api-tokens" element={<ApiTokensPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="nas" element={<NasPage />} />
          <Route path="nas/:id" element={<NasDetailPage />} />
          <Route path="nas/:id/router" element={<RouterPage />} />
          <Route path="ip-pools" element={<PoolsPage />} />
          <Route path="ip-pools/:id" element={<PoolDetailPage />} />
          <Route path="disputes" element={<DisputesPage />} />
          <Route path="disputes/:id" element={<DisputeDetailPage />} />
          <Route path="installment-plans" element={<InstallmentPlansPage />} />
          <Route path="installment-plans/:id" element={<PlanPage />} />
          <Route path="payments/:id/refunds" element={<PaymentCasesPage />} />
          <Route path="reconciliation" element={<ReconciliationPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
