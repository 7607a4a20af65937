import { Button, Group } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { LoadMore, useCursorList } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import { InvoiceDrawer } from './InvoiceDrawer.tsx';
import { InvoicesTable } from './InvoiceParts.tsx';
import { NewInvoiceModal } from './NewInvoiceModal.tsx';

/** A subscriber's invoices and credit notes, newest first; each opens the invoice drawer. */
export function SubscriberInvoices({ subscriberId }: { subscriberId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const filters = { subscriberId };
  const list = useCursorList(['invoices', 'list', filters], (cursor) => unwrap(api.GET('/api/invoices', { params: { query: { ...filters, limit: 20, cursor } } })));
  return (
    <>
      {can('invoices.create') && (
        <Group justify="flex-end" mb="sm">
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setCreating(true)}>
            {t('invoices.new')}
          </Button>
        </Group>
      )}
      <InvoicesTable list={list} items={list.items} onOpen={setOpenId} withCustomer={false} />
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {creating && <NewInvoiceModal subscriberId={subscriberId} onClose={() => setCreating(false)} onCreated={(i) => setOpenId(i.id)} />}
      <InvoiceDrawer id={openId} onClose={() => setOpenId(null)} onOpen={setOpenId} />
    </>
  );
}
