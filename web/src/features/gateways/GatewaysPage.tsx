import { Badge, Button, Card, Group, PasswordInput, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyField, FormError, Loading, PageHeader, QueryError, useNotify } from '../../components/feedback.tsx';
import { useCan, useMe } from '../auth/session.ts';
import { useCallbackUrls, useGatewayAccounts, useGatewayKinds, useSaveGatewayAccount, useSecurityEvents, type GatewayAccount } from './api.ts';

interface Field {
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
}

/** The form for one gateway of your organization: secret settings are write-only ("set"; empty keeps them). */
/** For the organization you are working in (the header's switcher); an edit keeps the account's own organization. */
function AccountForm({ kind, fields, account, organizationId, onDone }: { kind: string; fields: Field[]; account?: GatewayAccount; organizationId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const save = useSaveGatewayAccount();
  const [label, setLabel] = useState(account?.label ?? kind.toUpperCase());
  const [enabled, setEnabled] = useState(account?.enabled ?? true);
  const [acceptUnknown, setAcceptUnknown] = useState(account?.acceptUnknownReferences ?? true);
  const [values, setValues] = useState<Record<string, string>>(() => ({ ...(account?.settings ?? {}) }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const settings = Object.fromEntries(fields.map((f) => [f.key, values[f.key] ?? '']));
    await save.mutateAsync({ organizationId: account?.organizationId ?? organizationId, kind, label, enabled, acceptUnknownReferences: acceptUnknown, settings });
    notify.success(t('gateways.saved', { label }));
    onDone();
  };
  return (
    <Card withBorder component="form" onSubmit={(e: FormEvent) => void submit(e).catch(() => undefined)}>
      <Stack>
        <Title order={4}>{t('gateways.formTitle', { kind })}</Title>
        <TextInput label={t('gateways.label')} required value={label} onChange={(e) => setLabel(e.currentTarget.value)} />
        {fields.map((f) =>
          f.secret ? (
            <PasswordInput
              key={f.key}
              label={f.label}
              required={f.required && !account?.secretsSet.includes(f.key)}
              placeholder={account?.secretsSet.includes(f.key) ? t('gateways.secretSet') : undefined}
              autoComplete="new-password"
              value={values[f.key] ?? ''}
              onChange={(e) => setValues({ ...values, [f.key]: e.currentTarget.value })}
            />
          ) : (
            <TextInput key={f.key} label={f.label} required={f.required} value={values[f.key] ?? ''} onChange={(e) => setValues({ ...values, [f.key]: e.currentTarget.value })} />
          ),
        )}
        <Switch label={t('gateways.enabled')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        <Switch label={t('gateways.acceptUnknown')} description={t('gateways.acceptUnknownHint')} checked={acceptUnknown} onChange={(e) => setAcceptUnknown(e.currentTarget.checked)} />
        <FormError error={save.error} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
          <Button variant="subtle" onClick={onDone}>
            {t('common.cancel')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function CallbackUrls({ id }: { id: string }) {
  const { t } = useTranslation();
  const urls = useCallbackUrls();
  if (!urls.data)
    return (
      <Button size="xs" variant="light" loading={urls.isPending} onClick={() => urls.mutate(id)}>
        {t('gateways.showCallbackUrls')}
      </Button>
    );
  return (
    <Stack gap="xs">
      {Object.entries(urls.data.urls).map(([endpoint, url]) => (
        <CopyField key={endpoint} label={endpoint} value={url} />
      ))}
    </Stack>
  );
}

export default function GatewaysPage() {
  const { t } = useTranslation();
  const can = useCan();
  const me = useMe();
  const kinds = useGatewayKinds();
  const accounts = useGatewayAccounts();
  const events = useSecurityEvents();
  const [editing, setEditing] = useState<{ kind: string; account?: GatewayAccount } | null>(null);
  const [newKind, setNewKind] = useState<string | null>(null);
  if (kinds.isPending || accounts.isPending) return <Loading />;
  if (kinds.isError) return <QueryError error={kinds.error} />;
  if (accounts.isError) return <QueryError error={accounts.error} />;
  const fieldsOf = (kind: string) => kinds.data.items.find((k) => k.kind === kind)?.fields ?? [];
  const mayUpdate = can('gateways.update');
  return (
    <Stack>
      <PageHeader title={t('gateways.title')} />
      <Text c="dimmed">{t('gateways.intro')}</Text>
      {editing ? (
        <AccountForm key={editing.account?.id ?? editing.kind} kind={editing.kind} fields={fieldsOf(editing.kind)} account={editing.account} organizationId={me.organization.id} onDone={() => setEditing(null)} />
      ) : (
        mayUpdate && (
          <Group align="end">
            <Select label={t('gateways.add')} data={kinds.data.items.map((k) => k.kind)} value={newKind} onChange={setNewKind} w={220} />
            <Button disabled={!newKind} onClick={() => newKind && setEditing({ kind: newKind, account: accounts.data.items.find((a) => a.kind === newKind && a.organizationId === me.organization.id) })}>
              {t('gateways.configure')}
            </Button>
          </Group>
        )
      )}
      {accounts.data.items.length === 0 && <Text c="dimmed">{t('gateways.none')}</Text>}
      {accounts.data.items.map((a) => (
        <Card key={a.id} withBorder>
          <Stack gap="xs">
            <Group justify="space-between" wrap="wrap">
              <Group gap="xs">
                <Title order={4}>{a.label}</Title>
                <Badge variant="light">{a.kind}</Badge>
                <Badge color={a.enabled ? 'teal' : 'gray'} variant="light">
                  {a.enabled ? t('gateways.on') : t('gateways.off')}
                </Badge>
              </Group>
              {mayUpdate && (
                <Button size="xs" variant="light" onClick={() => setEditing({ kind: a.kind, account: a })}>
                  {t('common.edit')}
                </Button>
              )}
            </Group>
            <Text size="sm" c="dimmed">
              {a.organizationName}
            </Text>
            {Object.entries(a.settings).map(([k, v]) => (
              <Text key={k} size="sm" style={{ overflowWrap: 'anywhere' }}>
                {k}: {v}
              </Text>
            ))}
            {a.secretsSet.map((k) => (
              <Text key={k} size="sm">
                {k}: <Badge size="xs" variant="outline">{t('gateways.set')}</Badge>
              </Text>
            ))}
            {mayUpdate && <CallbackUrls id={a.id} />}
          </Stack>
        </Card>
      ))}
      <Title order={3}>{t('gateways.securityEvents')}</Title>
      {events.isError && <QueryError error={events.error} />}
      {events.data && events.data.items.length === 0 && <Text c="dimmed">{t('gateways.noSecurityEvents')}</Text>}
      {events.data && events.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={500}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('gateways.at')}</Table.Th>
                <Table.Th>{t('gateways.kind')}</Table.Th>
                <Table.Th>{t('gateways.detail')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.data.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{new Date(e.at).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {e.gateway} · {e.kind}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {e.detail} {e.remoteAddress ? `(${e.remoteAddress})` : ''}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
