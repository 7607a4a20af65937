import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { useCan } from '../auth/session.ts';

/** Role and organization choices for user forms and filters, labelled in the interface language. */
export function useUserOptions() {
  const { t } = useTranslation();
  const can = useCan();
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => unwrap(api.GET('/api/roles')), enabled: can('roles.read') });
  const organizations = useQuery({
    queryKey: ['organizations', 'options'],
    queryFn: () => unwrap(api.GET('/api/organizations', { params: { query: { limit: 200, sort: 'depth' } } })),
    enabled: can('organizations.read'),
  });
  const roleName = (key: string) => t(`roles.names.${key}`, { defaultValue: roles.data?.find((r) => r.key === key)?.name ?? key });
  return {
    roleName,
    roleOptions: (roles.data ?? []).map((r) => ({ value: r.key, label: roleName(r.key) })),
    organizationOptions: (organizations.data?.items ?? []).map((o) => ({ value: o.id, label: o.name })),
    organizationName: (id: string) => organizations.data?.items.find((o) => o.id === id)?.name ?? '',
  };
}
