import { apiTokenProbes } from './api-tokens.ts';
import { penaltyClassProbes } from './billing-penalties.ts';
import { billingRunProbes } from './billing.ts';
import { auditProbes } from './audit.ts';
import { roleProbes, settingsProbes } from './global.ts';
import { invoiceDocumentProbes, subscriberXlsxProbes } from './invoice-documents.ts';
import { invoiceProbes } from './invoices.ts';
import { ledgerProbes } from './ledger.ts';
import { organizationProbes } from './organizations.ts';
import { planProbes } from './plans.ts';
import { portalLoginProbes } from './portal.ts';
import { subscriberProbes } from './subscribers.ts';
import { subscriptionProbes } from './subscriptions.ts';
import { aaaSettingsProbes, sessionProbes } from './sessions.ts';
import { usageProbes } from './usage.ts';
import { usageDailyProbes } from './usage-daily.ts';
import { userProbes } from './users.ts';
import { ipamProbes, nasProbes } from './network.ts';
import {
  routerBackupDiffProbes,
  routerBackupProbes,
  routerBackupTakeProbes,
  routerProbes,
  routerQueueProbes,
  routerSessionProbes,
  routerStatusProbes,
  routerTlsPinProbes,
} from './routers.ts';
import { paymentCaseProbes } from './payments-cases.ts';
import { reconciliationProbes } from './payments-reconciliation.ts';
import { paymentProbes } from './payments.ts';
import { cardProbes } from './cards.ts';
import { gatewayProbes } from './gateways.ts';
import { savedCardProbes } from './saved-cards.ts';
import type { ProbeFactory } from './world.ts';

/**
 * Every resource of the API and its probes: a new module adds its file and one line here. A key
 * `resource/part` probes another part of the API under the same resource's permissions.
 */
export const probeFactories: Record<string, ProbeFactory> = {
  organizations: organizationProbes,
  users: userProbes,
  api_tokens: apiTokenProbes,
  audit: auditProbes,
  roles: roleProbes,
  settings: settingsProbes,
  ledger: ledgerProbes,
  plans: planProbes,
  subscribers: subscriberProbes,
  invoices: invoiceProbes,
  'subscriptions/usage': usageProbes,
  'subscriptions/usage-daily': usageDailyProbes,
  'subscribers/portal-login': portalLoginProbes,
  'subscribers/saved-cards': savedCardProbes,
  'billing/penalty-classes': penaltyClassProbes,
  'billing/runs': billingRunProbes,
  subscriptions: subscriptionProbes,
  'invoices/documents': invoiceDocumentProbes,
  'subscribers/xlsx': subscriberXlsxProbes,
  nas: nasProbes,
  'nas/router': routerProbes,
  'nas/router-status': routerStatusProbes,
  'nas/router-sessions': routerSessionProbes,
  'nas/router-queues': routerQueueProbes,
  'nas/router-tls-pin': routerTlsPinProbes,
  'nas/router-backup-take': routerBackupTakeProbes,
  'nas/router-backup': routerBackupProbes,
  'nas/router-backup-diff': routerBackupDiffProbes,
  ipam: ipamProbes,
  sessions: sessionProbes,
  'sessions/settings': aaaSettingsProbes,
  cards: cardProbes,
  payments: paymentProbes,
  'payments/cases': paymentCaseProbes,
  'payments/reconciliation': reconciliationProbes,
  gateways: gatewayProbes,
};
