import { useContext } from 'react';
import { useTranslation } from 'react-i18next';
import { MeContext } from '../features/auth/session.ts';
import { currencyName, formatDate, formatDateTime, formatNumber, type DateInput } from './format.ts';

/** Formatters bound to the interface language and the active organization's time zone. */
export function useFormat() {
  const { i18n } = useTranslation();
  const me = useContext(MeContext);
  const locale = i18n.language;
  const timeZone = me?.organization.timezone;
  return {
    date: (v: DateInput) => formatDate(v, locale, timeZone),
    dateTime: (v: DateInput) => formatDateTime(v, locale, timeZone),
    number: (v: number | bigint) => formatNumber(v, locale),
    currencyName: (currency: string) => currencyName(currency, locale),
  };
}
