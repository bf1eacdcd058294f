// The portal's admin sections (issue #9) in headless Debian Chromium against
// a real server, as an institution administrator:
//   1. DICOM nodes: a bad port is refused with the API's own message shown at
//      the port field; a good node is added and listed (also by the API);
//      unticking "push" changes it on the server; removal asks first, then
//      its host and port are edited (a bad port refused at the field); the API no longer lists it after removal;
//      "Test" runs a real C-ECHO: success against DCMTK storescp, connection_refused
//      on a port where nothing listens (both audited);
//   2. API tokens: the page's own session is marked "this session" (the API's
//      `current`); a token issued from the page shows its secret once; the
//      test calls the API with that secret (200), the copy button puts it on
//      the clipboard; after revoking it from the page the same call gets 401;
//   3. system health: ready, the server's version, metric values from
//      /metrics, refreshed while open; a job that fails (a dicom.push to a node
//      that does not exist) is listed with its error code; the audit trail
//      shows the node's creation;
//   4. Chinese; every control has an accessible name; a doctor sees no admin
//      entries and is told so at /admin/nodes; no console errors.
//
//   node tests/browser/admin_test.mjs --medai build/release/src/cli/medai
//
// Exit 0 pass, 1 fail, 77 skipped (reason printed). MEDAI_SCREENSHOTS=DIR
// writes admin-nodes.png, admin-tokens.png and admin-health.png
// (scripts/screenshots.sh).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { checkCjkGlyphs, chromiumPath, pageHelpers, setUp, sleep } from './harness.mjs';

const t = await setUp('medai-admin-', { extraSkips: [['/usr/bin/storescp', 'no DCMTK storescp (Debian package "dcmtk")']] });
const { chromium, work, cleanups, consoleErrors, finish, failTest, started } = t;

// --- server and accounts ----------------------------------------------------------------
const { dataDir, origin, cli, withData } = await t.startMedai();
const password = 'admin-pass-123456';
cli(withData(['admin', 'create-institution', '--name', 'hosp', '--display-name', 'City hospital']));
cli(withData(['admin', 'create-user', '--username', 'it-chen', '--institution', 'hosp', '--role', 'institution_admin',
  '--display-name', 'Chen (IT)', '--password', password]));
