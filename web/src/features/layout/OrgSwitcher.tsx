import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconBuilding } from '@tabler/icons-react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { useNotify } from '../../components/feedback.tsx';
import { applyMe, meQueryKey, useCan, useMe } from '../auth/session.ts';

/**
 * Switches the organization the user works in: any organization of the user's home subtree,
 * with the home organization pinned first.
 */
export function OrgSwitcher() {
  const { t } = useTranslation();
  const me = useMe();
  const can = useCan();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [search, setSearch] = useState('');
  // Select reports the chosen option's label as the search text; that is not a search.
  const [q] = useDebouncedValue(search === me.organization.name ? '' : search.trim(), 250);
  const atHome = me.organization.id === me.homeOrganization.id;

  const list = useQuery({
    queryKey: ['org-switcher', me.homeOrganization.id, q],
    queryFn: () => unwrap(api.GET('/api/auth/organizations', { params: { query: { limit: 50, sort: 'name', q: q || undefined } } })),
    enabled: can('organizations.read'),
    placeholderData: keepPreviousData,
  });

  const items = list.data?.items ?? [];
  const hasSubtree = !atHome || items.length > 1 || !!q;
  if (!hasSubtree) return null;

  const pinned = [me.homeOrganization, ...(atHome ? [] : [me.organization])];
  const options = [...pinned, ...items.filter((o) => !pinned.some((p) => p.id === o.id))].map((o) => ({
    value: o.id,
    label: o.id === me.homeOrganization.id && !atHome ? `${o.name} (${t('layout.homeOrganization')})` : o.name,
  }));

  const switchTo = async (organizationId: string | null) => {
    if (!organizationId || organizationId === me.organization.id) return;
    try {
      const next = await unwrap(api.POST('/api/auth/organization', { body: { organizationId } }));
      setSearch('');
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] && query.queryKey[0] !== 'setup' });
      applyMe(queryClient, next);
      notify.success(t('layout.switchedTo', { name: next.organization.name }));
    } catch (err) {
      notify.failure(err);
    }
  };

  return (
    <Select
      aria-label={t('layout.organization')}
      leftSection={<IconBuilding size={16} />}
      data={options}
      value={me.organization.id}
      onChange={(v) => void switchTo(v)}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={t('common.nothingFound')}
      allowDeselect={false}
      comboboxProps={{ withinPortal: true }}
      w={{ base: '100%', sm: 260 }}
    />
  );
}
