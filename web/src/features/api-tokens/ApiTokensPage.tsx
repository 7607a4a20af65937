import { Badge, Button, Code, Group, Switch, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { ConfirmModal, PageHeader, useNotify } from '../../components/feedback.tsx';
import { ListTable, LoadMore, useCursorList } from '../../components/lists.tsx';
import { useFormat } from '../../lib/use-format.ts';
import { useCan } from '../auth/session.ts';
import { ApiTokenForm } from './ApiTokenForm.tsx';

type ApiToken = Schemas['ApiToken'];

export default function ApiTokensPage() {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const format = useFormat();
  const queryClient = useQueryClient();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const list = useCursorList(['api-tokens', { includeRevoked }], (cursor) =>
    unwrap(api.GET('/api/api-tokens', { params: { query: { limit: 50, cursor, includeRevoked: includeRevoked ? 'true' : undefined } } })),
  );

  const revoke = async (token: ApiToken) => {
    await unwrap(api.DELETE('/api/api-tokens/{id}', { params: { path: { id: token.id } } }));
    notify.success(t('apiTokens.revoked', { name: token.name }));
    await queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
  };

  return (
    <>
      <PageHeader title={t('apiTokens.title')}>
        {can('api_tokens.create') && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('apiTokens.create')}
          </Button>
        )}
      </PageHeader>
      <Text c="dimmed" size="sm" mb="sm">
        {t('apiTokens.intro')}
      </Text>
      <Switch label={t('apiTokens.includeRevoked')} checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.currentTarget.checked)} mb="md" />
      <ListTable list={list} minWidth={720} count={list.items.length} headers={[t('apiTokens.form.name'), t('apiTokens.prefix'), t('apiTokens.form.scopes'), t('apiTokens.lastUsed'), t('apiTokens.expires')]} withActions>
        {list.items.map((token) => (
          <Table.Tr key={token.id}>
            <Table.Td>{token.name}</Table.Td>
            <Table.Td>
              <Code>{token.prefix}…</Code>
            </Table.Td>
            <Table.Td>{format.number(token.scopes.length)}</Table.Td>
            <Table.Td>{token.lastUsedAt ? format.dateTime(token.lastUsedAt) : t('common.never')}</Table.Td>
            <Table.Td>{token.expiresAt ? format.date(token.expiresAt) : t('apiTokens.noExpiry')}</Table.Td>
            <Table.Td>
              {token.revokedAt ? (
                <Badge color="gray" variant="light">
                  {t('apiTokens.revokedBadge')}
                </Badge>
              ) : (
                can('api_tokens.delete') && (
                  <Group justify="flex-end">
                    <Button size="xs" variant="light" color="red" onClick={() => setRevoking(token)}>
                      {t('apiTokens.revoke')}
                    </Button>
                  </Group>
                )
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {creating && <ApiTokenForm onClose={() => setCreating(false)} />}
      <ConfirmModal
        opened={!!revoking}
        title={t('apiTokens.revokeTitle')}
        message={t('apiTokens.revokeConfirm', { name: revoking?.name ?? '' })}
        confirmLabel={t('apiTokens.revoke')}
        onConfirm={() => revoke(revoking!)}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}
