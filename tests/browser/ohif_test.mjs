// OHIF viewer 3.12 (the prebuilt dist of @ohif/app) in headless Debian
// Chromium against a real `medai serve`:
//   1. start medai (port 0, temp data folder), store a synthetic chest CT
//      (`medai synth chest-ct --small --to`, i.e. STOW-RS);
//   2. serve OHIF's dist and medai's /dicom-web from ONE origin with a tiny
//      proxy (no CORS; SPA fallback; COOP/COEP so OHIF may use
//      SharedArrayBuffer). The proxy adds the bearer token to /dicom-web
//      requests, as a reverse proxy with a session would: OHIF itself has no
//      login for a plain DICOMweb source. The browser's Host header is passed
//      on, so medai writes RetrieveURL/BulkDataURI for the origin the browser
//      used;
//   3. open the study list: the study's row shows (patient ID);
//   4. open the viewer for the study and read the cornerstone canvas back
//      (getImageData): real CT pixels (many grey levels, dark air in the
//      corners, brighter body in the middle), not a blank or error page.
//
//   node tests/browser/ohif_test.mjs --medai build/release/src/cli/medai
//
// Exit 0 pass, 1 fail, 77 skipped (reason printed: no Chromium, npm
// packages not installed). MEDAI_BROWSER_ARTIFACTS=DIR keeps screenshots.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SKIP = 77;
const chromiumPath = process.env.MEDAI_CHROMIUM || '/usr/bin/chromium';
const distDir = path.join(here, 'node_modules', '@ohif', 'app', 'dist');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const medaiBin = path.resolve(arg('--medai', process.env.MEDAI_BINARY || 'build/release/src/cli/medai'));

function skip(reason) {
  console.log(`SKIPPED: ${reason}`);
  process.exit(SKIP);
}
if (!fs.existsSync(chromiumPath)) skip(`no Chromium at ${chromiumPath} (Debian package "chromium")`);
if (!fs.existsSync(path.join(distDir, 'index.html')))
  skip(`OHIF is not installed: run "npm ci" in ${here} (scripts/test.sh does)`);
if (!fs.existsSync(medaiBin)) skip(`no medai binary at ${medaiBin} (build first)`);
const { chromium } = await import('playwright-core');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'medai-ohif-'));
const artifacts = process.env.MEDAI_BROWSER_ARTIFACTS;
const cleanups = [];
async function finish(code) {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch {}
  }
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(code);
}
function failTest(message) {
  console.error(`FAILED: ${message}`);
  return finish(1);
}
const sleep = ms => new Promise(r => setTimeout(r, ms));

// 1. medai with a synthetic CT.
const dataDir = path.join(work, 'var');
const ready = path.join(work, 'ready');
const medaiLog = fs.openSync(path.join(work, 'medai.log'), 'w');
const medai = spawn(medaiBin, ['serve', '--port', '0', '--data-dir', dataDir, '--ready-file', ready], {
  env: { ...process.env, MEDAI_DICOM_ENABLED: 'false', MEDAI_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', medaiLog],
});
cleanups.push(async () => {
  medai.kill('SIGTERM');
  await new Promise(r => (medai.exitCode !== null ? r() : medai.once('exit', r)));
});
for (let i = 0; i < 300 && !(fs.existsSync(ready) && fs.readFileSync(ready, 'utf8').trim()); i++) await sleep(100);
if (!fs.existsSync(ready)) await failTest(`medai did not start:\n${fs.readFileSync(path.join(work, 'medai.log'), 'utf8')}`);
const medaiPort = Number(fs.readFileSync(ready, 'utf8').trim().split(/\s+/)[0]);
const token = execFileSync(medaiBin, ['admin', 'issue-token', '--data-dir', dataDir, '--user', 'admin'], {
  encoding: 'utf8',
}).split('\n')[0];
execFileSync(medaiBin, ['synth', 'chest-ct', '--small', '--seed', '3', '--out', path.join(work, 'study'), '--to',
  `http://127.0.0.1:${medaiPort}`, '--token', token], { stdio: 'ignore' });

async function medaiJson(target) {
  const r = await fetch(`http://127.0.0.1:${medaiPort}${target}`, { headers: { Authorization: `Bearer ${token}` } });
  return r.json();
}
const studies = await medaiJson('/dicom-web/studies');
if (studies.length !== 1) await failTest(`expected 1 study in medai, got ${studies.length}`);
const studyUid = studies[0]['0020000D'].Value[0];
const patientId = studies[0]['00100020'].Value[0];

// 2. One origin: OHIF's files + medai's DICOMweb (token added here).
const appConfig = `window.config = {
  routerBasename: '/',
  extensions: [], modes: [], showStudyList: true,
  showWarningMessageForCrossOrigin: false, showCPUFallbackMessage: true, showLoadingIndicator: false,
  maxNumberOfWebWorkers: 2,
  customizationService: [{ 'ohif.tours': { $set: [] } }],
  defaultDataSourceName: 'medai',
  dataSources: [{
    namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
    sourceName: 'medai',
    configuration: {
      friendlyName: 'medai', name: 'medai',
      wadoUriRoot: '/dicom-web', qidoRoot: '/dicom-web', wadoRoot: '/dicom-web',
      qidoSupportsIncludeField: true, supportsReject: false, supportsFuzzyMatching: true, supportsWildcard: true,
      imageRendering: 'wadors', thumbnailRendering: 'wadors', enableStudyLazyLoad: true,
      dicomUploadEnabled: false, omitQuotationForMultipartRequest: true,
      bulkDataURI: { enabled: true },
    },
  }],
};`;
const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.wasm': 'application/wasm',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png' };
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const dicomwebLog = [];
const proxy = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/dicom-web/')) {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const up = http.request({ host: '127.0.0.1', port: medaiPort, path: req.url, method: req.method, headers }, upRes => {
      dicomwebLog.push(`${req.method} ${url.pathname}${url.search} -> ${upRes.statusCode}`);
      res.writeHead(upRes.statusCode, { ...upRes.headers, ...isolation });
      upRes.pipe(res);
    });
    up.on('error', e => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(up);
    return;
  }
  if (url.pathname === '/app-config.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript', ...isolation });
    res.end(appConfig);
    return;
  }
  let file = path.join(distDir, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
  if (!file.startsWith(distDir) || !fs.existsSync(file) || fs.statSync(file).isDirectory())
    file = path.join(distDir, 'index.html');  // SPA fallback (/viewer, /?...)
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream', ...isolation });
  fs.createReadStream(file).pipe(res);
});
await new Promise(r => proxy.listen(0, '127.0.0.1', r));
cleanups.push(() => new Promise(r => proxy.close(r)));
const origin = `http://127.0.0.1:${proxy.address().port}`;

