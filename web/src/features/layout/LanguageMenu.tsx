import { ActionIcon, Menu, Tooltip } from '@mantine/core';
import { IconCheck, IconLanguage } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useContext } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.ts';
import { useNotify } from '../../components/feedback.tsx';
import { setLanguage } from '../../i18n/index.ts';
import { languages, type LanguageCode } from '../../i18n/languages.ts';
import { applyMe, MeContext } from '../auth/session.ts';

/** Picks the interface language; a signed-in user's choice is saved to the profile. */
export function LanguageMenu() {
  const { t, i18n } = useTranslation();
  const me = useContext(MeContext);
  const queryClient = useQueryClient();
  const notify = useNotify();

  const choose = async (code: LanguageCode) => {
    await setLanguage(code);
    if (!me) return;
    try {
      applyMe(queryClient, await unwrap(api.PATCH('/api/auth/me', { body: { locale: code } })));
    } catch (err) {
      notify.failure(err);
    }
  };

  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Tooltip label={t('layout.language')}>
          <ActionIcon variant="subtle" color="gray" size="lg" aria-label={t('layout.language')}>
            <IconLanguage size={20} />
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        {languages.map((l) => (
          <Menu.Item
            key={l.code}
            lang={l.code}
            onClick={() => void choose(l.code)}
            rightSection={i18n.language === l.code ? <IconCheck size={14} /> : null}
          >
            {l.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
