import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';

export type UsageRange = 'current' | 'last30' | 'last90';

/** Whose chart: staff read any subscription in scope (subscriptions.read); a subscriber only its own, in the portal. */
export type UsageSource = { kind: 'staff' | 'portal'; subscriptionId: string };

export function useDailyUsage({ kind, subscriptionId }: UsageSource, range: UsageRange) {
  const params = { path: { id: subscriptionId }, query: { range } };
  return useQuery({
    queryKey: kind === 'portal' ? ['portal', 'usage', subscriptionId, 'daily', range] : ['usage', subscriptionId, 'daily', range],
    queryFn: () => unwrap(kind === 'portal' ? api.GET('/api/portal/subscriptions/{id}/usage/daily', { params }) : api.GET('/api/subscriptions/{id}/usage/daily', { params })),
  });
}