// 3./4. Headless Chromium.
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: false,  // --headless=new below: the full browser, with WebGL2 through SwiftShader
  args: ['--headless=new', '--no-sandbox', '--enable-unsafe-swiftshader', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
cleanups.push(() => browser.close());
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const consoleErrors = [];
page.on('console', m => m.type() === 'error' && consoleErrors.push(m.text()));
page.on('pageerror', e => consoleErrors.push(String(e)));
async function shot(name) {
  if (!artifacts) return;
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, name) }).catch(() => {});
}
function diagnostics() {
  return `\nDICOMweb requests:\n  ${dicomwebLog.slice(-15).join('\n  ')}\nconsole errors:\n  ${consoleErrors
    .slice(-10)
    .join('\n  ')}`;
}

const webgl = await page.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
if (!webgl) {
  console.log('SKIPPED: this Chromium has no WebGL2 (OHIF has no CPU fallback); see --enable-unsafe-swiftshader');
  await finish(SKIP);
}

await page.goto(`${origin}/`);
try {
  await page.getByText(patientId, { exact: false }).first().waitFor({ timeout: 60000 });
} catch {
  await shot('study-list.png');
  await failTest(`study list does not show patient ${patientId}${diagnostics()}`);
}
await shot('study-list.png');
console.log(`study list shows ${patientId}`);

const t0 = Date.now();
await page.goto(`${origin}/viewer?StudyInstanceUIDs=${studyUid}`);
// Pixel statistics of the largest cornerstone canvas: polled until the CT shows.
const measure = () =>
  page.evaluate(() => {
    const canvases = [...document.querySelectorAll('canvas.cornerstone-canvas, .cornerstone-viewport-element canvas')];
    const c = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0];
    if (!c || !c.width || !c.height) return null;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    if (!ctx) return { error: 'no 2d context on the cornerstone canvas' };
    const { width: w, height: h } = c;
    const d = ctx.getImageData(0, 0, w, h).data;
    const levels = new Set();
    let lit = 0, grey = 0, sum = 0;
    for (let i = 0; i < d.length; i += 4) {
      const v = d[i];
      levels.add(v);
      if (v > 16) lit++;
      if (Math.abs(d[i] - d[i + 1]) < 3 && Math.abs(d[i] - d[i + 2]) < 3) grey++;
      sum += v;
    }
    const mean = (x0, y0, x1, y1) => {
      let s = 0, n = 0;
      for (let y = Math.floor(y0 * h); y < y1 * h; y++)
        for (let x = Math.floor(x0 * w); x < x1 * w; x++) {
          s += d[(y * w + x) * 4];
          n++;
        }
      return s / Math.max(n, 1);
    };
    const n = d.length / 4;
    return { w, h, levels: levels.size, litFraction: lit / n, greyFraction: grey / n, mean: sum / n,
      centre: mean(0.4, 0.4, 0.6, 0.6), corners: (mean(0, 0, 0.05, 0.05) + mean(0.95, 0.95, 1, 1)) / 2 };
  });
let stats = null;
let firstImageMs = null;
for (let i = 0; i < 480; i++) {  // up to 2 min on a loaded machine
  stats = await measure().catch(() => null);
  if (stats && !stats.error && stats.levels >= 32 && stats.litFraction > 0.05) {
    firstImageMs = Date.now() - t0;
    break;
  }
  await sleep(250);
}
await shot('viewer.png');
if (!firstImageMs) await failTest(`no CT rendered: ${JSON.stringify(stats)}${diagnostics()}`);
// Let the image settle (progressive loading), then check it looks like a CT.
await sleep(1000);
stats = await measure();
console.log(`viewer rendered in ${firstImageMs} ms: ${JSON.stringify(stats)}`);
const problems = [];
if (stats.levels < 32) problems.push(`only ${stats.levels} grey levels`);
if (stats.greyFraction < 0.9) problems.push(`not greyscale (${stats.greyFraction.toFixed(2)} grey pixels)`);
if (!(stats.centre > stats.corners + 20)) problems.push(`body not brighter than the air in the corners`);
if (stats.litFraction < 0.05 || stats.litFraction > 0.95) problems.push(`lit fraction ${stats.litFraction}`);
if (problems.length) await failTest(`rendered image is not a plausible CT: ${problems.join('; ')}${diagnostics()}`);
console.log('PASSED: OHIF shows the study and renders the CT from medai');
await finish(0);
