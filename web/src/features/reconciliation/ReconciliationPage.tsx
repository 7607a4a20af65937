import { Button, Group, Select, Stack, Tabs, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Loading, PageHeader, QueryError } from '../../components/feedback.tsx';
import { useCan } from '../auth/session.ts';
import { reconciliation } from './http.ts';
import { ImportPanel } from './ImportPanel.tsx';
import { ReportsPanel } from './ReportsPanel.tsx';
import { SourceForm } from './SourceForm.tsx';
import { Workspace } from './Workspace.tsx';

/** Statement reconciliation: pick a statement source, import its statements, match what is left, read the reports. */
export default function ReconciliationPage() {
  const { t } = useTranslation();
  const can = useCan();
  const sources = useQuery({ queryKey: ['reconciliation', 'sources'], queryFn: reconciliation.sources });
  const [chosen, setChosen] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>('workspace');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState(false);
  if (sources.isPending) return <Loading />;
  if (sources.isError) return <QueryError error={sources.error} />;
  const list = sources.data.items;
  const source = list.find((s) => s.id === chosen) ?? list[0];
  return (
    <Stack>
      <PageHeader title={t('reconciliation.title')}>
        {can('payments.update') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('reconciliation.source.add')}
          </Button>
        )}
      </PageHeader>
      {!source && <Text c="dimmed">{t('reconciliation.source.none')}</Text>}
      {source && (
        <>
          <Group align="end" gap="xs">
            <Select
              label={t('reconciliation.source.label')}
              data={list.map((s) => ({ value: s.id, label: `${s.name} (${s.key})` }))}
              value={source.id}
              onChange={(v) => setChosen(v)}
              allowDeselect={false}
              style={{ flex: 1, maxWidth: 420 }}
            />
            {can('payments.update') && (
              <Button variant="default" onClick={() => setEditing(true)}>
                {t('reconciliation.source.edit')}
              </Button>
            )}
          </Group>
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="workspace">{t('reconciliation.tabs.workspace')}</Tabs.Tab>
              {can('payments.update') && <Tabs.Tab value="import">{t('reconciliation.tabs.import')}</Tabs.Tab>}
              <Tabs.Tab value="reports">{t('reconciliation.tabs.reports')}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="workspace" pt="md">
              <Workspace source={source} />
            </Tabs.Panel>
            <Tabs.Panel value="import" pt="md">
              <ImportPanel source={source} onImported={() => setTab('workspace')} />
            </Tabs.Panel>
            <Tabs.Panel value="reports" pt="md">
              <ReportsPanel source={source} />
            </Tabs.Panel>
          </Tabs>
        </>
      )}
      {creating && <SourceForm onClose={() => setCreating(false)} onSaved={(id) => setChosen(id)} />}
      {editing && source && <SourceForm source={source} onClose={() => setEditing(false)} onSaved={(id) => setChosen(id)} />}
    </Stack>
  );
}
