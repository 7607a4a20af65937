import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { CopyField, FormError } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import type { Subscription } from './model.ts';

/** Reads the login's clear password; the server records who read it, and why, in the history and audit log. */
export function CredentialsModal({ subscription: s, onClose }: { subscription: Subscription; onClose: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const reveal = useMutation({ mutationFn: () => unwrap(api.POST('/api/subscriptions/{id}/credentials', { params: { path: { id: s.id } }, body: { reason } })) });
  return (
    <Modal opened onClose={onClose} title={t('subscriptions.credentialsTitle', { plan: s.plan.name })}>
      {reveal.data ? (
        <Stack>
          <CopyField label={t('subscriptions.username')} value={reveal.data.username} />
          <CopyField label={t('subscriptions.password')} value={reveal.data.password} />
          <Button onClick={onClose} style={{ alignSelf: 'flex-end' }}>
            {t('common.done')}
          </Button>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            reveal.mutate();
          }}
        >
          <Stack>
            <Text size="sm">{t('subscriptions.revealHelp')}</Text>
            <FormError error={reveal.error} />
            <TextInput label={t('subscriptions.revealReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(reveal.error, 'reason')} data-autofocus />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={reveal.isPending}>
                {t('subscriptions.reveal')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
