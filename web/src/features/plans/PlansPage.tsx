import { Tabs } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/feedback.tsx';
import { DiscountsTab } from './DiscountsTab.tsx';
import { PlansTab } from './PlansTab.tsx';
import { TaxClassesTab } from './TaxClassesTab.tsx';

/** The catalog: plans, the tax classes they charge, and discounts and coupons. */
export default function PlansPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('plans.title')} />
      <Tabs defaultValue="plans" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="plans">{t('plans.tabs.plans')}</Tabs.Tab>
          <Tabs.Tab value="tax">{t('plans.tabs.taxClasses')}</Tabs.Tab>
          <Tabs.Tab value="discounts">{t('plans.tabs.discounts')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="plans">
          <PlansTab />
        </Tabs.Panel>
        <Tabs.Panel value="tax">
          <TaxClassesTab />
        </Tabs.Panel>
        <Tabs.Panel value="discounts">
          <DiscountsTab />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
