import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import enCommon from './locales/en/common.json';
import deCommon from './locales/de/common.json';
import enDesktop from './locales/en/desktop.json';
import deDesktop from './locales/de/desktop.json';

export const languages = ['en', 'de'] as const;
export type Language = (typeof languages)[number];

/** `auto` picks the first of the system's languages we have; English otherwise. */
export function resolveLanguage(choice: 'auto' | Language, preferred: readonly string[]): Language {
  if (choice !== 'auto') return choice;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0] as Language;
    if (languages.includes(base)) return base;
  }
  return 'en';
}

// Namespaces by owner: `common` the call and supervision views, `desktop` the all-day features
// (tray, notifications, updates, headset, diagnostics).
void i18next.use(initReactI18next).init({
  resources: { en: { common: enCommon, desktop: enDesktop }, de: { common: deCommon, desktop: deDesktop } },
  lng: resolveLanguage('auto', typeof navigator === 'undefined' ? [] : navigator.languages),
  fallbackLng: 'en',
  ns: ['common', 'desktop'],
  defaultNS: 'common',
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

export function setLanguage(choice: 'auto' | Language): void {
  const lng = resolveLanguage(choice, typeof navigator === 'undefined' ? [] : navigator.languages);
  if (i18next.language !== lng) void i18next.changeLanguage(lng);
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}

export const i18n = i18next;
export const t = i18next.t.bind(i18next);
