// System health for administrators: GET /readyz and /api/v1/version, what
// GET /metrics exposes (HTTP traffic, open connections, latency, DICOM
// associations, store size), the institution's job queue (the `total` of
// GET /api/v1/jobs?state=...&limit=1) and the last day's failed jobs, all
// refreshed every few seconds while the page is open; and the audit trail
// (GET /api/v1/audit-events, paged).
import { get, probe, type AuditEvent, type Job, type Page, type User } from '../../api';
import { h, clear } from '../../dom';
import { formatDateTime, formatNumber, language, t } from '../../i18n';
import { adminTabs, errorText } from './common';
import { byLabel, histogramQuantile, parseMetrics, sum } from './metrics';

const REFRESH_MS = 5000;
const DAY_MS = 24 * 3600 * 1000;
const AUDIT_PAGE = 20;
// The API has no time filter on jobs: the last day's failures are taken from
// the newest ones (full job objects, so not 1000 every few seconds).
const FAILED_LIST_LIMIT = 200;

function fact(key: string, labelKey: string, value: string, extra?: Node | string | null): HTMLElement {
  return h('div', { class: 'fact', 'data-fact': key },
    h('dt', {}, t(labelKey)), h('dd', {}, h('span', { class: 'fact-value' }, value), extra ?? null));
}

async function statusCard(box: HTMLElement): Promise<void> {
  const [ready, version] = await Promise.all([
    probe('/readyz'),
    get<{ version: string; catalog: string }>('/api/v1/version').catch(() => null),
  ]);
  let checks: Record<string, string> = {};
  try {
    const body = JSON.parse(ready.text) as { checks?: Record<string, string>; detail?: { checks?: Record<string, string> } };
    checks = body.checks ?? body.detail?.checks ?? {};
  } catch {
    /* not JSON: a proxy answered */
  }
  const isReady = ready.status === 200;
  clear(box, h('h2', {}, t('health.status')),
    h('dl', { class: 'facts' },
      fact('ready', 'health.readiness',
        isReady ? t('health.ready') : t('health.not_ready', { status: ready.status }),
        h('span', { class: `badge ${isReady ? 'state-done' : 'state-failed'}`, 'data-ready': String(isReady) }, isReady ? '✓' : '✗')),
      ...Object.entries(checks).map(([k, v]) => fact(`check-${k}`, `health.check_${k === 'catalog' || k === 'blob_store' ? k : 'other'}`, v === 'ok' ? t('health.ok') : v)),
      fact('version', 'health.version', version ? version.version : '–'),
      fact('catalog', 'health.catalog', version ? version.catalog : '–'),
      fact('refreshed', 'health.refreshed', new Intl.DateTimeFormat(language(), { timeStyle: 'medium' }).format(new Date()))));
}

