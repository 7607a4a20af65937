import { Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../lib/use-format.ts';
import { useMe } from '../auth/session.ts';

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text style={{ overflowWrap: 'anywhere' }}>{value}</Text>
    </Stack>
  );
}

export default function DashboardPage() {
  const { t } = useTranslation();
  const me = useMe();
  const format = useFormat();
  const org = me.organization;
  return (
    <Stack>
      <Title order={2}>{t('dashboard.welcome', { name: me.user.name })}</Title>
      <Text c="dimmed">{t('dashboard.intro')}</Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={4} mb="sm">
            {t('dashboard.you')}
          </Title>
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Fact label={t('users.form.email')} value={me.user.email} />
            <Fact label={t('users.form.role')} value={t(`roles.names.${me.user.role}`, { defaultValue: me.user.role })} />
            <Fact label={t('organizations.home')} value={me.homeOrganization.name} />
            <Fact label={t('dashboard.lastLogin')} value={me.user.lastLoginAt ? format.dateTime(me.user.lastLoginAt) : t('common.never')} />
          </SimpleGrid>
        </Card>
        <Card withBorder>
          <Group justify="space-between" mb="sm">
            <Title order={4}>{t('dashboard.workingIn')}</Title>
            <Badge variant="light">{t(`organizations.kind.${org.kind}`)}</Badge>
          </Group>
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Fact label={t('organizations.form.name')} value={org.name} />
            <Fact label={t('organizations.form.currency')} value={`${org.currency} · ${format.currencyName(org.currency)}`} />
            <Fact label={t('organizations.form.timezone')} value={org.timezone} />
            <Fact label={t('dashboard.today')} value={format.date(new Date())} />
          </SimpleGrid>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
