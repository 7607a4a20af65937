import '@mantine/dates/styles.css';
import { Button, Group, Menu, Select, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider, type DatesRangeValue } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { IconChevronDown, IconDownload, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, downloadCsv, unwrap } from '../../api/client.ts';
import { PageHeader, useNotify } from '../../components/feedback.tsx';
import { LoadMore, useCursorList } from '../../components/lists.tsx';
import { useDatesLocale } from '../../lib/dates-locale.ts';
import { useCan } from '../auth/session.ts';
import { InvoiceDrawer } from './InvoiceDrawer.tsx';
import { InvoicesTable } from './InvoiceParts.tsx';
import { invoiceStatuses, type InvoiceStatus } from './model.ts';
import { NewInvoiceModal } from './NewInvoiceModal.tsx';

type Filters = Record<string, string | undefined>;

function ExportMenu({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async (format: 'csv' | 'xlsx') => {
    setBusy(true);
    try {
      await downloadCsv(`/api/invoices/export.${format}`, filters, `invoices.${format}`);
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
          {t('invoices.export')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => void run('xlsx')}>{t('invoices.exportXlsx')}</Menu.Item>
        <Menu.Item onClick={() => void run('csv')}>{t('invoices.exportCsv')}</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export default function InvoicesPage() {
  const { t } = useTranslation();
  const can = useCan();
  const datesLocale = useDatesLocale();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<InvoiceStatus | null>(null);
  const [range, setRange] = useState<DatesRangeValue<string>>([null, null]);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const filters = { q: q || undefined, status: status ?? undefined, issuedFrom: range[0] ?? undefined, issuedTo: range[1] ?? undefined };
  const list = useCursorList(['invoices', 'list', filters], (cursor) => unwrap(api.GET('/api/invoices', { params: { query: { ...filters, limit: 50, cursor } } })));

  return (
    <DatesProvider settings={{ locale: datesLocale }}>
      <PageHeader title={t('invoices.title')}>
        {can('invoices.export') && <ExportMenu filters={filters} />}
        {can('invoices.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('invoices.new')}
          </Button>
        )}
      </PageHeader>
      <Group mb="md" gap="sm" align="end">
        <TextInput label={t('invoices.searchNumber')} leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={{ base: '100%', sm: 220 }} dir="ltr" />
        <Select
          label={t('common.statusLabel')}
          placeholder={t('common.all')}
          data={invoiceStatuses.map((s) => ({ value: s, label: t(`invoices.status.${s}`) }))}
          value={status}
          onChange={(v) => setStatus(v as InvoiceStatus | null)}
          clearable
          w={{ base: '100%', xs: 170 }}
        />
        <DatePickerInput type="range" valueFormat="D MMM YYYY" label={t('invoices.issuedBetween')} placeholder={t('common.all')} value={range} onChange={setRange} clearable w={{ base: '100%', xs: 260 }} />
      </Group>
      <InvoicesTable list={list} items={list.items} onOpen={setOpenId} />
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {creating && <NewInvoiceModal onClose={() => setCreating(false)} onCreated={(i) => setOpenId(i.id)} />}
      <InvoiceDrawer id={openId} onClose={() => setOpenId(null)} onOpen={setOpenId} />
    </DatesProvider>
  );
}
