// i18next with the two bundled languages. All visible text lives in
// locales/{en,zh-CN}.json; scripts/check_locales.mjs fails the build's test
// when a key is missing in either file or used in code but defined nowhere.
import i18next from 'i18next';
import en from './locales/en.json';
import zhCN from './locales/zh-CN.json';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
const LANG_KEY = 'medai.lang';

export async function initI18n(): Promise<void> {
  const saved = localStorage.getItem(LANG_KEY);
  const browser = navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  await i18next.init({
    lng: saved === 'en' || saved === 'zh-CN' ? saved : browser,
    fallbackLng: false,
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },  // we set textContent, never innerHTML with data
    returnNull: false,
  });
  document.documentElement.lang = i18next.language;
}

export async function setLanguage(code: string): Promise<void> {
  localStorage.setItem(LANG_KEY, code);
  await i18next.changeLanguage(code);
  document.documentElement.lang = code;
}

export const t = (key: string, options?: Record<string, unknown>): string => i18next.t(key, options) as string;
export const language = (): string => i18next.language;

// Locale-aware formatting for both languages.
export function formatNumber(value: number, digits = 1): string {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(value);
}
// DICOM DA "YYYYMMDD" → a localised date; "" stays "".
export function formatDicomDate(da: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da);
  if (!m) return da;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
// DICOM PN "Family^Given^Middle^Prefix^Suffix": Western order in English,
// family name first (no separator for CJK ideographic names) in Chinese.
export function formatPersonName(pn: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = pn.split('^');
  if (language() === 'zh-CN') {
    const cjk = /[\u3400-\u9fff]/.test(family + given);
    return [family, given].filter(Boolean).join(cjk ? '' : ' ');
  }
  return [prefix, given, middle, family, suffix].filter(Boolean).join(' ');
}
