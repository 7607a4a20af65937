import { Anchor, Badge, Button, Drawer, Group, Select, SimpleGrid, Stack, Tabs, Text, Textarea, TextInput, Timeline, Title, useDirection } from '@mantine/core';
import { IconEdit } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { WalletPanel } from '../billing/WalletPanel.tsx';
import { SubscriberInvoices } from '../invoices/SubscriberInvoices.tsx';
import { SubscriberPayments } from '../payments/SubscriberPayments.tsx';
import { SubscriptionsPanel } from '../subscriptions/SubscriptionsPanel.tsx';
import { UsagePanel } from '../subscriptions/UsagePanel.tsx';
import { SubscriberSessionsPanel } from '../sessions/SubscriberSessionsPanel.tsx';
import { SubscriberSavedCards } from '../saved-cards/SubscriberSavedCards.tsx';
import { DocumentsPanel } from './DocumentsPanel.tsx';
import { statuses, useSubscriberOptions, type SubscriberDetail, type SubscriberStatus } from './options.ts';
import { SubscriberForm } from './SubscriberForm.tsx';
import { StatusLabel } from './SubscribersPage.tsx';

function Field({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {value || '—'}
      </Text>
    </div>
  );
}

function StatusChange({ subscriber }: { subscriber: SubscriberDetail }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [to, setTo] = useState<SubscriberStatus | null>(null);
  const [reason, setReason] = useState('');
  const change = useMutation({
    mutationFn: () => unwrap(api.POST('/api/subscribers/{id}/status', { params: { path: { id: subscriber.id } }, body: { status: to!, reason } })),
    onSuccess: async (s) => {
      notify.success(t('subscribers.statusChanged', { name: s.companyName ?? s.name, status: t(`subscribers.status.${s.status}`) }));
      setTo(null);
      setReason('');
      await queryClient.invalidateQueries({ queryKey: ['subscribers'] });
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        change.mutate();
      }}
    >
      <Stack gap="xs">
        <FormError error={change.error} />
        <Group align="end" gap="xs">
          <Select
            label={t('subscribers.changeStatus')}
            data={statuses.filter((s) => s !== subscriber.status).map((s) => ({ value: s, label: t(`subscribers.status.${s}`) }))}
            value={to}
            onChange={(v) => setTo(v as SubscriberStatus | null)}
            w={{ base: '100%', xs: 180 }}
          />
          <TextInput label={t('subscribers.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(change.error, 'reason')} style={{ flex: 1, minWidth: 160 }} />
          <Button type="submit" disabled={!to} loading={change.isPending}>
            {t('subscribers.applyStatus')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function History({ id }: { id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const history = useQuery({ queryKey: ['subscribers', 'history', id], queryFn: () => unwrap(api.GET('/api/subscribers/{id}/history', { params: { path: { id } } })) });
  if (history.isPending) return <Loading />;
  if (history.isError) return <QueryError error={history.error} />;
  return (
    <Timeline bulletSize={14} lineWidth={2}>
      {history.data.map((h) => (
        <Timeline.Item key={h.id} title={h.from ? `${t(`subscribers.status.${h.from}`)} → ${t(`subscribers.status.${h.to}`)}` : t(`subscribers.status.${h.to}`)}>
          {h.reason && <Text size="sm">{h.reason}</Text>}
          <Text size="xs" c="dimmed">
            {format.dateTime(h.at)} · {h.by?.name ?? t('subscribers.system')}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function Notes({ id }: { id: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const format = useFormat();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const notes = useQuery({ queryKey: ['subscribers', 'notes', id], queryFn: () => unwrap(api.GET('/api/subscribers/{id}/notes', { params: { path: { id } } })) });
  const add = useMutation({
    mutationFn: () => unwrap(api.POST('/api/subscribers/{id}/notes', { params: { path: { id } }, body: { body } })),
    onSuccess: async () => {
      setBody('');
      await queryClient.invalidateQueries({ queryKey: ['subscribers', 'notes', id] });
    },
  });
  return (
    <Stack>
      {can('subscribers.update') && (
        <Stack gap="xs">
          <FormError error={add.error} />
          <Textarea label={t('subscribers.newNote')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} />
          <Button onClick={() => add.mutate()} disabled={!body.trim()} loading={add.isPending} style={{ alignSelf: 'flex-end' }}>
            {t('subscribers.addNote')}
          </Button>
        </Stack>
      )}
      {notes.isPending ? <Loading /> : notes.isError ? <QueryError error={notes.error} /> : notes.data.length === 0 ? <Text c="dimmed">{t('common.nothingFound')}</Text> : null}
      {notes.data?.map((n) => (
        <div key={n.id}>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {n.body}
          </Text>
          <Text size="xs" c="dimmed">
            {format.dateTime(n.createdAt)} · {n.author?.name ?? t('subscribers.system')}
          </Text>
        </div>
      ))}
    </Stack>
  );
}

/** A subscriber at a glance: details, contacts, addresses, status with its history, notes and KYC documents. */
export function SubscriberDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const { dir } = useDirection();
  const options = useSubscriberOptions();
  const [editing, setEditing] = useState(false);
  const detail = useQuery({ queryKey: ['subscribers', 'detail', id], queryFn: () => unwrap(api.GET('/api/subscribers/{id}', { params: { path: { id: id! } } })), enabled: !!id });
  const s = detail.data;
  return (
    <Drawer opened={!!id} onClose={onClose} position={dir === 'rtl' ? 'left' : 'right'} size="xl" title={s ? `${s.companyName ?? s.name} · ${s.accountNumber}` : t('subscribers.title')}>
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <QueryError error={detail.error} />
      ) : (
        s && (
          <Stack>
            <Group justify="space-between">
              <Group gap="xs">
                <StatusLabel status={s.status} />
                {s.tags.map((tag) => (
                  <Badge key={tag} variant="outline">
                    {tag}
                  </Badge>
                ))}
              </Group>
              {can('subscribers.update') && (
                <Button variant="light" size="xs" leftSection={<IconEdit size={14} />} onClick={() => setEditing(true)}>
                  {t('common.edit')}
                </Button>
              )}
            </Group>
            {s.suspendOn && <Text size="sm" c="orange">{t('subscribers.scheduledSuspension', { date: s.suspendOn, reason: s.suspendReason ?? '' })}</Text>}
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <Field label={t('subscribers.form.name')} value={s.name} />
              <Field label={t('subscribers.form.nationalId')} value={s.nationalId} />
              <Field label={t('subscribers.form.organization')} value={options.organizationName(s.organizationId)} />
              <Field label={t('subscribers.form.assignedTo')} value={options.staffName(s.assignedUserId)} />
            </SimpleGrid>
            <Title order={5}>{t('subscribers.contacts')}</Title>
            {s.contacts.length === 0 && <Text c="dimmed">{t('common.nothingFound')}</Text>}
            {s.contacts.map((c) => (
              <Group key={c.id} gap="xs">
                <Badge variant="light">{t(`subscribers.contactKind.${c.kind}`)}</Badge>
                <Anchor href={c.kind === 'email' ? `mailto:${c.value}` : c.kind === 'whatsapp' ? `https://wa.me/${c.value.slice(1)}` : `tel:${c.value}`} dir="ltr">
                  {c.value}
                </Anchor>
                {c.primary && <Text size="xs" c="dimmed">{t('subscribers.form.primary')}</Text>}
              </Group>
            ))}
            <Title order={5}>{t('subscribers.addresses')}</Title>
            {s.addresses.length === 0 && <Text c="dimmed">{t('common.nothingFound')}</Text>}
            {s.addresses.map((a) => (
              <Text key={a.id} size="sm">
                {[a.line1, a.line2, a.city, a.region, a.country].filter(Boolean).join(', ')}
                {a.installation && ` · ${t('subscribers.form.installation')}`}
                {a.latitude && (
                  <>
                    {' · '}
                    <Anchor href={`https://www.openstreetmap.org/?mlat=${a.latitude}&mlon=${a.longitude}#map=17/${a.latitude}/${a.longitude}`} target="_blank" rel="noreferrer" dir="ltr">
                      {a.latitude}, {a.longitude}
                    </Anchor>
                  </>
                )}
              </Text>
            ))}
            {can('subscribers.update') && <StatusChange subscriber={s} />}
            <Tabs defaultValue="history" keepMounted={false}>
              <Tabs.List>
                <Tabs.Tab value="history">{t('subscribers.history')}</Tabs.Tab>
                {can('subscriptions.read') && <Tabs.Tab value="subscriptions">{t('subscriptions.tab')}</Tabs.Tab>}
                {can('invoices.read') && <Tabs.Tab value="wallet">{t('wallet.tab')}</Tabs.Tab>}
                {can('invoices.read') && <Tabs.Tab value="invoices">{t('invoices.tab')}</Tabs.Tab>}
                {can('payments.read') && <Tabs.Tab value="payments">{t('payments.tab')}</Tabs.Tab>}
                {can('subscriptions.read') && <Tabs.Tab value="usage">{t('subscriptions.usage.tab')}</Tabs.Tab>}
                {can('sessions.read') && <Tabs.Tab value="sessions">{t('sessions.tab')}</Tabs.Tab>}
                <Tabs.Tab value="notes">{t('subscribers.notes')}</Tabs.Tab>
                <Tabs.Tab value="documents">{t('subscribers.documents.title')}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="history" pt="md">
                <History id={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="notes" pt="md">
                <Notes id={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="documents" pt="md">
                <DocumentsPanel id={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="subscriptions" pt="md">
                <SubscriptionsPanel subscriberId={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="wallet" pt="md">
                <WalletPanel subscriberId={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="invoices" pt="md">
                <SubscriberInvoices subscriberId={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="payments" pt="md">
                <SubscriberPayments subscriberId={s.id} />
                <SubscriberSavedCards subscriberId={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="usage" pt="md">
                <UsagePanel subscriberId={s.id} />
              </Tabs.Panel>
              <Tabs.Panel value="sessions" pt="md">
                <SubscriberSessionsPanel subscriberId={s.id} />
              </Tabs.Panel>
            </Tabs>
            {editing && <SubscriberForm subscriber={s} onClose={() => setEditing(false)} />}
          </Stack>
        )
      )}
    </Drawer>
  );
}
