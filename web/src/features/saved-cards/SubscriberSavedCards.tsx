import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { useSubscriberSavedCards } from './api.ts';
import { SavedCardsList } from './SavedCardsList.tsx';

/** Staff see the subscriber's saved cards and the latest automatic charges (a failed one with its reason). */
export function SubscriberSavedCards({ subscriberId }: { subscriberId: string }) {
  const { t } = useTranslation();
  const cards = useSubscriberSavedCards(subscriberId);
  if (cards.isPending) return <Loading />;
  if (cards.isError) return <QueryError error={cards.error} />;
  return (
    <>
      <Title order={5} mt="md" mb="xs">
        {t('savedCards.title')}
      </Title>
      <SavedCardsList data={cards.data} />
    </>
  );
}
