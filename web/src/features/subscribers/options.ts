import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { useCan } from '../auth/session.ts';
import { useUserOptions } from '../users/options.ts';

export type Subscriber = Schemas['Subscriber'];
export type SubscriberDetail = Schemas['SubscriberDetail'];
export type SubscriberStatus = Schemas['SubscriberStatus'];
export const statuses: SubscriberStatus[] = ['lead', 'active', 'suspended', 'disconnected', 'archived'];
export const statusColors: Record<SubscriberStatus, string> = { lead: 'blue', active: 'teal', suspended: 'orange', disconnected: 'red', archived: 'gray' };

/** Choices for the subscriber forms and filters: statuses, organizations and staff, in the interface language. */
export function useSubscriberOptions() {
  const { t } = useTranslation();
  const can = useCan();
  const users = useUserOptions();
  const staff = useQuery({
    queryKey: ['users', 'staff-options'],
    queryFn: () => unwrap(api.GET('/api/users', { params: { query: { limit: 200, sort: 'name', status: 'active' } } })),
    enabled: can('users.read'),
  });
  const staffItems = (staff.data?.items ?? []).filter((u) => u.role !== 'customer');
  return {
    statusOptions: statuses.map((s) => ({ value: s, label: t(`subscribers.status.${s}`) })),
    organizationOptions: users.organizationOptions,
    organizationName: users.organizationName,
    staffOptions: staffItems.map((u) => ({ value: u.id, label: u.name })),
    staffName: (id: string | null) => staffItems.find((u) => u.id === id)?.name ?? '',
  };
}
