import { Alert, Button, Checkbox, Group, List, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useSubscriberOptions } from './options.ts';

export type BulkActionName = Schemas['SubscriberBulkActionInput']['action'];
type Result = Schemas['SubscriberBulkResult'];

/** One action on the selected subscribers, all or none: when any cannot take it, the list says why and nothing changes. */
export function BulkModal({ action, ids, onClose, onApplied }: { action: BulkActionName; ids: string[]; onClose: () => void; onApplied: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const options = useSubscriberOptions();
  const [reason, setReason] = useState('');
  const [suspendOn, setSuspendOn] = useState('');
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [renumber, setRenumber] = useState(false);
  const [assignedUserId, setAssignedUserId] = useState<string | null>(null);
  const [refused, setRefused] = useState<Result | null>(null);
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/subscribers/bulk', {
          body: {
            action,
            ids,
            reason,
            renumber,
            dryRun: false,
            ...(action === 'suspend' && suspendOn ? { suspendOn } : {}),
            ...(action === 'move' && organizationId ? { organizationId } : {}),
            ...(action === 'assign' ? { assignedUserId } : {}),
          },
        }),
      ),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['subscribers'] });
      if (!result.applied) return setRefused(result);
      notify.success(t('subscribers.bulk.done', { count: result.total }));
      onApplied();
      onClose();
    },
  });
  const needsReason = action === 'suspend' || action === 'archive';
  return (
    <Modal opened onClose={onClose} title={t(`subscribers.bulk.action.${action}`)} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setRefused(null);
          run.mutate();
        }}
      >
        <Stack>
          <Text size="sm">{t('subscribers.bulk.selected', { count: ids.length })}</Text>
          <FormError error={run.error} />
          {refused && (
            <Alert color="red" title={t('subscribers.bulk.refused', { count: refused.failed })}>
              <List size="sm">
                {refused.results
                  .filter((r) => !r.ok)
                  .map((r) => (
                    <List.Item key={r.id}>
                      <span dir="ltr">{r.accountNumber}</span>: {r.error}
                    </List.Item>
                  ))}
              </List>
            </Alert>
          )}
          {needsReason && <TextInput label={t('subscribers.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={fieldError(run.error, 'reason')} required />}
          {action === 'suspend' && <TextInput type="date" label={t('subscribers.bulk.suspendOn')} description={t('subscribers.bulk.suspendOnHelp')} value={suspendOn} onChange={(e) => setSuspendOn(e.currentTarget.value)} />}
          {action === 'move' && (
            <>
              <Select label={t('subscribers.form.organization')} data={options.organizationOptions} value={organizationId} onChange={setOrganizationId} error={fieldError(run.error, 'organizationId')} searchable required />
              <Checkbox label={t('subscribers.bulk.renumber')} checked={renumber} onChange={(e) => setRenumber(e.currentTarget.checked)} />
            </>
          )}
          {action === 'assign' && <Select label={t('subscribers.form.assignedTo')} placeholder={t('subscribers.nobody')} data={options.staffOptions} value={assignedUserId} onChange={setAssignedUserId} searchable clearable />}
          {action === 'delete' && <Text size="sm">{t('subscribers.bulk.deleteHelp')}</Text>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" color={action === 'delete' ? 'red' : undefined} loading={run.isPending}>
              {t(`subscribers.bulk.action.${action}`)}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
