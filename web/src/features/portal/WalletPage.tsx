import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { LoadMore } from '../../components/lists.tsx';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { PortalSavedCards } from '../saved-cards/PortalSavedCards.tsx';
import { useProfile, useWalletStatement } from './api.ts';
import { isPositiveDecimal } from './model.ts';
import { usePortalFormat } from './parts.tsx';

/** Movements the ledger names by kind; anything else shows its own memo. */
const kindKeys: Record<string, string> = {
  wallet_top_up: 'portal.wallet.kind.topUp',
  wallet_deduction: 'portal.wallet.kind.payment',
  wallet_refund: 'portal.wallet.kind.refund',
  invoice_credit_to_wallet: 'portal.wallet.kind.credit',
};

export default function WalletPage() {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const profile = useProfile();
  const statement = useWalletStatement();
  if (profile.isPending) return <Loading />;
  if (profile.isError) return <QueryError error={profile.error} />;
  const { wallet, organization } = profile.data;
  const money = (amount: string) => format.money(amount, wallet.currency);
  return (
    <Stack>
      <Title order={2}>{t('portal.wallet.title')}</Title>
      <Card withBorder>
        <Text size="sm" c="dimmed">
          {t('portal.wallet.balance')}
        </Text>
        <Text size="xl" fw={700}>
          {money(wallet.balance)}
        </Text>
        <SimpleGrid cols={2} mt="xs">
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t('portal.wallet.available')}
            </Text>
            <Text>{money(wallet.available)}</Text>
          </Stack>
          {isPositiveDecimal(wallet.creditLimit) && (
            <Stack gap={0}>
              <Text size="xs" c="dimmed">
                {t('portal.wallet.creditLimit')}
              </Text>
              <Text>{money(wallet.creditLimit)}</Text>
            </Stack>
          )}
        </SimpleGrid>
        <Text size="sm" c="dimmed" mt="sm">
          {t('portal.wallet.topUpHint', { provider: organization.name })}
        </Text>
        <Button component={Link} to="/portal/pay" mt="sm" fullWidth>
          {t('portalPay.topUpButton')}
        </Button>
        <Button component={Link} to="/portal/cards/redeem" variant="light" mt="sm">
          {t('portalCards.link')}
        </Button>
      </Card>
      <PortalSavedCards />

      <Title order={4}>{t('portal.wallet.statement')}</Title>
      {statement.isPending && <Loading />}
      {statement.isError && <QueryError error={statement.error} />}
      {statement.isSuccess && statement.items.length === 0 && <Text c="dimmed">{t('portal.wallet.empty')}</Text>}
      <Stack gap="xs">
        {statement.items.map((item) => (
          <Card key={item.entryId} withBorder padding="sm">
            <Group justify="space-between" wrap="nowrap" align="start">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text size="sm" fw={500}>
                  {kindKeys[item.kind] ? t(kindKeys[item.kind]!) : item.memo}
                </Text>
                <Text size="xs" c="dimmed">
                  {format.instant(item.occurredAt, organization.timezone)}
                </Text>
              </Stack>
              <Stack gap={0} align="end">
                <Text size="sm" fw={600} c={item.amount.startsWith('-') ? undefined : 'teal.7'} style={{ whiteSpace: 'nowrap' }}>
                  {item.amount.startsWith('-') ? money(item.amount) : `+${money(item.amount)}`}
                </Text>
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {t('portal.wallet.balanceAfter', { amount: money(item.balance) })}
                </Text>
              </Stack>
            </Group>
          </Card>
        ))}
      </Stack>
      <LoadMore hasNextPage={statement.hasNextPage} isFetchingNextPage={statement.isFetchingNextPage} fetchNextPage={statement.fetchNextPage} />
    </Stack>
  );
}
