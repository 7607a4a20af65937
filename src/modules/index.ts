import type { AppContext } from '../platform/context.ts';
import type { TypedApp } from '../platform/http/app.ts';
import type { JobQueue } from '../platform/jobs/queue.ts';
import { apiTokenRoutes } from './api-tokens/api-tokens.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { catalogRoutes } from './catalog/catalog.routes.ts';
import { invoiceDocumentRoutes } from './invoices/documents.routes.ts';
import { invoiceRoutes } from './invoices/invoices.routes.ts';
import { ledgerRoutes } from './ledger/ledger.routes.ts';
import { organizationRoutes } from './organizations/organizations.routes.ts';
import { roleRoutes } from './roles/roles.routes.ts';
import { settingsRoutes } from './settings/settings.routes.ts';
import { defineSubscriberJobs } from './subscribers/subscribers.jobs.ts';
import { subscriberRoutes } from './subscribers/subscribers.routes.ts';
import { defineSystemJobs } from './system/system.jobs.ts';
import { userRoutes } from './users/users.routes.ts';
import { walletRoutes } from './wallets/wallets.routes.ts';
import { usageRoutes } from './usage/usage.routes.ts';
import { portalRoutes } from './portal/portal.routes.ts';
import { definePenaltyJobs } from './billing/penalties.jobs.ts';
import { penaltyRoutes } from './billing/penalties.routes.ts';
import { billingRunRoutes } from './billing/billing-runs.routes.ts';
import { defineBillingJobs } from './billing/billing.jobs.ts';
import { subscriptionRoutes } from './subscriptions/subscriptions.routes.ts';
import { defineSubscriptionJobs } from './subscriptions/subscriptions.jobs.ts';
import { defineFreeradiusJobs } from './freeradius/freeradius.jobs.ts';
import { routerRoutes } from './routers/routers.routes.ts';
import { defineRouterJobs } from './routers/routers.jobs.ts';
import { networkRoutes } from './network/network.routes.ts';
import { defineNetworkJobs } from './network/network.jobs.ts';
import { sessionRoutes } from './aaa/sessions.routes.ts';
import { defineAaaJobs } from './aaa/aaa.jobs.ts';
import { refundRoutes } from './refunds/refunds.routes.ts';
import { disputeRoutes } from './disputes/disputes.routes.ts';
import { installmentRoutes } from './installments/installments.routes.ts';
import { defineInstallmentJobs } from './installments/installments.jobs.ts';
import { cardRoutes } from './cards/cards.routes.ts';
import { defineCardJobs } from './cards/cards.jobs.ts';
import { reconciliationRoutes } from './reconciliation/reconciliation.routes.ts';
import { defineReconciliationJobs } from './reconciliation/reconciliation.jobs.ts';
import { gatewayRoutes } from './gateways/gateways.routes.ts';
import { defineGatewayJobs } from './gateways/gateways.jobs.ts';
import { paymentRoutes } from './payments/payments.routes.ts';
import { savedCardRoutes } from './saved-cards/saved-cards.routes.ts';
import { defineSavedCardJobs } from './saved-cards/saved-cards.jobs.ts';

/** Every module's HTTP routes, in the order they appear in the API document. */
export const httpModules: ((app: TypedApp, ctx: AppContext) => void)[] = [
  authRoutes,
  organizationRoutes,
  userRoutes,
  roleRoutes,
  apiTokenRoutes,
  auditRoutes,
  settingsRoutes,
  ledgerRoutes,
  catalogRoutes,
  subscriberRoutes,
  usageRoutes,
  penaltyRoutes,
  billingRunRoutes,
  subscriptionRoutes,
  portalRoutes,
  invoiceRoutes,
  invoiceDocumentRoutes,
  walletRoutes,
  networkRoutes,
  routerRoutes,
  sessionRoutes,
  cardRoutes,
  refundRoutes,
  disputeRoutes,
  installmentRoutes,
  reconciliationRoutes,
  gatewayRoutes,
  savedCardRoutes,
  paymentRoutes,
];

/** Every module's background jobs and schedules. */
export function defineJobs(jobs: JobQueue, ctx: AppContext): void {
  defineSystemJobs(jobs, ctx);
  defineSubscriberJobs(jobs, ctx);
  definePenaltyJobs(jobs, ctx);
  defineBillingJobs(jobs, ctx);
  defineSubscriptionJobs(jobs, ctx);
  defineFreeradiusJobs(jobs, ctx);
  defineRouterJobs(jobs, ctx);
  defineNetworkJobs(jobs, ctx);
  defineAaaJobs(jobs, ctx);
  defineCardJobs(jobs, ctx);
  defineInstallmentJobs(jobs, ctx);
  defineGatewayJobs(jobs, ctx);
  defineSavedCardJobs(jobs, ctx);
  defineReconciliationJobs(jobs, ctx);
}
