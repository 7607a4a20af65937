import { ActionIcon, Badge, Button, Center, Menu, Table, Text } from '@mantine/core';
import { IconDots, IconDownload } from '@tabler/icons-react';
import { keepPreviousData, useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { downloadCsv } from '../api/client.ts';
import { Loading, QueryError, useNotify } from './feedback.tsx';

/** A cursor-paged list ({ items, nextCursor }) with "load more"; a new filter keeps the old rows until its own arrive. */
export function useCursorList<T>(queryKey: QueryKey, fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  return { ...query, items: query.data?.pages.flatMap((p) => p.items) ?? [] };
}

export function LoadMore({ hasNextPage, isFetchingNextPage, fetchNextPage }: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }) {
  const { t } = useTranslation();
  if (!hasNextPage) return null;
  return (
    <Center mt="md">
      <Button variant="light" loading={isFetchingNextPage} onClick={() => void fetchNextPage()}>
        {t('common.loadMore')}
      </Button>
    </Center>
  );
}

/**
 * The table every list page shows: loading and error states, a header row (plus an unlabelled
 * column for each row's actions), "nothing found" when empty, and sideways scrolling on a phone.
 */
export function ListTable({
  list,
  minWidth,
  headers,
  withActions = false,
  count,
  children,
}: {
  list: { isPending: boolean; isError: boolean; error: unknown };
  minWidth: number;
  headers: ReactNode[];
  withActions?: boolean;
  count: number;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  if (list.isPending) return <Loading />;
  if (list.isError) return <QueryError error={list.error} />;
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            {headers.map((header, i) => (
              <Table.Th key={i}>{header}</Table.Th>
            ))}
            {withActions && <Table.Th w={48} aria-label={t('common.actions')} />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {count === 0 && <EmptyRow columns={headers.length + (withActions ? 1 : 0)} />}
          {children}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function EmptyRow({ columns }: { columns: number }) {
  const { t } = useTranslation();
  return (
    <Table.Tr>
      <Table.Td colSpan={columns}>
        <Text c="dimmed" ta="center" py="md">
          {t('common.nothingFound')}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function StatusBadge({ status }: { status: 'active' | 'disabled' }) {
  const { t } = useTranslation();
  return (
    <Badge color={status === 'active' ? 'teal' : 'gray'} variant="light">
      {t(`common.status.${status}`)}
    </Badge>
  );
}

/** The "…" menu of a table row; `label` names the row for screen readers. */
export function RowActions({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={label}>
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>{children}</Menu.Dropdown>
    </Menu>
  );
}

export function ExportButton({ path, query, fileName }: { path: string; query: Record<string, string | undefined>; fileName: string }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      await downloadCsv(path, query, fileName);
    } catch (err) {
      notify.failure(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="default" leftSection={<IconDownload size={16} />} loading={busy} onClick={() => void run()}>
      {t('common.exportCsv')}
    </Button>
  );
}
