import '@mantine/dates/styles.css';
import { Alert, Button, Group, Table, Text, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider, type DatesRangeValue } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { PageHeader, useNotify } from '../../components/feedback.tsx';
import { ExportButton, ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useDatesLocale } from '../../lib/dates-locale.ts';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { AuditDrawer } from './AuditDrawer.tsx';

type AuditEntry = Schemas['AuditEntry'];
type Verify = Schemas['AuditVerifyResult'];

/** Local calendar day bounds as instants: [from 00:00, the day after `to` 00:00). */
function dayRange([from, to]: DatesRangeValue<string>) {
  const day = (d: string, plusDays = 0) => {
    const date = new Date(`${d}T00:00:00`);
    date.setDate(date.getDate() + plusDays);
    return date.toISOString();
  };
  return { from: from ? day(from) : undefined, to: to ? day(to, 1) : undefined };
}

export default function AuditPage() {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const format = useFormat();
  const datesLocale = useDatesLocale();
  const [text, setText] = useState({ q: '', action: '', objectType: '', objectId: '' });
  const [debounced] = useDebouncedValue(text, 300);
  const [range, setRange] = useState<DatesRangeValue<string>>([null, null]);
  const [selected, setSelected] = useState<AuditEntry | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [verifying, setVerifying] = useState(false);
  const filters = {
    q: debounced.q.trim() || undefined,
    action: debounced.action.trim() || undefined,
    objectType: debounced.objectType.trim() || undefined,
    objectId: debounced.objectId.trim() || undefined,
    ...dayRange(range),
  };

  const list = useCursorList(['audit', filters], (cursor) => unwrap(api.GET('/api/audit', { params: { query: { ...filters, limit: 50, cursor } } })));

  const runVerify = async () => {
    setVerifying(true);
    try {
      setVerify(await unwrap(api.GET('/api/audit/verify')));
    } catch (err) {
      notify.failure(err);
    } finally {
      setVerifying(false);
    }
  };

  const textFilter = (key: keyof typeof text, label: string) => (
    <TextInput
      label={label}
      value={text[key]}
      onChange={(e) => {
        const value = e.currentTarget.value;
        setText((s) => ({ ...s, [key]: value }));
      }}
      leftSection={key === 'q' ? <IconSearch size={16} /> : undefined}
      w={{ base: '100%', xs: 170 }}
    />
  );

  return (
    <DatesProvider settings={{ locale: datesLocale }}>
      <PageHeader title={t('audit.title')}>
        <Button variant="default" leftSection={<IconShieldCheck size={16} />} loading={verifying} onClick={() => void runVerify()}>
          {t('audit.verify')}
        </Button>
        {can('audit.export') && <ExportButton path="/api/audit/export" query={filters} fileName="audit.csv" />}
      </PageHeader>
      {verify && (
        <Alert color={verify.ok ? 'teal' : 'red'} mb="md" withCloseButton onClose={() => setVerify(null)} title={verify.ok ? t('audit.verifyOk') : t('audit.verifyBroken')}>
          {verify.ok
            ? t('audit.verifyOkDetail', { entries: format.number(verify.entries) })
            : t('audit.verifyBrokenDetail', { seq: verify.brokenSeq ?? '', reason: verify.reason ?? '' })}
        </Alert>
      )}
      <Group mb="md" gap="sm" align="end">
        {textFilter('q', t('common.search'))}
        {textFilter('action', t('audit.action'))}
        {textFilter('objectType', t('audit.objectType'))}
        {textFilter('objectId', t('audit.objectId'))}
        <DatePickerInput
          type="range"
          label={t('audit.dates')}
          placeholder={t('common.all')}
          value={range}
          onChange={setRange}
          clearable
          w={{ base: '100%', xs: 240 }}
        />
      </Group>
      <ListTable list={list} minWidth={720} count={list.items.length} headers={[t('audit.time'), t('audit.actor'), t('audit.action'), t('audit.object'), t('audit.ip')]}>
        {list.items.map((e) => (
          <Table.Tr key={e.seq} onClick={() => setSelected(e)} style={{ cursor: 'pointer' }}>
            <Table.Td>{format.dateTime(e.at)}</Table.Td>
            <Table.Td>{e.actorLabel ?? t(`audit.actorType.${e.actorType}`)}</Table.Td>
            <Table.Td>
              <Button variant="subtle" size="compact-sm" onClick={() => setSelected(e)} dir="ltr">
                {e.action}
              </Button>
            </Table.Td>
            <Table.Td>
              <Text size="sm" truncate maw={220}>
                {[e.objectType, e.objectId].filter(Boolean).join(' ')}
              </Text>
            </Table.Td>
            <Table.Td>{e.ip}</Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      <AuditDrawer entry={selected} onClose={() => setSelected(null)} />
    </DatesProvider>
  );
}
