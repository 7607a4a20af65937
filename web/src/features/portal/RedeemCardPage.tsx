import { Alert, Button, Card, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';

/** Redeem a recharge card: the PIN typed (or brought by the card's QR code), the receipt shown. */
export default function RedeemCardPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const [pin, setPin] = useState(params.get('pin') ?? '');
  const [receipt, setReceipt] = useState<Schemas['CardRedemption'] | null>(null);
  const queryClient = useQueryClient();
  const redeem = useMutation({
    mutationFn: (value: string) => unwrap(api.POST('/api/portal/cards/redeem', { body: { pin: value } })),
    onSuccess: (r) => {
      setReceipt(r);
      setPin('');
      return queryClient.invalidateQueries({ queryKey: ['portal'] });
    },
  });
  return (
    <Stack>
      <Title order={2}>{t('portalCards.title')}</Title>
      {receipt && (
        <Alert color="teal" icon={<IconCircleCheck size={20} />} title={t('portalCards.done')} role="status">
          <Stack gap={2}>
            <Text>{t('portalCards.credited', { amount: `${receipt.amount} ${receipt.currency}` })}</Text>
            {receipt.plan && <Text>{t('portalCards.plan', { plan: receipt.plan.name })}</Text>}
            <Text>{t('portalCards.balance', { amount: `${receipt.wallet.balance} ${receipt.currency}` })}</Text>
            <Text size="sm" c="dimmed">
              {t('portalCards.receipt', { number: receipt.receiptNo, serial: receipt.serial })}
            </Text>
          </Stack>
        </Alert>
      )}
      <Card withBorder>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            redeem.mutate(pin);
          }}
        >
          <Stack>
            <Text size="sm" c="dimmed">
              {t('portalCards.hint')}
            </Text>
            <FormError error={redeem.error} />
            <TextInput
              label={t('portalCards.pin')}
              placeholder="XXXX-XXXX-XXXX"
              autoComplete="off"
              autoCapitalize="characters"
              value={pin}
              onChange={(e) => setPin(e.currentTarget.value)}
              error={fieldError(redeem.error, 'pin', 'body.pin')}
              styles={{ input: { letterSpacing: '0.1em', fontFamily: 'monospace' } }}
            />
            <Button type="submit" loading={redeem.isPending} disabled={!pin.trim()}>
              {t('portalCards.submit')}
            </Button>
          </Stack>
        </form>
      </Card>
      <Button component={Link} to="/portal/wallet" variant="subtle">
        {t('portalCards.toWallet')}
      </Button>
    </Stack>
  );
}
