// App catalog (everyone): apps, versions, intended use, validation metrics;
// approval per version (institution admins); usage per version (the app's
// vendor and platform admins, Chart.js); package upload (vendors).
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } from 'chart.js';
import { ApiError, authHeaders, get, post, type App, type AppVersion, type Page, type UsageRow } from '../api';
import { h, clear } from '../dom';
import { formatDateTime, formatNumber, t } from '../i18n';
import { currentSession } from '../main';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

function uploadPackage(): HTMLElement {
  const input = h('input', { type: 'file', id: 'package-file', accept: '.medai,.zip', 'aria-label': t('apps.package_file') });
  const result = h('p', { role: 'status' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('apps.publish'));
  const form = h('form', { class: 'card publish' }, h('h2', {}, t('apps.publish_title')), h('p', { class: 'muted' }, t('apps.publish_hint')), input, button, result);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const file = input.files?.[0];
    if (!file) return;
    button.disabled = true;
    result.textContent = t('apps.publishing');
    const res = await fetch('/api/v1/apps', { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'application/octet-stream', Accept: 'application/json' }, body: file });
    const body = await res.json().catch(() => ({}));
    result.textContent = res.ok ? t('apps.published', { name: body.name ?? '', version: body.version ?? '' }) : `${body.error ?? res.status}: ${body.message ?? ''}`;
    button.disabled = false;
  });
  return form;
}

