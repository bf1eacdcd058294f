// Shared set-up of the browser tests (portal, research and admin pages):
// paths and flags, the skip rules (exit 77 with the reason), the locale check,
// a temporary folder removed at the end, failure reporting with the page's
// console errors and the server log's tail, and a real `medai serve` on port 0.
//
//   const t = await setUp('medai-admin-', { extraSkips: [['/usr/bin/Rscript', 'no Rscript: …']] });
//   const server = await t.startMedai({ MEDAI_JOBS_SERIES_STABLE_SECONDS: '1' });
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SKIP = 77;
export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const chromiumPath = process.env.MEDAI_CHROMIUM || '/usr/bin/chromium';
export const webDist = path.resolve(process.env.MEDAI_WEB_ROOT || path.join(repo, 'web', 'dist'));

export function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
export const medaiBin = path.resolve(arg('--medai', process.env.MEDAI_BINARY || 'build/release/src/cli/medai'));
export const screenshots = process.env.MEDAI_SCREENSHOTS ? path.resolve(process.env.MEDAI_SCREENSHOTS) : null;
export const sleep = ms => new Promise(r => setTimeout(r, ms));

export function skip(reason) {
  console.log(`SKIPPED: ${reason}`);
  process.exit(SKIP);
}

// Skips unless Chromium, playwright-core, the built portal and the medai
// binary are there (plus `extraSkips`: [file, reason] pairs); fails unless
// the locale files have the same keys; then makes the temporary folder.
export async function setUp(prefix, { extraSkips = [] } = {}) {
  if (!fs.existsSync(chromiumPath)) skip(`no Chromium at ${chromiumPath} (Debian package "chromium")`);
  if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core')))
    skip(`playwright-core is not installed: run "npm ci" in ${here} (scripts/test.sh does)`);
  if (!fs.existsSync(path.join(webDist, 'index.html')))
    skip(`the portal is not built: run scripts/build-web.sh (or "npm ci && npm run build" in ${path.join(repo, 'web')})`);
  if (!fs.existsSync(medaiBin)) skip(`no medai binary at ${medaiBin} (build first)`);
  for (const [file, reason] of extraSkips) if (!fs.existsSync(file)) skip(reason);
  try {
    execFileSync(process.execPath, [path.join(repo, 'web', 'scripts', 'check_locales.mjs')], { stdio: 'pipe' });
  } catch (e) {
    console.error(`FAILED: ${e.stderr || e.stdout}`);
    process.exit(1);
  }
  const { chromium } = await import('playwright-core');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const cleanups = [];
  const t = { chromium, work, cleanups, consoleErrors: [], started: Date.now() };
  t.finish = async code => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {}
    }
    if (code !== 0 && process.env.MEDAI_KEEP_TEST_DIR) console.error(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  let failing = false;
  t.failTest = async message => {
    if (failing) return;
    failing = true;
    console.error(`FAILED: ${message}`);
    if (t.consoleErrors.length) console.error(`console errors:\n  ${t.consoleErrors.slice(-10).join('\n  ')}`);
    try {
      console.error(`medai log (tail):\n${fs.readFileSync(path.join(work, 'medai.log'), 'utf8').split('\n').slice(-15).join('\n')}`);
    } catch {}
    return t.finish(1);
  };
  // A Playwright timeout or any other throw fails the test cleanly: the
  // server is stopped and the temporary folder removed.
  process.on('uncaughtException', e => void t.failTest(`uncaught: ${e?.stack || e}`));
  process.on('unhandledRejection', e => void t.failTest(`unhandled: ${e?.stack || e}`));

  // `medai serve` on a free port with its own data folder, the portal from
  // webDist and DIMSE off; stopped at the end. Returns the data folder, the
  // port, the origin and a CLI runner (`cli(withData([...]))` for admin commands).
  t.startMedai = async (env = {}) => {
    const dataDir = path.join(work, 'var');
    const ready = path.join(work, 'ready');
    const medaiLog = fs.openSync(path.join(work, 'medai.log'), 'w');
    const medai = spawn(medaiBin, ['serve', '--port', '0', '--data-dir', dataDir, '--ready-file', ready], {
      env: { ...process.env, MEDAI_DICOM_ENABLED: 'false', MEDAI_LOG_LEVEL: 'info', MEDAI_WEB_ROOT: webDist, ...env },
      stdio: ['ignore', 'ignore', medaiLog],
    });
    cleanups.push(async () => {
      medai.kill('SIGTERM');
      await new Promise(r => (medai.exitCode !== null ? r() : medai.once('exit', r)));
    });
    for (let i = 0; i < 300 && !(fs.existsSync(ready) && fs.readFileSync(ready, 'utf8').trim()); i++) await sleep(100);
    if (!fs.existsSync(ready)) await t.failTest('medai did not start');
    const port = Number(fs.readFileSync(ready, 'utf8').trim().split(/\s+/)[0]);
    const cli = (args, opts = {}) =>
      execFileSync(medaiBin, args, { encoding: 'utf8', cwd: work, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    return { medai, dataDir, port, origin: `http://127.0.0.1:${port}`, cli, withData: args => [...args, '--data-dir', dataDir] };
  };
  return t;
}

// Page helpers: `shot(name)` writes a full-page screenshot when
// MEDAI_SCREENSHOTS is set; `checkAccessible(where)` fails the test unless
// every control in <main> has an accessible name (label, aria-label or text)
// and can take keyboard focus (no negative tabindex).
export function pageHelpers(t, page) {
  const shot = async name => {
    if (!screenshots) return;
    fs.mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, name), fullPage: true });
  };
  const unlabelled = () => page.evaluate(() => [...document.querySelectorAll('main input, main select, main textarea, main button, main a[href]')]
    .filter(el => {
      const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.textContent || '').trim();
      return !named || el.tabIndex < 0;
    }).map(el => el.outerHTML.slice(0, 80)));
  const checkAccessible = async where => {
    const bad = await unlabelled();
    if (bad.length) await t.failTest(`${where}: controls without an accessible name or focus: ${bad.join(' | ')}`);
  };
  return { shot, checkAccessible };
}

