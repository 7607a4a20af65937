import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../locales/en.json';
import { directionOf, isLanguage, languages, type LanguageCode } from './languages.ts';

const storageKey = 'uplink.locale';

/** English ships in the main bundle; the others load on first use. */
const loaders: Record<Exclude<LanguageCode, 'en'>, () => Promise<{ default: Record<string, unknown> }>> = {
  bn: () => import('../locales/bn.json'),
  sw: () => import('../locales/sw.json'),
  fr: () => import('../locales/fr.json'),
  ar: () => import('../locales/ar.json'),
};

function storedLanguage(): LanguageCode {
  const saved = localStorage.getItem(storageKey);
  if (isLanguage(saved)) return saved;
  const browser = navigator.languages.map((l) => l.split('-')[0]).find(isLanguage);
  return browser ?? 'en';
}

async function loadLanguage(code: LanguageCode): Promise<void> {
  if (code === 'en' || i18n.hasResourceBundle(code, 'translation')) return;
  i18n.addResourceBundle(code, 'translation', (await loaders[code]()).default);
}

function applyDocumentLanguage(code: LanguageCode): void {
  document.documentElement.lang = code;
  document.documentElement.dir = directionOf(code);
}

/** Switches the interface language and remembers it in this browser. */
export async function setLanguage(code: LanguageCode): Promise<void> {
  await loadLanguage(code);
  await i18n.changeLanguage(code);
  localStorage.setItem(storageKey, code);
  applyDocumentLanguage(code);
}

export async function initI18n(): Promise<void> {
  const code = storedLanguage();
  await i18n.use(initReactI18next).init({
    resources: { en: { translation: en } },
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: languages.map((l) => l.code),
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  await setLanguage(code);
}

export { i18n };