function usageChart(rows: UsageRow[]): HTMLElement {
  const versions = [...new Set(rows.map(r => r.version))];
  const sum = (v: string, k: 'jobs' | 'accepted' | 'rejected' | 'edited') => rows.filter(r => r.version === v).reduce((a, r) => a + r[k], 0);
  const canvas = h('canvas', { id: 'usage-chart', role: 'img', 'aria-label': t('apps.usage_chart') });
  const wrap = h('div', { class: 'chart' }, canvas);
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: versions,
      datasets: [
        { label: t('apps.jobs'), data: versions.map(v => sum(v, 'jobs')), backgroundColor: '#0b5394' },
        { label: t('viewer.verdict.accept'), data: versions.map(v => sum(v, 'accepted')), backgroundColor: '#2e7d32' },
        { label: t('viewer.verdict.reject'), data: versions.map(v => sum(v, 'rejected')), backgroundColor: '#c62828' },
        { label: t('viewer.verdict.edit'), data: versions.map(v => sum(v, 'edited')), backgroundColor: '#f9a825' },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  return wrap;
}

function versionRow(app: App, v: AppVersion, refresh: () => void): HTMLElement {
  const s = currentSession();
  const canApprove = s?.has('institution_admin') && v.status === 'active';
  const msg = h('span', { role: 'status' });
  const act = async (what: 'approve' | 'revoke') => {
    try {
      await post(`/api/v1/apps/${encodeURIComponent(app.name)}/versions/${encodeURIComponent(v.version)}/${what}`);
      refresh();
    } catch (err) {
      msg.textContent = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
    }
  };
  return h('tr', { 'data-version': v.version },
    h('td', {}, v.version),
    h('td', {}, t(`apps.status.${v.status}`, { defaultValue: v.status })),
    h('td', {}, v.approved ? t('apps.approved') : t('apps.not_approved')),
    h('td', {}, formatDateTime(v.created_at)),
    h('td', {}, canApprove ? h('button', { type: 'button', onclick: () => void act(v.approved ? 'revoke' : 'approve') }, v.approved ? t('apps.revoke') : t('apps.approve')) : null, msg));
}

async function renderDetail(outlet: HTMLElement, name: string): Promise<void> {
  const app = await get<App>(`/api/v1/apps/${encodeURIComponent(name)}`);
  const newest = app.versions[app.versions.length - 1];
  const detail = newest ? await get<AppVersion>(`/api/v1/apps/${encodeURIComponent(name)}/versions/${encodeURIComponent(newest.version)}`) : null;
  const m = (detail?.manifest ?? {}) as Record<string, any>;
  const metrics: { name: string; value: number; ci95?: number[]; split?: string }[] = m.validation?.metrics ?? [];
  const refresh = () => void renderDetail(outlet, name);
  const usageBox = h('section', { class: 'card' }, h('h2', {}, t('apps.usage')));
  clear(outlet,
    h('p', {}, h('a', { href: '/apps', 'data-link': true }, `← ${t('nav.apps')}`)),
    h('h1', {}, app.display_name || app.name, ' ', m.research_use_only !== false ? h('span', { class: 'ruo' }, t('viewer.research_use_only')) : null),
    h('p', { class: 'muted' }, `${app.vendor} · ${app.name}`),
    h('section', { class: 'card' },
      h('h2', {}, t('apps.intended_use')), h('p', {}, String(m.intended_use ?? '')),
      Array.isArray(m.contraindications) && m.contraindications.length ? h('p', {}, `${t('apps.contraindications')}: ${m.contraindications.join('; ')}`) : null,
      h('p', { class: 'muted' }, `${t('apps.task')}: ${m.task ?? ''} · ${t('apps.modality')}: ${(m.modality ?? []).join(', ')}`)),
    h('section', { class: 'card' }, h('h2', {}, t('apps.validation')),
      metrics.length === 0 ? h('p', { class: 'muted' }, t('apps.no_metrics')) :
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('apps.metric')), h('th', {}, t('apps.value')), h('th', {}, t('apps.ci')))),
          h('tbody', {}, ...metrics.map(x => h('tr', {}, h('td', {}, x.split ? `${x.name} (${x.split})` : x.name), h('td', { class: 'num' }, formatNumber(x.value, 3)),
            h('td', {}, x.ci95 ? `${formatNumber(x.ci95[0], 3)} – ${formatNumber(x.ci95[1], 3)}` : '')))))),
    h('section', { class: 'card' }, h('h2', {}, t('apps.versions')),
      h('table', { class: 'versions' }, h('thead', {}, h('tr', {}, ...['apps.version', 'apps.state', 'apps.approval', 'apps.created', 'apps.actions'].map(k => h('th', {}, t(k))))),
        h('tbody', {}, ...app.versions.map(v => versionRow(app, v, refresh))))),
    usageBox);
  // Usage is for the app's vendor and platform admins only (others get 404).
  const s = currentSession();
  if (!s || !(s.user.roles.includes('admin') || (s.user.roles.includes('partner') && app.vendor !== undefined))) {
    usageBox.append(h('p', { class: 'muted' }, t('apps.usage_vendor_only')));
    return;
  }
  try {
    const usage = await get<Page<UsageRow>>(`/api/v1/apps/${encodeURIComponent(name)}/usage`);
    usageBox.append(usage.items.length ? usageChart(usage.items) : h('p', { class: 'muted' }, t('apps.no_usage')));
  } catch (err) {
    usageBox.append(h('p', { class: 'muted' }, err instanceof ApiError && (err.status === 403 || err.status === 404) ? t('apps.usage_vendor_only') : String(err)));
  }
}

export async function renderApps(outlet: HTMLElement, name: string | null): Promise<void> {
  try {
    if (name) return await renderDetail(outlet, name);
    const apps = await get<Page<App>>('/api/v1/apps?limit=200');
    const s = currentSession();
    clear(outlet, h('h1', {}, t('apps.title')),
      apps.items.length === 0 ? h('p', { class: 'muted' }, t('apps.empty')) :
        h('ul', { class: 'app-grid' }, ...apps.items.map(a => {
          const newest = a.versions[a.versions.length - 1];
          return h('li', { class: 'card app', 'data-app': a.name },
            h('h2', {}, h('a', { href: `/apps/${encodeURIComponent(a.name)}`, 'data-link': true }, a.display_name || a.name)),
            h('p', { class: 'muted' }, `${a.vendor} · ${newest ? newest.version : ''} · ${newest?.task ?? ''}`),
            h('p', {}, a.versions.some(v => v.approved) ? h('span', { class: 'badge state-done' }, t('apps.approved')) : h('span', { class: 'badge' }, t('apps.not_approved'))));
        })),
      s?.has('partner') ? uploadPackage() : null);
  } catch (err) {
    clear(outlet, h('p', { class: 'error' }, t('common.error', { message: (err as Error).message })));
  }
}
