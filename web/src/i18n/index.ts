/** i18next with zh-CN as the default and English; the choice is kept in localStorage. */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { zhCN } from './zh-CN.js';

export const LANG_KEY = 'tenure.lang';
export const LANGS = ['zh-CN', 'en'] as const;

function storedLang(): string {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return v === 'en' || v === 'zh-CN' ? v : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: storedLang(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  try {
    localStorage.setItem(LANG_KEY, lng);
  } catch {
    // private mode: the choice lasts for this page only
  }
});
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language;

export default i18n;
