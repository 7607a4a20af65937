import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** dayjs month and weekday names for the date pickers, loaded with the language. */
const dayjsLocales: Record<string, () => Promise<unknown>> = {
  bn: () => import('dayjs/locale/bn'),
  sw: () => import('dayjs/locale/sw'),
  fr: () => import('dayjs/locale/fr'),
  ar: () => import('dayjs/locale/ar'),
};

/** The dayjs locale to hand to Mantine's DatesProvider once it is loaded ('en' until then). */
export function useDatesLocale(): string {
  const { i18n } = useTranslation();
  const [ready, setReady] = useState('en');
  useEffect(() => {
    const load = dayjsLocales[i18n.language];
    if (!load) return setReady('en');
    let live = true;
    void load().then(() => live && setReady(i18n.language));
    return () => {
      live = false;
    };
  }, [i18n.language]);
  return ready;
}
