import { Card, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { FormError, Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { usePortalSavedCards, useRemoveSavedCard } from './api.ts';
import { SavedCardsList } from './SavedCardsList.tsx';

/** The portal's "Saved cards" section: shown once the subscriber has saved a card or been charged with one. */
export function PortalSavedCards() {
  const { t } = useTranslation();
  const notify = useNotify();
  const cards = usePortalSavedCards();
  const remove = useRemoveSavedCard();
  if (cards.isPending) return <Loading />;
  if (cards.isError) return <QueryError error={cards.error} />;
  if (cards.data.items.length === 0 && cards.data.attempts.length === 0) return null;
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t('savedCards.title')}
      </Title>
      <SavedCardsList
        data={cards.data}
        removing={remove.isPending ? (remove.variables ?? null) : null}
        onRemove={(id) => remove.mutate(id, { onSuccess: () => notify.success(t('savedCards.removed')) })}
      />
      <FormError error={remove.error} />
    </Card>
  );
}
