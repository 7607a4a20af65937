import { Button, Card, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../components/feedback.tsx';
import { useCan } from '../auth/session.ts';

/*
 * A push to a router (the plans' profiles, the subscribers' queues): preview what would change,
 * then apply it; the answer lists each item with its action and the values from → to. The pushes
 * differ only in what they send and how an item is named.
 */

export interface PushRow {
  readonly key: string;
  readonly name: string;
  /** Under the name: the menu of a profile, the target address of a queue. */
  readonly detail: string | null;
  readonly action: string;
  readonly reason?: string | null;
  readonly changes: readonly { property: string; from: string | null; to: string }[];
}

export interface PushAnswer {
  readonly dryRun: boolean;
  readonly message: string;
}

export function PushPanel<R extends PushAnswer>(props: {
  id: string;
  send: (dryRun: boolean) => Promise<R>;
  explain: string;
  previewLabel: string;
  applyLabel: string;
  nameLabel: string;
  messageTestId: string;
  /** Nothing to listed items: shown instead of an empty table, when given. */
  none?: string;
  rowsOf: (r: R) => PushRow[];
  /** Items the apply would change: the apply button waits for a preview with some. */
  pendingOf: (r: R) => number;
  footer?: (r: R) => ReactNode;
}) {
  const { t } = useTranslation();
  const can = useCan();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<R | null>(null);
  const push = useMutation({
    mutationFn: props.send,
    onSuccess: async (r) => {
      setResult(r);
      await queryClient.invalidateQueries({ queryKey: ['router', props.id, 'commands'] });
    },
  });
  if (!can('nas.update')) return <Text c="dimmed">{t('routers.push.notAllowed')}</Text>;
  const rows = result ? props.rowsOf(result) : [];
  return (
    <Stack>
      <Text size="sm">{props.explain}</Text>
      <Group>
        <Button variant="light" loading={push.isPending && push.variables} onClick={() => push.mutate(true)}>
          {props.previewLabel}
        </Button>
        <Button loading={push.isPending && !push.variables} disabled={!result?.dryRun || props.pendingOf(result) === 0} onClick={() => push.mutate(false)}>
          {props.applyLabel}
        </Button>
      </Group>
      <FormError error={push.error} />
      {result && (
        <Card withBorder>
          <Text fw={500} data-testid={props.messageTestId}>
            {result.message}
          </Text>
          {rows.length === 0 && props.none && (
            <Text size="sm" c="dimmed">
              {props.none}
            </Text>
          )}
          {(rows.length > 0 || !props.none) && (
            <ScrollArea>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{props.nameLabel}</Table.Th>
                    <Table.Th>{t('routers.push.action')}</Table.Th>
                    <Table.Th>{t('routers.push.changes')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((row) => (
                    <Table.Tr key={row.key}>
                      <Table.Td>
                        {row.name}
                        {row.detail && (
                          <Text size="xs" c="dimmed" dir="ltr">
                            {row.detail}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {row.action}
                        {row.reason && (
                          <Text size="xs" c="dimmed">
                            {row.reason}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {row.changes.map((c) => (
                          <Text size="xs" key={c.property} dir="ltr">
                            {c.property}: {c.from ?? '∅'} → {c.to || '∅'}
                          </Text>
                        ))}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          )}
          {props.footer?.(result)}
        </Card>
      )}
    </Stack>
  );
}
