import { Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/feedback.tsx';
import { PenaltyClassesTab } from './PenaltyClassesTab.tsx';
import { RunsTab } from './RunsTab.tsx';
import { SettingsTab } from './SettingsTab.tsx';

/** Billing: the runs that invoice what is due, each organization's billing settings, and late-payment penalties. */
export default function BillingPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('billing.title')} />
      <Tabs defaultValue="runs" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="runs">{t('billing.tabs.runs')}</Tabs.Tab>
          <Tabs.Tab value="settings">{t('billing.tabs.settings')}</Tabs.Tab>
          <Tabs.Tab value="penalties">{t('billing.tabs.penalties')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="runs">
          <RunsTab />
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          <SettingsTab />
        </Tabs.Panel>
        <Tabs.Panel value="penalties">
          <PenaltyClassesTab />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
