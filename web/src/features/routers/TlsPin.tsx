import { Button, Card, Code, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useCan } from '../auth/session.ts';

/*
 * The certificate Uplink accepts on the router's API-SSL/HTTPS: routers mostly present self-signed
 * certificates, so trust is a SHA-256 fingerprint pinned here. After a failed connection test the
 * router's status names the fingerprint it presented, which staff may trust after checking it on
 * the router (/certificate print detail).
 */
export function TlsPin({ id, status }: { id: string; status: Schemas['RouterStatus'] }) {
  const { t } = useTranslation();
  const can = useCan();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [fingerprint, setFingerprint] = useState('');
  const pin = useMutation({
    mutationFn: (value: string | null) => unwrap(api.PUT('/api/nas/{id}/router/tls-pin', { params: { path: { id } }, body: { fingerprint: value } })),
    onSuccess: async (r) => {
      notify.success(r.fingerprint ? t('routers.tls.pinned') : t('routers.tls.unpinned'));
      setFingerprint('');
      await queryClient.invalidateQueries({ queryKey: ['router', id, 'status'] });
    },
  });
  const presented = status.presentedFingerprint;
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Text fw={600}>{t('routers.tls.title')}</Text>
        {!status.tls && (
          <Text size="sm" c="dimmed">
            {t('routers.tls.notUsed')}
          </Text>
        )}
        <div>
          <Text size="xs" c="dimmed">
            {t('routers.tls.current')}
          </Text>
          {status.pinnedFingerprint ? (
            <Code data-testid="pinned-fingerprint" style={{ wordBreak: 'break-all' }}>
              {status.pinnedFingerprint}
            </Code>
          ) : (
            <Text data-testid="pinned-fingerprint">{t('routers.tls.none')}</Text>
          )}
        </div>
        <FormError error={pin.error} />
        {can('nas.update') && (
          <>
            {presented && presented !== status.pinnedFingerprint && (
              <Group>
                <Text size="sm">{t('routers.tls.presented')}</Text>
                <Code style={{ wordBreak: 'break-all' }}>{presented}</Code>
                <Button size="xs" color="orange" loading={pin.isPending && pin.variables === presented} onClick={() => pin.mutate(presented)}>
                  {t('routers.tls.trustPresented')}
                </Button>
              </Group>
            )}
            <form
              onSubmit={(e) => {
                e.preventDefault();
                pin.mutate(fingerprint.trim());
              }}
            >
              <Group align="flex-end">
                <TextInput
                  label={t('routers.tls.fingerprint')}
                  description={t('routers.tls.fingerprintHelp')}
                  value={fingerprint}
                  onChange={(e) => setFingerprint(e.currentTarget.value)}
                  error={fieldError(pin.error, 'fingerprint')}
                  dir="ltr"
                  style={{ flex: 1, minWidth: 220 }}
                />
                <Button type="submit" disabled={!fingerprint.trim()} loading={pin.isPending && pin.variables === fingerprint.trim()}>
                  {t('routers.tls.pin')}
                </Button>
                {status.pinnedFingerprint && (
                  <Button variant="light" color="red" loading={pin.isPending && pin.variables === null} onClick={() => pin.mutate(null)}>
                    {t('routers.tls.unpin')}
                  </Button>
                )}
              </Group>
            </form>
          </>
        )}
      </Stack>
    </Card>
  );
}
