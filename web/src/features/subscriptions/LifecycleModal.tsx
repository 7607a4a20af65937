import '@mantine/dates/styles.css';
import { Button, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { DatePickerInput, DatesProvider } from '@mantine/dates';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useDatesLocale } from '../../lib/dates-locale.ts';
import { useMe } from '../auth/session.ts';
import { instantIn, suspendReasons, terminateReasons, type StatusReason, type Subscription } from './model.ts';

type Action = 'suspend' | 'resume' | 'terminate';

/** Suspend (with a reason, maybe a vacation hold that ends by itself), resume or terminate: now or from a day. */
export function LifecycleModal({ action, subscription: s, onClose, onDone }: { action: Action; subscription: Subscription; onClose: () => void; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const me = useMe();
  const notify = useNotify();
  const datesLocale = useDatesLocale();
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [day, setDay] = useState<string | null>(null);
  const [reason, setReason] = useState<StatusReason>('request');
  const [resumeDay, setResumeDay] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const instant = (d: string | null) => (d ? instantIn(d, me.organization.timezone) : undefined);
  const at = when === 'later' ? instant(day) : undefined;
  const run = useMutation({
    mutationFn: () => {
      const params = { path: { id: s.id } };
      if (action === 'suspend') return unwrap(api.POST('/api/subscriptions/{id}/suspend', { params, body: { reason, note, at, resumeAt: instant(resumeDay) } }));
      if (action === 'resume') return unwrap(api.POST('/api/subscriptions/{id}/resume', { params, body: { note, at } }));
      return unwrap(api.POST('/api/subscriptions/{id}/terminate', { params, body: { reason, note, at } }));
    },
    onSuccess: async (after) => {
      notify.success(t(at ? 'subscriptions.scheduledDone' : 'subscriptions.changed', { plan: after.plan.name, status: t(`subscriptions.status.${after.status}`) }));
      await onDone();
      onClose();
    },
  });
  const reasons = action === 'suspend' ? suspendReasons : terminateReasons;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Modal opened onClose={onClose} title={t(`subscriptions.${action}Title`, { plan: s.plan.name })}>
      <DatesProvider settings={{ locale: datesLocale }}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run.mutate();
          }}
        >
          <Stack>
            <FormError error={run.error} />
            <SegmentedControl
              value={when}
              onChange={(v) => setWhen(v as 'now' | 'later')}
              data={[
                { value: 'now', label: t('subscriptions.when.now') },
                { value: 'later', label: t('subscriptions.when.later') },
              ]}
            />
            {when === 'later' && <DatePickerInput label={t('subscriptions.onDay')} value={day} onChange={setDay} minDate={today} error={fieldError(run.error, 'at')} required />}
            {action !== 'resume' && (
              <Select
                label={t('subscriptions.reasonLabel')}
                data={reasons.map((r) => ({ value: r, label: t(`subscriptions.reason.${r}`) }))}
                value={reason}
                onChange={(v) => setReason((v ?? 'request') as StatusReason)}
                error={fieldError(run.error, 'reason')}
                allowDeselect={false}
              />
            )}
            {action === 'suspend' && (
              <DatePickerInput
                label={t('subscriptions.resumeOn')}
                description={t('subscriptions.resumeOnHelp')}
                value={resumeDay}
                onChange={setResumeDay}
                minDate={day ?? today}
                error={fieldError(run.error, 'resumeAt')}
                required={reason === 'vacation'}
                clearable
              />
            )}
            <TextInput label={t('subscriptions.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={fieldError(run.error, 'note')} />
            {action === 'terminate' && <Text size="sm" c="red">{t('subscriptions.terminateWarning')}</Text>}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" color={action === 'resume' ? undefined : 'red'} loading={run.isPending} disabled={when === 'later' && !day}>
                {t(`subscriptions.action.${action}`)}
              </Button>
            </Group>
          </Stack>
        </form>
      </DatesProvider>
    </Modal>
  );
}
