import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';

type Subscription = Schemas['Subscription'];

/** How many matching subscribers have their subscriptions listed: enough to pick from, few requests. */
const SUBSCRIBERS_EXPANDED = 5;

/**
 * Finds what the staff member knows: a login, MAC or static IP (the subscriptions search) or the
 * subscriber's name, phone or account number (the subscribers search, then their subscriptions).
 * Terminated subscriptions are left out: the API refuses to give them an address.
 */
async function searchSubscriptions(q: string): Promise<Subscription[]> {
  const query = { q: q || undefined, limit: 20 };
  const [direct, people] = await Promise.all([
    unwrap(api.GET('/api/subscriptions', { params: { query } })),
    q ? unwrap(api.GET('/api/subscribers', { params: { query: { q, limit: SUBSCRIBERS_EXPANDED } } })) : Promise.resolve({ items: [] }),
  ]);
  const theirs = await Promise.all(people.items.map((p) => unwrap(api.GET('/api/subscriptions', { params: { query: { subscriberId: p.id, limit: 20 } } }))));
  const byId = new Map<string, Subscription>();
  for (const s of [...direct.items, ...theirs.flatMap((page) => page.items)]) if (s.status !== 'terminated') byId.set(s.id, s);
  return [...byId.values()];
}

export const subscriptionLabel = (s: Subscription) => [s.username, s.subscriber.name, s.plan.name].filter(Boolean).join(' · ');

export function SubscriptionPicker({ value, onChange, error }: { value: string | null; onChange: (id: string | null) => void; error?: string }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const found = useQuery({ queryKey: ['subscriptions', 'picker', q], queryFn: () => searchSubscriptions(q), placeholderData: keepPreviousData });
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(null);
  const options = (found.data ?? []).map((s) => ({ value: s.id, label: subscriptionLabel(s) }));
  if (chosen && !options.some((o) => o.value === chosen.value)) options.unshift(chosen);
  return (
    <Select
      label={t('network.pools.subscription')}
      placeholder={t('network.pools.subscriptionHint')}
      data={options}
      value={value}
      onChange={(id, option) => {
        setChosen(id ? option : null);
        onChange(id);
      }}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={found.isFetching ? t('common.loading') : t('common.nothingFound')}
      error={error}
      required
    />
  );
}
