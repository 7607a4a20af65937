import { Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ConfirmModal, FormError, useNotify } from '../../components/feedback.tsx';
import { fieldError } from '../../components/forms.ts';
import { useCan } from '../auth/session.ts';
import { network } from './http.ts';
import type { IpPoolDetail } from './model.ts';

/* Editing a pool (name, description, the NAS it is tied to) and deleting it, from its page. */

function PoolEditForm({ pool, onClose }: { pool: IpPoolDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [name, setName] = useState(pool.name);
  const [description, setDescription] = useState(pool.description);
  const [nasId, setNasId] = useState<string | null>(pool.nasId);
  const nas = useQuery({ queryKey: ['nas', 'list', 'pool-edit'], queryFn: () => network.listNas({ limit: 100 }) });
  const options = (nas.data?.items ?? []).map((n) => ({ value: n.id, label: `${n.name} (${n.address})` }));
  if (pool.nasId && !options.some((o) => o.value === pool.nasId)) options.push({ value: pool.nasId, label: pool.nasName ?? pool.nasId });
  const save = useMutation({
    mutationFn: () => network.updatePool(pool.id, { name: name.trim(), description, nasId }),
    onSuccess: async (saved) => {
      notify.success(t('network.pools.saved', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: ['ip-pools'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('network.pools.editTitle', { name: pool.name })}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <FormError error={save.error} />
          <TextInput label={t('network.pools.name')} description={t('network.pools.nameHelp')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} required dir="ltr" data-autofocus />
          <Select label={t('network.pools.nas')} description={t('network.pools.nasHelp')} placeholder={t('network.pools.noNas')} data={options} value={nasId} onChange={setNasId} clearable searchable error={fieldError(save.error, 'nasId')} />
          <Textarea label={t('network.pools.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fieldError(save.error, 'description')} autosize minRows={2} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Edit and Delete buttons for the pool page header; each shown only to those who may. */
export function PoolActions({ pool }: { pool: IpPoolDetail }) {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const used = Number(pool.utilization.used);
  return (
    <Group gap="xs">
      {can('ipam.update') && (
        <Button variant="default" onClick={() => setEditing(true)}>
          {t('common.edit')}
        </Button>
      )}
      {can('ipam.delete') && (
        <Button variant="light" color="red" onClick={() => setDeleting(true)}>
          {t('network.pools.delete')}
        </Button>
      )}
      {editing && <PoolEditForm pool={pool} onClose={() => setEditing(false)} />}
      <ConfirmModal
        opened={deleting}
        title={t('network.pools.deleteTitle', { name: pool.name })}
        message={used > 0 ? t('network.pools.deleteInUse', { used }) : t('network.pools.deleteMessage')}
        confirmLabel={t('network.pools.delete')}
        onConfirm={async () => {
          await network.deletePool(pool.id);
          // Leave the page before its query could ask for the pool again (a 404 now).
          navigate('/ip-pools');
          queryClient.removeQueries({ queryKey: ['ip-pools', 'detail', pool.id] });
          await queryClient.invalidateQueries({ queryKey: ['ip-pools', 'list'] });
        }}
        onClose={() => setDeleting(false)}
      />
    </Group>
  );
}
