// Fails (exit 1) when the two translation files differ in their keys, when
// a value is empty, or when code uses t('key') with a key defined nowhere.
// Run by `npm run build` (prebuild) and by tests/browser/portal_test.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flatten = (obj, prefix = '', out = new Map()) => {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
};
const load = lang => flatten(JSON.parse(fs.readFileSync(path.join(web, 'src', 'locales', `${lang}.json`), 'utf8')));
const langs = { en: load('en'), 'zh-CN': load('zh-CN') };
const problems = [];
for (const [a, b] of [['en', 'zh-CN'], ['zh-CN', 'en']])
  for (const key of langs[a].keys()) if (!langs[b].has(key)) problems.push(`${key}: in ${a}, missing in ${b}`);
for (const [lang, keys] of Object.entries(langs))
  for (const [key, value] of keys) if (typeof value !== 'string' || value.trim() === '') problems.push(`${key}: empty in ${lang}`);

const walk = dir => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : /\.ts$/.test(e.name) ? [path.join(dir, e.name)] : []);
let used = 0;
for (const file of walk(path.join(web, 'src'))) {
  const text = fs.readFileSync(file, 'utf8');
  // t('a.b') and key lists like ['worklist.patient_name', ...] passed to t().
  for (const m of text.matchAll(/\bt\(\s*'([a-z0-9_.]+)'/g)) {
    used++;
    if (!langs.en.has(m[1])) problems.push(`${path.relative(web, file)}: t('${m[1]}') is not in the locale files`);
  }
  for (const m of text.matchAll(/'((?:worklist|apps|admin|login|viewer|research)\.[a-z0-9_.]+)'/g))
    if (!langs.en.has(m[1]) && !/\.$/.test(m[1])) problems.push(`${path.relative(web, file)}: '${m[1]}' is not in the locale files`);
}
if (problems.length) {
  console.error(`locale check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`locales ok: ${langs.en.size} keys in en and zh-CN, ${used} t() calls checked`);