async function metricsCard(box: HTMLElement): Promise<void> {
  const res = await probe('/metrics');
  if (res.status !== 200) {
    clear(box, h('h2', {}, t('health.metrics')), h('p', { class: 'error' }, t('health.metrics_unavailable', { status: res.status })));
    return;
  }
  const samples = parseMetrics(res.text);
  const n = (v: number | null, digits = 0) => (v === null ? '–' : formatNumber(v, digits));
  const ms = (v: number | null) => (v === null ? '–' : `${formatNumber(v * 1000, v < 0.01 ? 1 : 0)} ms`);
  const bytes = (v: number | null) => {
    if (v === null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${formatNumber(v, i === 0 ? 0 : 1)} ${units[i]}`;
  };
  const classes = byLabel(samples, 'medai_http_requests_total', 'code_class');
  const total = classes.reduce((a, [, v]) => a + v, 0);
  const routes = byLabel(samples.filter(s => !['unmatched', 'undocumented'].includes(s.labels.route ?? '')), 'medai_http_requests_total', 'route')
    .filter(([, v]) => v > 0).slice(0, 5);
  const cls = (c: string) => n(classes.find(([k]) => k === c)?.[1] ?? 0);
  clear(box, h('h2', {}, t('health.metrics')),
    h('dl', { class: 'facts' },
      fact('open_connections', 'health.open_connections', n(sum(samples, 'medai_http_open_connections'))),
      fact('requests_total', 'health.requests_total', n(total)),
      fact('requests_2xx', 'health.requests_2xx', cls('2xx')),
      fact('requests_4xx', 'health.requests_4xx', cls('4xx')),
      fact('requests_5xx', 'health.requests_5xx', cls('5xx')),
      fact('latency_p50', 'health.latency_p50', ms(histogramQuantile(samples, 'medai_http_request_duration_seconds', 0.5))),
      fact('latency_p95', 'health.latency_p95', ms(histogramQuantile(samples, 'medai_http_request_duration_seconds', 0.95))),
      // Server-wide (every institution), only when the server exports them.
      sum(samples, 'medai_dicom_associations_total') === null ? null :
        fact('dicom_associations', 'health.dicom_associations',
          t('health.dicom_associations_value', { active: n(sum(samples, 'medai_dicom_associations_active')), total: n(sum(samples, 'medai_dicom_associations_total')) })),
      sum(samples, 'medai_store_instances') === null ? null :
        fact('store_size', 'health.store_size',
          t('health.store_size_value', { studies: n(sum(samples, 'medai_store_studies')), instances: n(sum(samples, 'medai_store_instances')), size: bytes(sum(samples, 'medai_store_bytes')) }))),
    routes.length ? h('table', { class: 'compact', id: 'busiest-routes' },
      h('caption', {}, t('health.busiest_routes')),
      h('thead', {}, h('tr', {}, h('th', {}, t('health.route')), h('th', { class: 'num' }, t('health.requests')))),
      h('tbody', {}, ...routes.map(([r, v]) => h('tr', {}, h('td', {}, h('code', {}, r)), h('td', { class: 'num' }, n(v)))))) : null);
}

async function jobsCard(queueBox: HTMLElement, failedBox: HTMLElement): Promise<void> {
  const count = async (state: string) => (await get<Page<Job>>(`/api/v1/jobs?state=${state}&limit=1`)).total;
  const [queued, running, failed] = await Promise.all([
    count('queued'), count('running'),
    get<Page<Job>>(`/api/v1/jobs?state=failed&limit=${FAILED_LIST_LIMIT}`),
  ]);
  clear(queueBox, h('h2', {}, t('health.job_queue')),
    h('dl', { class: 'facts' }, fact('jobs_queued', 'health.jobs_queued', formatNumber(queued, 0)), fact('jobs_running', 'health.jobs_running', formatNumber(running, 0))));
  const since = Date.now() - DAY_MS;
  const recent = failed.items.filter(j => Date.parse(j.finished_at ?? j.created_at) >= since);
  clear(failedBox, h('h2', {}, t('health.failed_jobs')),
    recent.length === 0 ? h('p', { class: 'muted', id: 'no-failed-jobs' }, t('health.no_failed_jobs')) :
      h('table', { id: 'failed-jobs' },
        h('thead', {}, h('tr', {}, ...['health.finished', 'health.job_type', 'health.job_id', 'health.error_code', 'health.error_message'].map(k => h('th', {}, t(k))))),
        h('tbody', {}, ...recent.map(j => h('tr', { 'data-job': j.id, 'data-error': j.error?.code ?? '' },
          h('td', {}, formatDateTime(j.finished_at)), h('td', {}, j.type), h('td', {}, h('code', {}, j.id)),
          h('td', {}, h('span', { class: 'badge state-failed' }, j.error?.code ?? '–')), h('td', {}, j.error?.message ?? ''))))));
}

async function auditCard(box: HTMLElement, offset: number, names: Map<string, string>): Promise<void> {
  const page = await get<Page<AuditEvent>>(`/api/v1/audit-events?limit=${AUDIT_PAGE}&offset=${offset}`);
  const go = (o: number) => void auditCard(box, o, names).catch(err => clear(box, h('p', { class: 'error' }, errorText(err))));
  const prev = h('button', { type: 'button', id: 'audit-prev', disabled: offset === 0, onclick: () => go(Math.max(0, offset - AUDIT_PAGE)) }, t('health.newer'));
  const next = h('button', { type: 'button', id: 'audit-next', disabled: offset + page.items.length >= page.total, onclick: () => go(offset + AUDIT_PAGE) }, t('health.older'));
  clear(box, h('h2', {}, t('health.audit')),
    page.items.length === 0 ? h('p', { class: 'muted' }, t('health.no_audit')) :
      h('table', { id: 'audit-events' },
        h('thead', {}, h('tr', {}, ...['health.when', 'health.action', 'health.outcome', 'health.actor', 'health.resource'].map(k => h('th', {}, t(k))))),
        h('tbody', {}, ...page.items.map(e => h('tr', { 'data-id': e.id, 'data-action': e.action, 'data-outcome': e.outcome },
          h('td', {}, formatDateTime(e.at)), h('td', {}, h('code', {}, e.action)),
          h('td', {}, h('span', { class: `badge ${e.outcome === 'allowed' ? 'state-done' : 'state-failed'}` }, e.outcome)),
          h('td', {}, names.get(e.actor_user_id) ?? e.actor_user_id),
          h('td', {}, e.resource_type ? `${e.resource_type} ${e.resource_id ?? ''}` : ''))))),
    h('div', { class: 'pager' }, prev,
      h('span', { class: 'muted', id: 'audit-range' }, t('health.audit_range', { from: formatNumber(offset + 1, 0), to: formatNumber(offset + page.items.length, 0), total: formatNumber(page.total, 0) })), next));
}

export async function renderHealth(outlet: HTMLElement): Promise<void> {
  const status = h('section', { class: 'card', id: 'health-status' }, t('common.loading'));
  const metrics = h('section', { class: 'card', id: 'health-metrics' }, t('common.loading'));
  const queue = h('section', { class: 'card', id: 'health-queue' }, t('common.loading'));
  const failed = h('section', { class: 'card', id: 'health-failed' }, t('common.loading'));
  const audit = h('section', { class: 'card', id: 'health-audit' }, t('common.loading'));
  const grid = h('div', { class: 'health-grid', id: 'health-grid' }, status, metrics, queue);
  clear(outlet, h('h1', {}, t('admin.title')), adminTabs('/admin/health'),
    h('p', { class: 'muted' }, t('health.intro', { seconds: REFRESH_MS / 1000 })), grid, failed, audit);
  const guard = (p: Promise<void>, box: HTMLElement) => p.catch(err => clear(box, h('p', { class: 'error' }, errorText(err))));
  let busy = false;
  const refresh = async () => {
    if (busy) return;
    busy = true;
    await Promise.all([guard(statusCard(status), status), guard(metricsCard(metrics), metrics), guard(jobsCard(queue, failed), queue)]);
    // Counts complete refreshes (all cards redrawn): scripts and tests wait on it.
    grid.dataset.refreshes = String(Number(grid.dataset.refreshes ?? 0) + 1);
    busy = false;
  };
  // Refreshes while the page is shown; stops once the router replaced it.
  const timer = window.setInterval(() => {
    if (!status.isConnected) window.clearInterval(timer);
    else if (!document.hidden) void refresh();
  }, REFRESH_MS);
  const names = new Map<string, string>();
  try {
    for (const u of (await get<Page<User>>('/api/v1/users?limit=1000')).items) names.set(u.id, u.username);
  } catch {
    /* ids then */
  }
  names.set('system', t('health.system_actor'));
  await Promise.all([refresh(), auditCard(audit, 0, names).catch(err => clear(audit, h('p', { class: 'error' }, errorText(err))))]);
}
