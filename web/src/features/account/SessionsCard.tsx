import { Badge, Button, Card, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { Loading, QueryError, useNotify } from '../../components/feedback.tsx';
import { useFormat } from '../../lib/use-format.ts';

/** The user's signed-in sessions; any but the current one can be ended. */
export function SessionsCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => unwrap(api.GET('/api/auth/sessions')) });

  const end = async (id: string) => {
    try {
      await unwrap(api.DELETE('/api/auth/sessions/{id}', { params: { path: { id } } }));
      notify.success(t('account.sessions.ended'));
      await queryClient.invalidateQueries({ queryKey: ['sessions'] });
    } catch (err) {
      notify.failure(err);
    }
  };

  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>{t('account.sessions.title')}</Title>
        {sessions.isPending ? (
          <Loading />
        ) : sessions.isError ? (
          <QueryError error={sessions.error} />
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('account.sessions.device')}</Table.Th>
                  <Table.Th>{t('account.sessions.ip')}</Table.Th>
                  <Table.Th>{t('account.sessions.lastSeen')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.data.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      <Text size="sm" lineClamp={2} maw={280} dir="ltr" ta="start">
                        {s.userAgent ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{s.ip ?? '—'}</Table.Td>
                    <Table.Td>{format.dateTime(s.lastSeenAt)}</Table.Td>
                    <Table.Td>
                      {s.current ? (
                        <Badge variant="light">{t('account.sessions.current')}</Badge>
                      ) : (
                        <Button size="xs" variant="light" color="red" onClick={() => void end(s.id)}>
                          {t('account.sessions.end')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
