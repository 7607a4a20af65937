import { UsageGraph } from './UsageGraph.tsx';

/** The usage chart of a subscription for staff (the subscriber drawer's Usage tab). */
export function SubscriptionUsageGraph({ subscriptionId }: { subscriptionId: string }) {
  return <UsageGraph key={subscriptionId} source={{ kind: 'staff', subscriptionId }} />;
}

/** The usage chart of one of the subscriber's own subscriptions (the customer portal). */
export function PortalUsageGraph({ subscriptionId }: { subscriptionId: string }) {
  return <UsageGraph key={subscriptionId} source={{ kind: 'portal', subscriptionId }} />;
}
