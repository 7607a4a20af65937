import { Code, Drawer, SimpleGrid, Stack, Text, Title, useDirection } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client.ts';
import { useFormat } from '../../lib/use-format.ts';

type AuditEntry = Schemas['AuditEntry'];

function Json({ value }: { value: unknown }) {
  const { t } = useTranslation();
  if (value === null || value === undefined)
    return (
      <Text c="dimmed" size="sm">
        {t('audit.none')}
      </Text>
    );
  return (
    <Code block dir="ltr" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {JSON.stringify(value, null, 2)}
    </Code>
  );
}

function Field({ label, value }: { label: string; value: string | null }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-all' }}>
        {value ?? '—'}
      </Text>
    </div>
  );
}

/** One audit entry: who did what to which object, with the object before and after. */
export function AuditDrawer({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { dir } = useDirection();
  return (
    <Drawer
      opened={!!entry}
      onClose={onClose}
      title={t('audit.entryTitle', { seq: entry?.seq ?? '' })}
      position={dir === 'rtl' ? 'left' : 'right'}
      size="lg"
    >
      {entry && (
        <Stack>
          <SimpleGrid cols={2}>
            <Field label={t('audit.time')} value={format.dateTime(entry.at)} />
            <Field label={t('audit.action')} value={entry.action} />
            <Field label={t('audit.actor')} value={`${entry.actorLabel ?? entry.actorId ?? '—'} (${t(`audit.actorType.${entry.actorType}`)})`} />
            <Field label={t('audit.object')} value={[entry.objectType, entry.objectId].filter(Boolean).join(' ') || null} />
            <Field label={t('audit.ip')} value={entry.ip} />
            <Field label={t('audit.requestId')} value={entry.requestId} />
          </SimpleGrid>
          <Field label={t('audit.hash')} value={entry.hash} />
          <Title order={5}>{t('audit.before')}</Title>
          <Json value={entry.before} />
          <Title order={5}>{t('audit.after')}</Title>
          <Json value={entry.after} />
        </Stack>
      )}
    </Drawer>
  );
}
