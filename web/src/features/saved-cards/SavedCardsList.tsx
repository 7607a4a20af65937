import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconCreditCard } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../../lib/format.ts';
import { formatAmount } from '../plans/model.ts';
import type { SavedCards } from './api.ts';

const statusColors: Record<string, string> = { paid: 'teal', failed: 'red', expired: 'red', pending: 'gray' };

/** "visa •••• 4242": the brand as the gateway names it, capitalised, and the last four digits. */
export function cardName(card: { brand: string; last4: string }): string {
  return `${card.brand.charAt(0).toUpperCase()}${card.brand.slice(1)} •••• ${card.last4}`;
}

/** A gateway's reason in the reader's language where we know the code, else as the gateway said it. */
export function useFailureText() {
  const { t, i18n } = useTranslation();
  return (code: string | null, message: string | null) => (code && i18n.exists(`portalPay.failure.${code}`) ? t(`portalPay.failure.${code}`) : (message ?? t('portalPay.failedHint')));
}

/**
 * Cards saved for automatic payments and the latest automatic charges, for the subscriber in the
 * portal (with Remove) and for staff on the subscriber (read only).
 */
export function SavedCardsList({ data, onRemove, removing }: { data: SavedCards; onRemove?: (id: string) => void; removing?: string | null }) {
  const { t, i18n } = useTranslation();
  const failureText = useFailureText();
  return (
    <Stack gap="xs">
      {data.items.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('savedCards.none')}
        </Text>
      ) : (
        data.items.map((card) => (
          <Card key={card.id} withBorder padding="sm">
            <Group justify="space-between" wrap="nowrap">
              <Group gap="sm" wrap="nowrap">
                <IconCreditCard size={24} />
                <Stack gap={0}>
                  <Text fw={500} dir="ltr">
                    {cardName(card)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t('savedCards.expires', { month: String(card.expMonth).padStart(2, '0'), year: String(card.expYear) })}
                  </Text>
                </Stack>
              </Group>
              {onRemove && (
                <Button size="xs" variant="light" color="red" loading={removing === card.id} onClick={() => onRemove(card.id)} aria-label={t('savedCards.removeCard', { card: cardName(card) })}>
                  {t('savedCards.remove')}
                </Button>
              )}
            </Group>
          </Card>
        ))
      )}
      {data.items.length > 0 && (
        <Text size="xs" c="dimmed">
          {t('savedCards.autopayHint')}
        </Text>
      )}
      {data.attempts.length > 0 && (
        <>
          <Title order={5} mt="sm">
            {t('savedCards.attempts')}
          </Title>
          {data.attempts.map((a) => (
            <Group key={a.id} justify="space-between" wrap="nowrap" align="start">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text size="sm">{t('savedCards.attemptFor', { number: a.invoiceNumber ?? '', amount: formatAmount(a.amount, a.currency, i18n.language) })}</Text>
                <Text size="xs" c="dimmed">
                  {formatDate(a.createdAt, i18n.language)} · <span dir="ltr">{cardName(a.card)}</span>
                </Text>
                {a.status === 'failed' && (
                  <Text size="xs" c="red">
                    {failureText(a.failureCode, a.failureMessage)}
                  </Text>
                )}
              </Stack>
              <Badge color={statusColors[a.status] ?? 'gray'} variant="light">
                {t(`savedCards.status.${a.status}`)}
              </Badge>
            </Group>
          ))}
        </>
      )}
    </Stack>
  );
}
