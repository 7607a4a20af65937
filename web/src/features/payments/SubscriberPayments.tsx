import { Button, Group } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { LoadMore, useCursorList } from '../../components/lists.tsx';
import { useCan } from '../auth/session.ts';
import { PaymentDrawer } from './PaymentDrawer.tsx';
import { PaymentsTable } from './PaymentParts.tsx';
import { RecordPaymentModal } from './RecordPaymentModal.tsx';

/** A subscriber's payments, newest first, and "Record payment" with the subscriber already chosen. */
export function SubscriberPayments({ subscriberId }: { subscriberId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const [recording, setRecording] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const filters = { subscriberId };
  const list = useCursorList(['payments', 'list', filters], (cursor) => unwrap(api.GET('/api/payments', { params: { query: { ...filters, limit: 20, cursor } } })));
  return (
    <>
      {can('payments.create') && (
        <Group justify="flex-end" mb="sm">
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setRecording(true)}>
            {t('payments.record.action')}
          </Button>
        </Group>
      )}
      <PaymentsTable list={list} items={list.items} onOpen={setOpenId} withSubscriber={false} />
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {recording && <RecordPaymentModal subscriberId={subscriberId} onClose={() => setRecording(false)} />}
      <PaymentDrawer id={openId} onClose={() => setOpenId(null)} />
    </>
  );
}
