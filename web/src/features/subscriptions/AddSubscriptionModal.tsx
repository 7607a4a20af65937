import '@mantine/dates/styles.css';
import { Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider } from '@mantine/dates';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { CopyField, FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError, useIdempotencyKey } from '../../components/forms.ts';
import { useDatesLocale } from '../../lib/dates-locale.ts';
import { useMe } from '../auth/session.ts';
import { instantIn } from './model.ts';

type Created = Schemas['CreatedSubscription'];

/** Active plans of the user's catalog, for the plan pickers. */
export function usePlanOptions() {
  const plans = useQuery({ queryKey: ['plans', 'options'], queryFn: () => unwrap(api.GET('/api/plans', { params: { query: { status: 'active', sort: 'name', limit: 200 } } })) });
  const items = plans.data?.items ?? [];
  return { plans: items, options: items.filter((p) => p.kind === 'plan' || p.kind === 'bundle' || p.kind === 'addon').map((p) => ({ value: p.id, label: `${p.name} (${p.code})` })) };
}

const withLogin = new Set(['pppoe', 'hotspot']);

/** Sells a plan to the subscriber: currency, start, login, device binding and addresses. The password is shown once. */
export function AddSubscriptionModal({ subscriberId, onClose, onSaved }: { subscriberId: string; onClose: () => void; onSaved: () => Promise<void> }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const phone = useMediaQuery('(max-width: 48em)');
  const datesLocale = useDatesLocale();
  const [idempotencyKey, renewKey] = useIdempotencyKey();
  const { plans, options } = usePlanOptions();
  const subscriber = useQuery({ queryKey: ['subscribers', 'detail', subscriberId], queryFn: () => unwrap(api.GET('/api/subscribers/{id}', { params: { path: { id: subscriberId } } })) });
  const [planId, setPlanId] = useState<string | null>(null);
  const [currency, setCurrency] = useState<string | null>(null);
  const [quantity, setQuantity] = useState<number | ''>(1);
  const [startDay, setStartDay] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [macAddress, setMacAddress] = useState('');
  const [staticIpv4, setStaticIpv4] = useState('');
  const [staticIpv6Prefix, setStaticIpv6Prefix] = useState('');
  const [installationAddressId, setInstallationAddressId] = useState<string | null>(null);
  const [couponCode, setCouponCode] = useState('');
  const [autoRenew, setAutoRenew] = useState(true);
  const [created, setCreated] = useState<Created | null>(null);
  const plan = plans.find((p) => p.id === planId);
  const currencies = plan?.currentVersion.prices.map((p) => p.currency) ?? [];
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/subscriptions', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: {
            subscriberId,
            planId: planId ?? '',
            currency: currency ?? undefined,
            quantity: quantity === '' ? 1 : quantity,
            startsAt: startDay ? instantIn(startDay, me.organization.timezone) : undefined,
            username: username.trim() || undefined,
            password: password || undefined,
            macAddress: macAddress.trim() || undefined,
            staticIpv4: staticIpv4.trim() || undefined,
            staticIpv6Prefix: staticIpv6Prefix.trim() || undefined,
            installationAddressId: installationAddressId ?? undefined,
            couponCode: couponCode.trim() || undefined,
            simultaneousUse: 1,
            autoRenew,
          },
        }),
      ),
    onSettled: renewKey,
    onSuccess: async (s) => {
      notify.success(t('subscriptions.created', { plan: s.plan.name, status: t(`subscriptions.status.${s.status}`) }));
      await onSaved();
      if (s.password && s.username) setCreated(s);
      else onClose();
    },
  });
  if (created)
    return (
      <Modal opened onClose={onClose} title={t('subscriptions.loginTitle')}>
        <Stack>
          <Text size="sm">{t('subscriptions.loginOnce')}</Text>
          <CopyField label={t('subscriptions.username')} value={created.username!} />
          <CopyField label={t('subscriptions.password')} value={created.password!} />
          <Button onClick={onClose} style={{ alignSelf: 'flex-end' }}>
            {t('common.done')}
          </Button>
        </Stack>
      </Modal>
    );
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return (
    <Modal opened onClose={onClose} title={t('subscriptions.add')} size="xl" fullScreen={phone}>
      <DatesProvider settings={{ locale: datesLocale }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Stack>
            <FormError error={save.error} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label={t('subscriptions.plan')}
                data={options}
                value={planId}
                onChange={(v) => {
                  setPlanId(v);
                  setCurrency(null);
                }}
                error={fieldError(save.error, 'planId')}
                searchable
                required
                data-autofocus
              />
              <Select label={t('subscriptions.currency')} placeholder={me.organization.currency} data={currencies} value={currency} onChange={setCurrency} error={fieldError(save.error, 'currency')} clearable />
              <NumberInput label={t('subscriptions.quantity')} value={quantity} onChange={(v) => setQuantity(typeof v === 'number' ? v : '')} min={1} allowDecimal={false} error={fieldError(save.error, 'quantity')} />
              <DatePickerInput label={t('subscriptions.startOn')} placeholder={t('subscriptions.startNow')} value={startDay} onChange={setStartDay} minDate={tomorrow} clearable error={fieldError(save.error, 'startsAt')} />
              {plan && withLogin.has(plan.serviceType) && (
                <>
                  <TextInput label={t('subscriptions.username')} value={username} onChange={(e) => setUsername(e.currentTarget.value)} error={fieldError(save.error, 'username')} autoComplete="off" dir="ltr" />
                  <TextInput label={t('subscriptions.password')} description={t('subscriptions.passwordHint')} value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError(save.error, 'password')} autoComplete="new-password" dir="ltr" />
                </>
              )}
              <TextInput label={t('subscriptions.macAddress')} placeholder="AA:BB:CC:DD:EE:FF" value={macAddress} onChange={(e) => setMacAddress(e.currentTarget.value)} error={fieldError(save.error, 'macAddress')} dir="ltr" />
              <TextInput label={t('subscriptions.staticIpv4')} placeholder="203.0.113.10" value={staticIpv4} onChange={(e) => setStaticIpv4(e.currentTarget.value)} error={fieldError(save.error, 'staticIpv4')} dir="ltr" />
              <TextInput label={t('subscriptions.staticIpv6Prefix')} placeholder="2001:db8:100::/56" value={staticIpv6Prefix} onChange={(e) => setStaticIpv6Prefix(e.currentTarget.value)} error={fieldError(save.error, 'staticIpv6Prefix')} dir="ltr" />
              <Select
                label={t('subscriptions.installationAddress')}
                data={(subscriber.data?.addresses ?? []).map((a) => ({ value: a.id, label: [a.line1, a.city].filter(Boolean).join(', ') }))}
                value={installationAddressId}
                onChange={setInstallationAddressId}
                error={fieldError(save.error, 'installationAddressId')}
                clearable
              />
              <TextInput label={t('subscriptions.couponCode')} value={couponCode} onChange={(e) => setCouponCode(e.currentTarget.value)} error={fieldError(save.error, 'couponCode')} dir="ltr" />
            </SimpleGrid>
            <Switch label={t('subscriptions.autoRenew')} description={t('subscriptions.autoRenewHelp')} checked={autoRenew} onChange={(e) => setAutoRenew(e.currentTarget.checked)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={save.isPending}>
                {t('common.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      </DatesProvider>
    </Modal>
  );
}