// Fails unless the page's own font stack draws real glyphs for the CJK
// characters of `text` (no tofu boxes). Each character is drawn on a canvas
// in the font <body> uses; a missing glyph is drawn as the same .notdef box
// whatever the character, so: every distinct character must give a distinct
// bitmap, and none may equal the bitmap of a Private Use Area character
// (U+E000, which no font here has). Returns the number of characters checked.
export async function checkCjkGlyphs(t, page, text, where) {
  const result = await page.evaluate(chars => {
    const family = getComputedStyle(document.body).fontFamily;
    const c = document.createElement('canvas');
    c.width = 40;
    c.height = 40;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    const bitmap = ch => {
      ctx.clearRect(0, 0, 40, 40);
      ctx.font = `32px ${family}`;
      ctx.fillStyle = '#000';
      ctx.textBaseline = 'top';
      ctx.fillText(ch, 2, 2);
      const d = ctx.getImageData(0, 0, 40, 40).data;
      let s = '';
      for (let i = 3; i < d.length; i += 4) s += d[i] > 127 ? '1' : '0';
      return s;
    };
    const tofu = bitmap('\uE000');
    const unique = [...new Set([...chars].filter(ch => /\p{Script=Han}/u.test(ch)))];
    const maps = unique.map(bitmap);
    return {
      family, checked: unique.length,
      tofu: unique.filter((_, i) => maps[i] === tofu),
      distinct: new Set(maps).size,
      blank: unique.filter((_, i) => !maps[i].includes('1')),
    };
  }, text);
  if (result.checked < 2 || result.tofu.length || result.blank.length || result.distinct !== result.checked)
    await t.failTest(`${where}: CJK glyphs do not render in "${result.family}" (install fonts-noto-cjk): ${JSON.stringify(result)}`);
  return result.checked;
}