cli(withData(['admin', 'create-user', '--username', 'dr-wu', '--institution', 'hosp', '--role', 'doctor', '--password', password]));
const adminToken = cli(withData(['admin', 'issue-token', '--user', 'it-chen'])).split('\n')[0].trim();
async function api(method, target, body, tokenValue = adminToken) {
  const r = await fetch(`${origin}${target}`, {
    method,
    headers: { Authorization: `Bearer ${tokenValue}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text && (r.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : text };
}

// --- browser ------------------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: false,
  args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic'],
});
cleanups.push(() => browser.close());
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-US' });
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
const page = await context.newPage();
// Chromium logs every non-2xx answer as a console error; the two 400s for
// the bad ports this test provokes (create, edit) are expected, nothing else is.
let expected400 = 0;
page.on('response', r => { if (r.status() === 400 && /\/api\/v1\/dicom-nodes(\/dn_\w+)?$/.test(r.url())) expected400++; });
page.on('console', m => {
  if (m.type() !== 'error') return;
  if (/status of 400/.test(m.text()) && expected400 > 0) {
    expected400--;
    return;
  }
  consoleErrors.push(m.text());
});
page.on('pageerror', e => consoleErrors.push(String(e)));
const { shot, checkAccessible } = pageHelpers(t, page);
async function login(user) {
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('form.login button[type=submit]');
  await page.locator('nav a[data-nav="/"]').waitFor({ timeout: 10000 });
}

await page.goto(`${origin}/`);
await login('it-chen');
await page.locator('nav a', { hasText: 'Admin' }).click();
await page.locator('nav.tabs a', { hasText: 'DICOM nodes' }).click();
await page.locator('#node-form').waitFor({ timeout: 10000 });
await page.locator('#no-nodes').waitFor({ timeout: 10000 });

// --- 1. DICOM nodes ----------------------------------------------------------------------
// The server's answer to the same bad request, to compare with what the page shows.
const refused = await api('POST', '/api/v1/dicom-nodes', { name: 'probe', ae_title: 'PROBE', host: '10.1.2.3', port: 70000 });
if (refused.status !== 400 || refused.body?.detail?.field !== 'port') await failTest(`API on port 70000: ${JSON.stringify(refused)}`);
await page.fill('#field-name', 'ct-pacs');
await page.fill('#field-ae_title', 'CT_PACS');
await page.fill('#field-host', '10.20.30.40');
await page.fill('#field-port', '70000');
await page.click('#node-form button[type=submit]');
await page.locator('.form-field[data-field="port"].invalid').waitFor({ timeout: 10000 });
const portError = await page.locator('#field-port-error').textContent();
if (portError !== refused.body.message) await failTest(`port error shown "${portError}", API says "${refused.body.message}"`);
if (await page.locator('#field-port').getAttribute('aria-invalid') !== 'true') await failTest('port field not marked aria-invalid');
if ((await api('GET', '/api/v1/dicom-nodes')).body.items.length !== 0) await failTest('a refused node was stored');
console.log(`bad port refused at the field with the API's message: "${portError}"`);
await page.fill('#field-port', '11112');
await page.locator('#field-port').press('Enter');  // by keyboard: implicit submission
const row = page.locator('#dicom-nodes tr[data-node="CT_PACS"]');
await row.waitFor({ timeout: 10000 });
let nodes = (await api('GET', '/api/v1/dicom-nodes')).body.items;
const node = nodes.find(n => n.ae_title === 'CT_PACS');
if (!node || node.host !== '10.20.30.40' || node.port !== 11112 || !node.allow_store || !node.allow_query || !node.allow_push)
  await failTest(`node as the API lists it: ${JSON.stringify(nodes)}`);
await row.locator('input[data-permission="allow_push"]').uncheck();
await page.locator('#nodes-status', { hasText: 'saved' }).waitFor({ timeout: 10000 });
nodes = (await api('GET', '/api/v1/dicom-nodes')).body.items;
if (nodes[0].allow_push !== false || nodes[0].allow_store !== true) await failTest(`after unticking push: ${JSON.stringify(nodes[0])}`);
console.log(`node CT_PACS added from the page (API: ${node.host}:${node.port}); push permission removed (API allow_push=${nodes[0].allow_push})`);
// Edit its address: a bad port is refused at the field, a good one is stored.
await row.locator('button[data-action="edit"]').click();
await page.fill('#edit-port', '0');
await page.locator('#edit-port').press('Enter');
await page.locator('.form-field[data-field="port"].invalid #edit-port').waitFor({ timeout: 10000 });
if ((await page.locator('#edit-port-error').textContent()) !== refused.body.message) await failTest(`edit: port error "${await page.locator('#edit-port-error').textContent()}"`);
await page.fill('#edit-host', 'pacs.example.org');
await page.fill('#edit-port', '4242');
await page.click('#node-edit button[type=submit]');
// Exactly "CT_PACS saved." (the earlier "Permissions of CT_PACS saved." contains it too).
await page.locator('#nodes-status', { hasText: /^CT_PACS saved\.$/ }).waitFor({ timeout: 10000 });
nodes = (await api('GET', '/api/v1/dicom-nodes')).body.items;
if (nodes[0].host !== 'pacs.example.org' || nodes[0].port !== 4242 || nodes[0].allow_push !== false) await failTest(`after the edit: ${JSON.stringify(nodes[0])}`);
if ((await row.locator('td').nth(1).textContent()) !== 'pacs.example.org') await failTest('the row does not show the new host');
console.log(`node edited from the page: port 0 refused at the field, then ${nodes[0].host}:${nodes[0].port} stored`);
await checkAccessible('DICOM nodes page');
await row.locator('button[data-action="remove"]').click();
// Asks first: cancel keeps it, confirm removes it.
await row.locator('button[data-action="cancel-remove"]').click();
await row.locator('button[data-action="remove"]').click();
if ((await api('GET', '/api/v1/dicom-nodes')).body.items.length !== 1) await failTest('the node went before the removal was confirmed');
await row.locator('button[data-action="confirm-remove"]').click();
await page.locator('#no-nodes').waitFor({ timeout: 10000 });
if ((await api('GET', '/api/v1/dicom-nodes')).body.items.length !== 0) await failTest('the node is still listed by the API');
console.log('node removed after confirmation; the API lists none');

// "Test" (C-ECHO from the server): a real DCMTK storescp answers; a port
// where nothing listens is "connection refused". Both are in the audit trail.
const freePort = () => new Promise(resolve => {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
});
const scpPort = await freePort();
const closedPort = await freePort();
const scp = spawn('/usr/bin/storescp', ['-aet', 'ECHO_SCP', String(scpPort)], { stdio: 'ignore' });
cleanups.push(async () => { scp.kill('SIGTERM'); });
for (let i = 0; i < 100; i++) {
  const up = await new Promise(resolve => { const s = net.connect(scpPort, '127.0.0.1', () => { s.destroy(); resolve(true); }); s.on('error', () => resolve(false)); });
  if (up) break;
  await sleep(50);
}
for (const [name, ae, port] of [['echo-scp', 'ECHO_SCP', scpPort], ['nobody-home', 'NOBODY', closedPort]]) {
  await page.fill('#field-name', name);
  await page.fill('#field-ae_title', ae);
  await page.fill('#field-host', '127.0.0.1');
  await page.fill('#field-port', String(port));
  await page.click('#node-form button[type=submit]');
  await page.locator(`#dicom-nodes tr[data-node="${ae}"]`).waitFor({ timeout: 10000 });
}
const echoOf = async ae => {
  const r = page.locator(`#dicom-nodes tr[data-node="${ae}"]`);
  await r.locator('button[data-action="echo"]').click();
  const result = r.locator('.echo-result:not([data-echo="running"]):not([data-echo=""])');
  await result.waitFor({ timeout: 30000 });
  return { code: await result.getAttribute('data-echo'), text: await result.textContent() };
};
const echoOk = await echoOf('ECHO_SCP');
if (echoOk.code !== 'success' || !/C-ECHO succeeded/.test(echoOk.text) || !/0x0000/.test(echoOk.text)) await failTest(`C-ECHO to storescp: ${JSON.stringify(echoOk)}`);
const echoRefused = await echoOf('NOBODY');
if (echoRefused.code !== 'connection_refused' || !/refused/i.test(echoRefused.text)) await failTest(`C-ECHO to a closed port: ${JSON.stringify(echoRefused)}`);
const echoEvents = (await api('GET', '/api/v1/audit-events?limit=50')).body.items.filter(e => e.action === 'dicom_node.echo');
if (echoEvents.length !== 2 || !echoEvents.some(e => e.outcome === 'allowed' && e.detail?.code === 'success')
    || !echoEvents.some(e => e.outcome === 'failed' && e.detail?.code === 'connection_refused'))
  await failTest(`C-ECHO audit events: ${JSON.stringify(echoEvents)}`);
await checkAccessible('DICOM nodes page (with test results)');
await shot('admin-nodes.png');
console.log(`node test (C-ECHO): storescp → "${echoOk.text}"; closed port → "${echoRefused.text}"; both audited`);

// --- 2. API tokens -----------------------------------------------------------------------
await page.locator('nav.tabs a', { hasText: 'API tokens' }).click();
await page.locator('#token-form').waitFor({ timeout: 10000 });
// The page's own log-in session is the one marked current (exactly one), as
// the API says for the page's token; a call with the CLI token marks that one.
const currentRows = await page.$$eval('#tokens tr[data-current="true"]', rs => rs.map(r => ({ id: r.dataset.id, text: r.textContent })));
const pageToken = await page.evaluate(() => sessionStorage.getItem('medai.session'));
const asPage = (await api('GET', '/api/v1/tokens', undefined, pageToken)).body.items;
const asCli = (await api('GET', '/api/v1/tokens')).body.items;
const pageCurrent = asPage.filter(x => x.current);
const cliCurrent = asCli.filter(x => x.current);
if (currentRows.length !== 1 || pageCurrent.length !== 1 || currentRows[0].id !== pageCurrent[0].id || pageCurrent[0].kind !== 'session'
    || !/this session/.test(currentRows[0].text) || !pageToken.startsWith(pageCurrent[0].prefix))
  await failTest(`current session: page rows ${JSON.stringify(currentRows)}, API ${JSON.stringify(pageCurrent)}`);
if (cliCurrent.length !== 1 || cliCurrent[0].kind !== 'api' || !adminToken.startsWith(cliCurrent[0].prefix))
  await failTest(`current token for the CLI token: ${JSON.stringify(cliCurrent)}`);
console.log(`current credential: the page's session ${pageCurrent[0].prefix}… marked "this session"; the CLI token's call marks ${cliCurrent[0].prefix}…`);
await page.fill('#field-name', 'pacs-bridge');
await page.fill('#field-ttl_days', '30');
await page.click('#token-form button[type=submit]');
await page.locator('#token-secret').waitFor({ timeout: 10000 });
const secret = await page.locator('#token-secret').inputValue();
if (!/^medai_/.test(secret)) await failTest(`secret shown: "${secret}"`);
const tokenRow = page.locator('#tokens tr[data-token="pacs-bridge"]');
await tokenRow.waitFor({ timeout: 10000 });
const issued = (await api('GET', '/api/v1/tokens')).body.items.find(t => t.name === 'pacs-bridge');
const days = (Date.parse(issued.expires_at) - Date.parse(issued.created_at)) / 86400000;
if (Math.round(days) !== 30) await failTest(`token lifetime ${days} days`);
if (!secret.startsWith(issued.prefix) || !(await tokenRow.textContent()).includes(issued.prefix)) await failTest(`prefix ${issued.prefix} vs secret`);
const withSecret = await api('GET', '/api/v1/me', undefined, secret);
if (withSecret.status !== 200 || withSecret.body?.user?.username !== 'it-chen') await failTest(`the shown secret: ${withSecret.status} ${JSON.stringify(withSecret.body)}`);
await page.click('#copy-secret');
await page.locator('.secret-box [role=status]', { hasText: 'Copied' }).waitFor({ timeout: 5000 });
const clipboard = await page.evaluate(() => navigator.clipboard.readText());
if (clipboard !== secret) await failTest('the copy button did not copy the secret');
console.log(`token pacs-bridge issued (${Math.round(days)} days): GET /api/v1/me with the shown secret → ${withSecret.status}; copied to the clipboard`);
await checkAccessible('tokens page');
await shot('admin-tokens.png');
await tokenRow.locator('button[data-action="revoke"]').click();
await page.locator('#tokens tr[data-token="pacs-bridge"][data-state="revoked"]').waitFor({ timeout: 10000 });
if (await page.locator('#token-secret').count()) await failTest('the secret is still shown after the list was redrawn');
const afterRevoke = await api('GET', '/api/v1/me', undefined, secret);
if (afterRevoke.status !== 401) await failTest(`revoked token answered ${afterRevoke.status}`);
console.log(`revoked from the page: the same call → ${afterRevoke.status} ${afterRevoke.body?.error}`);
// Administrators see the tokens of the users they administer.
await page.locator('#token-user').selectOption({ label: 'dr-wu' });
await page.locator('#api-tokens p.muted', { hasText: 'No tokens' }).waitFor({ timeout: 10000 });

// --- 3. system health --------------------------------------------------------------------
// (app.run input is checked at submission now; a push to a node that does not exist fails in the worker.)
const failedJob = await api('POST', '/api/v1/jobs', { type: 'dicom.push', input: { node_id: 'no-such-node', study_uid: '1.2.826.0.1.3680043.2.1125.1' } });
if (failedJob.status !== 201 && failedJob.status !== 202) await failTest(`POST /api/v1/jobs: ${failedJob.status} ${JSON.stringify(failedJob.body)}`);
let job = failedJob.body;
for (let i = 0; i < 100 && job.state !== 'failed'; i++) {
  await sleep(200);
  job = (await api('GET', `/api/v1/jobs/${job.id}`)).body;
}
if (job.state !== 'failed' || !job.error?.code) await failTest(`the push to a missing node: ${JSON.stringify(job)}`);
const version = (await api('GET', '/api/v1/version')).body;
await page.locator('nav.tabs a', { hasText: 'System health' }).click();
await page.locator('#health-grid[data-refreshes="1"]').waitFor({ timeout: 15000 });
await page.locator('#health-status [data-ready="true"]').waitFor({ timeout: 10000 });
const facts = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-fact]')].map(f => [f.dataset.fact, f.querySelector('.fact-value')?.textContent])));
let shown = await facts();
if (shown.version !== version.version || shown.ready !== 'Ready') await failTest(`health facts ${JSON.stringify(shown)} (API version ${version.version})`);
const requests = Number((shown.requests_total || '').replace(/[^\d]/g, ''));
if (!(requests > 0) || shown.open_connections === '–' || !/ms$/.test(shown.latency_p50 || '')) await failTest(`metric values: ${JSON.stringify(shown)}`);
// The store's size comes from /metrics (medai_store_*); the queue from the jobs list's total.
if (!/^0 studies, 0 instances, 0 B$/.test(shown.store_size || '')) await failTest(`store size fact: "${shown.store_size}"`);
if (shown.jobs_queued !== '0' || shown.jobs_running !== '0') await failTest(`job queue facts: ${shown.jobs_queued} queued, ${shown.jobs_running} running`);
const failedRow = page.locator(`#failed-jobs tr[data-job="${job.id}"]`);
await failedRow.waitFor({ timeout: 10000 });
if ((await failedRow.getAttribute('data-error')) !== job.error.code || !(await failedRow.textContent()).includes(job.error.code))
  await failTest(`failed job row: ${await failedRow.textContent()} (API ${job.error.code})`);
await page.locator('#audit-events tr[data-action="dicom_node.create"]').first().waitFor({ timeout: 10000 });
await page.locator('#audit-events tr[data-action="token.revoke"], #audit-events tr[data-action="token.issue"]').first().waitFor({ timeout: 10000 });
// Refreshed while open: the time and the request count move on.
const before = shown;
await page.locator('#health-grid[data-refreshes="2"]').waitFor({ timeout: 15000 });
if ((await page.locator('[data-fact="refreshed"] .fact-value').textContent()) === before.refreshed) await failTest('the refresh time did not change');
shown = await facts();
if (!(Number(shown.requests_total.replace(/[^\d]/g, '')) > requests)) await failTest(`request count did not move: ${before.requests_total} → ${shown.requests_total}`);
console.log(`health: ${shown.ready}, version ${shown.version} (${shown.catalog}), requests ${before.requests_total} → ${shown.requests_total} after a refresh, ` +
  `open connections ${shown.open_connections}, p50 ${shown.latency_p50}; failed job ${job.id} listed with ${job.error.code}; audit trail shows dicom_node.create`);
await checkAccessible('health page');
await shot('admin-health.png');
// The audit trail pages by 20, as the API does: more events (tokens issued
// through the API), then "Older" shows what offset=20 answers.
for (let i = 0; i < 12; i++) await api('POST', '/api/v1/tokens', { name: `batch-${i}`, ttl_days: 1 });
const auditPage1 = (await api('GET', '/api/v1/audit-events?limit=20&offset=0')).body.items;
const auditPage2 = (await api('GET', '/api/v1/audit-events?limit=20&offset=20')).body.items;
if (auditPage2.length === 0) await failTest('fewer than 21 audit events');
await page.locator('nav.tabs a', { hasText: 'API tokens' }).click();
await page.locator('#token-form').waitFor({ timeout: 10000 });
await page.locator('nav.tabs a', { hasText: 'System health' }).click();
await page.locator('#health-grid[data-refreshes="1"]').waitFor({ timeout: 15000 });
await page.locator('#audit-events tr[data-action="token.issue"]').first().waitFor({ timeout: 10000 });
if (await page.locator('#audit-prev').isEnabled()) await failTest('"Newer" enabled on the first audit page');
await page.locator('#audit-next').click();
await page.locator(`#audit-events tbody tr:first-child[data-id="${auditPage2[0].id}"]`).waitFor({ timeout: 10000 });
const page2Rows = await page.locator('#audit-events tbody tr').count();
if (page2Rows !== auditPage2.length) await failTest(`audit page 2: ${page2Rows} rows, API ${auditPage2.length}`);
const auditTotal = (await api('GET', '/api/v1/audit-events?limit=1')).body.total;
const range = await page.locator('#audit-range').textContent();
if (!range.includes(`of ${auditTotal.toLocaleString('en-US')}`) || !range.startsWith('Events 21–')) await failTest(`audit pager "${range}" (API total ${auditTotal})`);
await page.locator('#audit-prev').click();
await page.locator(`#audit-events tbody tr:first-child[data-id="${auditPage1[0].id}"]`).waitFor({ timeout: 10000 });
console.log(`audit trail: page 2 shows the API's offset=20 page (${page2Rows} events, "${range}"), back to page 1`);

// --- 4. Chinese, roles, console -----------------------------------------------------------
await page.locator('#language').selectOption('zh-CN');
await page.locator('nav.tabs a', { hasText: 'DICOM 节点' }).waitFor({ timeout: 5000 });
await page.locator('nav.tabs a', { hasText: '系统状态' }).waitFor({ timeout: 5000 });
await page.locator('#health-failed h2', { hasText: '失败的任务' }).waitFor({ timeout: 10000 });
await page.locator('#health-status dt', { hasText: '就绪状态' }).waitFor({ timeout: 10000 });
const glyphs = await checkCjkGlyphs(t, page, await page.locator('main').textContent(), 'Chinese health page');
await shot('admin-health-zh.png');
await page.locator('nav.tabs a', { hasText: 'API 令牌' }).click();
await page.locator('#token-form button', { hasText: '签发令牌' }).waitFor({ timeout: 10000 });
await page.locator('nav.tabs a', { hasText: 'DICOM 节点' }).click();
await page.locator('#node-form legend', { hasText: '权限' }).waitFor({ timeout: 10000 });
await shot('admin-nodes-zh.png');
console.log(`Chinese: tabs, health, tokens and DICOM node pages translated; ${glyphs} distinct CJK glyphs render`);
await page.locator('#language').selectOption('en');

await page.locator('button', { hasText: 'Log out' }).click();
await login('dr-wu');
const doctorNav = await page.$$eval('nav a', as => as.map(a => a.getAttribute('href')));
if (doctorNav.some(h => h.startsWith('/admin'))) await failTest(`a doctor sees admin navigation: ${doctorNav.join(', ')}`);
for (const target of ['/admin', '/admin/nodes', '/admin/health']) {
  await page.goto(`${origin}${target}`);
  await page.locator('h1', { hasText: 'This page is for administrators' }).waitFor({ timeout: 10000 });
  if (await page.locator('nav.tabs').count()) await failTest(`a doctor sees the admin tabs at ${target}`);
}
// Their own tokens: yes, without a user picker.
await page.locator('nav a', { hasText: 'API tokens' }).click();
await page.locator('#token-form').waitFor({ timeout: 10000 });
if (await page.locator('#token-user').count()) await failTest('a doctor is offered other users\' tokens');
console.log(`doctor navigation: ${doctorNav.join(', ')} (no admin entries; admin URLs explain why; own tokens only)`);

if (consoleErrors.length) await failTest(`console errors:\n  ${consoleErrors.join('\n  ')}`);
console.log(`PASSED: admin pages (DICOM nodes, API tokens, system health, Chinese, roles) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
await finish(0);
