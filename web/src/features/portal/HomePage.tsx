import { Anchor, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Loading, QueryError } from '../../components/feedback.tsx';
import { useInvoices, useProfile, useSubscriptions } from './api.ts';
import { nextRenewal, serviceStatusColors, unpaidStatuses, type Profile } from './model.ts';
import { InvoiceCard, PaymentOptions, usePortalFormat } from './parts.tsx';

function ServiceCard({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const subscriptions = useSubscriptions();
  if (subscriptions.isPending) return <Loading />;
  if (subscriptions.isError) return <QueryError error={subscriptions.error} />;
  const inService = subscriptions.data.items.filter((s) => s.status !== 'terminated');
  const renewal = nextRenewal(inService);
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        {t('portal.home.service')}
      </Title>
      {inService.length === 0 && <Text c="dimmed">{t('portal.home.noService')}</Text>}
      <Stack gap="xs">
        {inService.map((s) => (
          <Group key={s.id} justify="space-between" wrap="nowrap">
            <Text fw={500} truncate>
              {s.planName}
            </Text>
            <Badge color={serviceStatusColors[s.status]} variant="light">
              {t(`portal.serviceStatus.${s.status}`)}
            </Badge>
          </Group>
        ))}
      </Stack>
      {renewal && (
        <Text size="sm" c="dimmed" mt="xs">
          {t('portal.home.nextRenewal', { date: format.instant(renewal, timeZone) })}
        </Text>
      )}
    </Card>
  );
}

function DueCard({ profile }: { profile: Profile }) {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const unpaid = useInvoices([...unpaidStatuses]);
  if (profile.due.length === 0)
    return (
      <Card withBorder>
        <Group gap="xs" wrap="nowrap">
          <IconCircleCheck size={22} color="var(--mantine-color-teal-6)" />
          <Text>{t('portal.home.nothingDue')}</Text>
        </Group>
      </Card>
    );
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed">
        {t('portal.home.amountDue')}
      </Text>
      {profile.due.map((d) => (
        <Stack key={d.currency} gap={0} mb="xs">
          <Text size="xl" fw={700}>
            {format.money(d.amount, d.currency)}
          </Text>
          {d.nextDueDate && (
            <Text size="sm" c="dimmed">
              {t('portal.home.dueBy', { date: format.day(d.nextDueDate) })}
            </Text>
          )}
        </Stack>
      ))}
      {unpaid.isError && <QueryError error={unpaid.error} />}
      <Stack gap="md">
        {unpaid.items.map((invoice) => (
          <Stack key={invoice.id} gap="xs">
            <InvoiceCard invoice={invoice} />
            <PaymentOptions invoice={invoice} />
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}

export default function HomePage() {
  const { t } = useTranslation();
  const format = usePortalFormat();
  const profile = useProfile();
  if (profile.isPending) return <Loading />;
  if (profile.isError) return <QueryError error={profile.error} />;
  const { subscriber, organization, wallet } = profile.data;
  return (
    <Stack>
      <Stack gap={2}>
        <Title order={2}>{t('portal.home.greeting', { name: subscriber.companyName ?? subscriber.name })}</Title>
        <Text c="dimmed" size="sm">
          {t('portal.home.account', { number: subscriber.accountNumber, provider: organization.name })}
        </Text>
      </Stack>
      <DueCard profile={profile.data} />
      <ServiceCard timeZone={organization.timezone} />
      <Card withBorder>
        <Group justify="space-between" align="end">
          <Stack gap={0}>
            <Text size="sm" c="dimmed">
              {t('portal.home.walletBalance')}
            </Text>
            <Text size="xl" fw={700}>
              {format.money(wallet.balance, wallet.currency)}
            </Text>
          </Stack>
          <Anchor component={Link} to="/portal/wallet" size="sm">
            {t('portal.home.walletStatement')}
          </Anchor>
        </Group>
      </Card>
    </Stack>
  );
}
