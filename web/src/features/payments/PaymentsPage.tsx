import '@mantine/dates/styles.css';
import { Button, Group, Menu, Select, Switch, Tabs, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider, type DatesRangeValue } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowsExchange, IconChevronDown, IconDownload, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { api, downloadCsv, unwrap } from '../../api/client.ts';
import { PageHeader, useNotify } from '../../components/feedback.tsx';
import { LoadMore, useCursorList } from '../../components/lists.tsx';
import { useDatesLocale } from '../../lib/dates-locale.ts';
import { useCan, useMe } from '../auth/session.ts';
import { MatchModal } from './MatchModal.tsx';
import { channelLabel, channels, paymentStatuses, type Payment, type PaymentStatus } from './model.ts';
import { PaymentDrawer } from './PaymentDrawer.tsx';
import { PaymentsTable } from './PaymentParts.tsx';
import { RecordPaymentModal } from './RecordPaymentModal.tsx';
import { ReportsPanel } from './ReportsPanel.tsx';

type Filters = Record<string, string | undefined>;

function ExportMenu({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async (format: 'csv' | 'xlsx') => {
    setBusy(true);
    try {
      await downloadCsv(`/api/payments/export.${format}`, filters, `payments.${format}`);
    } catch (err) {
      notify.failure(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button variant="default" leftSection={<IconDownload size={16} />} rightSection={<IconChevronDown size={14} />} loading={busy}>
          {t('payments.export')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => void run('xlsx')}>{t('payments.exportXlsx')}</Menu.Item>
        <Menu.Item onClick={() => void run('csv')}>{t('payments.exportCsv')}</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function PaymentList({ onOpen }: { onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [channel, setChannel] = useState<string | null>(null);
  const [status, setStatus] = useState<PaymentStatus | null>(null);
  const [range, setRange] = useState<DatesRangeValue<string>>([null, null]);
  const me = useMe();
  const [mine, setMine] = useState(false);
  const filters = { q: q || undefined, channel: channel ?? undefined, status: status ?? undefined, from: range[0] ?? undefined, to: range[1] ?? undefined, collectorId: mine ? me.user.id : undefined };
  const list = useCursorList(['payments', 'list', filters], (cursor) => unwrap(api.GET('/api/payments', { params: { query: { ...filters, limit: 50, cursor } } })));
  return (
    <>
      <Group mb="md" gap="sm" align="end">
        <TextInput label={t('payments.search')} leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={{ base: '100%', sm: 240 }} dir="ltr" />
        <Select label={t('payments.method')} placeholder={t('common.all')} data={channels.map((c) => ({ value: c, label: channelLabel(c, t) }))} value={channel} onChange={setChannel} clearable w={{ base: '100%', xs: 170 }} />
        <Select
          label={t('common.statusLabel')}
          placeholder={t('common.all')}
          data={paymentStatuses.map((s) => ({ value: s, label: t(`payments.status.${s}`) }))}
          value={status}
          onChange={(v) => setStatus(v as PaymentStatus | null)}
          clearable
          w={{ base: '100%', xs: 170 }}
        />
        <DatePickerInput type="range" valueFormat="D MMM YYYY" label={t('payments.receivedBetween')} placeholder={t('common.all')} value={range} onChange={setRange} clearable w={{ base: '100%', xs: 260 }} />
        <Switch label={t('payments.collectedByMe')} checked={mine} onChange={(e) => setMine(e.currentTarget.checked)} mb={8} />
        {can('payments.export') && <ExportMenu filters={filters} />}
      </Group>
      <PaymentsTable list={list} items={list.items} onOpen={onOpen} />
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

/** The suspense queue: payments whose reference named nobody, newest first, each with a Match button. */
function SuspenseQueue({ onOpen }: { onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const [matching, setMatching] = useState<Payment | null>(null);
  const filters = { status: 'unapplied' };
  const list = useCursorList(['payments', 'list', filters], (cursor) => unwrap(api.GET('/api/payments', { params: { query: { ...filters, limit: 50, cursor } } })));
  return (
    <>
      <PaymentsTable
        list={list}
        items={list.items}
        onOpen={onOpen}
        action={
          can('payments.update')
            ? (p) => (
                <Button size="compact-sm" variant="light" leftSection={<IconArrowsExchange size={14} />} onClick={() => setMatching(p)} aria-label={t('payments.match.actionFor', { number: p.receiptNumber })}>
                  {t('payments.match.action')}
                </Button>
              )
            : undefined
        }
      />
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {matching && <MatchModal payment={matching} onClose={() => setMatching(null)} />}
    </>
  );
}

const tabs = ['list', 'suspense', 'reports'] as const;
type Tab = (typeof tabs)[number];
const pathOf: Record<Tab, string> = { list: '/payments', suspense: '/payments/suspense', reports: '/payments/reports' };

/** Payments: the list with filters and exports, the suspense queue, the reports; "Record payment" on every tab. */
export default function PaymentsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const datesLocale = useDatesLocale();
  const location = useLocation();
  const navigate = useNavigate();
  const tab: Tab = location.pathname.endsWith('/suspense') ? 'suspense' : location.pathname.endsWith('/reports') ? 'reports' : 'list';
  const [recording, setRecording] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <DatesProvider settings={{ locale: datesLocale }}>
      <PageHeader title={t('payments.title.list')}>
        {can('payments.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setRecording(true)}>
            {t('payments.record.action')}
          </Button>
        )}
      </PageHeader>
      <Tabs value={tab} onChange={(v) => v && navigate(pathOf[v as Tab])} keepMounted={false} mb="md">
        <Tabs.List>
          {tabs.map((v) => (
            <Tabs.Tab key={v} value={v}>
              {t(`payments.tabs.${v}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      {tab === 'list' && <PaymentList onOpen={setOpenId} />}
      {tab === 'suspense' && <SuspenseQueue onOpen={setOpenId} />}
      {tab === 'reports' && <ReportsPanel />}
      {recording && <RecordPaymentModal onClose={() => setRecording(false)} />}
      <PaymentDrawer id={openId} onClose={() => setOpenId(null)} />
    </DatesProvider>
  );
}
