import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { SubscriberPicker } from '../invoices/SubscriberPicker.tsx';

/** Staff at the counter redeem a card a subscriber brings: its value into the wallet, its plan started. */
export function RedeemForSubscriberModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [subscriberId, setSubscriberId] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [done, setDone] = useState<Schemas['CardRedemption'] | null>(null);
  const redeem = useMutation({
    mutationFn: () => unwrap(api.POST('/api/subscribers/{id}/cards/redeem', { params: { path: { id: subscriberId ?? '' } }, body: { pin } })),
    onSuccess: (r) => {
      setDone(r);
      setPin('');
      return queryClient.invalidateQueries({ queryKey: ['cards'] });
    },
  });
  const close = () => {
    setDone(null);
    redeem.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={t('cards.redeem.title')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          redeem.mutate();
        }}
      >
        <Stack>
          {done && (
            <Alert color="teal" role="status">
              <Text>{t('cards.redeem.done', { amount: `${done.amount} ${done.currency}`, serial: done.serial, balance: `${done.wallet.balance} ${done.currency}` })}</Text>
            </Alert>
          )}
          <FormError error={redeem.error} />
          <SubscriberPicker value={subscriberId} onChange={setSubscriberId} />
          <TextInput label={t('portalCards.pin')} placeholder="XXXX-XXXX-XXXX" autoComplete="off" value={pin} onChange={(e) => setPin(e.currentTarget.value)} error={fieldError(redeem.error, 'pin', 'body.pin')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={redeem.isPending} disabled={!subscriberId || !pin.trim()}>
              {t('portalCards.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
