// Datasets (researchers and administrators): the datasets the caller may
// read (own institution + public) with their versions and split sizes, and
// one dataset's detail: provenance (licence, data use, source), versions
// (draft/frozen), split and label counts, columns, and export links.
// API: GET /api/v1/datasets, GET /api/v1/datasets/{id},
// GET /api/v1/datasets/{id}/versions/{v}/export[?split=] (docs/datasets.md).
import { get, post, type Page } from '../../api';
import { h, clear } from '../../dom';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { currentSession } from '../../main';
import { errorText, fmt, mayTrain } from './common';
import type { Dataset, DatasetDetail, DatasetVersion } from './types';

const SPLITS = ['train', 'validation', 'test'] as const;

const exportHref = (v: DatasetVersion, split?: string) =>
  `/api/v1/datasets/${encodeURIComponent(v.dataset_id)}/versions/${v.version}/export${split ? `?split=${encodeURIComponent(split)}` : ''}`;

function versionState(v: DatasetVersion): HTMLElement {
  return h('span', { class: `badge ${v.state === 'frozen' ? 'state-done' : 'state-queued'}`, 'data-state': v.state }, t(`research.dataset.${v.state}`));
}

function splitCells(v: DatasetVersion | undefined): HTMLElement[] {
  return SPLITS.map(s => h('td', { class: 'num', 'data-split': s }, v?.stats?.splits ? formatNumber(v.stats.splits[s] ?? 0, 0) : '–'));
}

export async function renderDatasets(outlet: HTMLElement): Promise<void> {
  clear(outlet, h('h1', {}, t('research.datasets')), h('p', { class: 'muted' }, t('common.loading')));
  try {
    const list = await get<Page<Dataset>>('/api/v1/datasets?limit=1000');
    // The list has no split sizes: each dataset's detail has its versions' statistics.
    const details = await Promise.all(list.items.map(d => get<DatasetDetail>(`/api/v1/datasets/${encodeURIComponent(d.id)}`).catch(() => null)));
    const rows = list.items.map((d, i) => {
      const versions = details[i]?.versions ?? [];
      const latest = versions.find(v => v.version === d.latest_version) ?? versions[versions.length - 1];
      return h('tr', { 'data-dataset': d.name },
        h('td', {}, h('a', { href: `/datasets/${encodeURIComponent(d.id)}`, 'data-link': true }, d.name)),
        h('td', {}, t(`research.dataset.kind_${d.kind}`, { defaultValue: d.kind })),
        h('td', {}, t(`research.dataset.visibility_${d.visibility}`, { defaultValue: d.visibility })),
        h('td', {}, versions.length ? `${versions.length} · v${latest?.version ?? ''} ` : '–', latest ? versionState(latest) : null),
        h('td', { class: 'num' }, latest ? formatNumber(latest.item_count, 0) : '–'),
        ...splitCells(latest),
        h('td', { class: 'licence' }, d.licence));
    });
    clear(outlet, h('h1', {}, t('research.datasets')),
      h('p', { class: 'muted' }, t('research.dataset.intro')),
      list.items.length === 0 ? h('p', { class: 'muted' }, t('research.dataset.empty')) :
        h('table', { id: 'datasets' },
          h('thead', {}, h('tr', {}, ...[t('research.dataset.name'), t('research.dataset.kind'), t('research.dataset.visibility'), t('research.dataset.versions'),
            t('research.dataset.items'), t('research.split.train'), t('research.split.validation'), t('research.split.test'), t('research.dataset.licence')]
            .map((x, i) => h('th', { scope: 'col', class: i >= 4 && i <= 7 ? 'num' : undefined }, x)))),
          h('tbody', {}, ...rows)));
  } catch (err) {
    clear(outlet, h('h1', {}, t('research.datasets')), h('p', { class: 'error' }, errorText(err)));
  }
}

function labelsTable(v: DatasetVersion): HTMLElement | null {
  const labels = v.stats?.labels;
  if (!labels || Object.keys(labels).length === 0) return null;
  return h('table', { class: 'labels', 'aria-label': t('research.dataset.labels') },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('research.dataset.label_header')), ...SPLITS.map(s => h('th', { scope: 'col', class: 'num' }, t(`research.split.${s}`))))),
    h('tbody', {}, ...Object.entries(labels).map(([label, counts]) => h('tr', { 'data-label': label },
      h('td', {}, label), ...SPLITS.map(s => h('td', { class: 'num' }, formatNumber(counts[s] ?? 0, 0)))))));
}

function columnsTable(v: DatasetVersion): HTMLElement | null {
  const cols = v.stats?.columns ?? v.schema?.columns;
  if (!cols || cols.length === 0) return null;
  const label = v.schema?.label_column;
  return h('details', {}, h('summary', {}, t('research.dataset.columns', { count: cols.length })),
    h('table', {}, h('thead', {}, h('tr', {}, ...['research.dataset.column', 'research.dataset.type', 'research.dataset.missing', 'research.dataset.min', 'research.dataset.mean', 'research.dataset.max'].map(k => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, ...cols.map(c => {
        const s = c as { name: string; type: string; missing?: number; min?: number; mean?: number; max?: number };
        return h('tr', {}, h('td', {}, c.name, c.name === label ? ` (${t('research.dataset.label')})` : ''), h('td', {}, c.type),
          h('td', { class: 'num' }, fmt(s.missing, 0)), h('td', { class: 'num' }, fmt(s.min)), h('td', { class: 'num' }, fmt(s.mean)), h('td', { class: 'num' }, fmt(s.max)));
      }))));
}

// Freezing a draft (owner institution): POST …/versions/{v}/freeze, then the page again.
function freezeButton(v: DatasetVersion, refresh: () => void): HTMLElement {
  const status = h('span', { role: 'status' });
  const button = h('button', { type: 'button', class: 'freeze' }, t('research.dataset.freeze'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await post(`/api/v1/datasets/${encodeURIComponent(v.dataset_id)}/versions/${v.version}/freeze`);
      refresh();
    } catch (err) {
      status.textContent = errorText(err);
      button.disabled = false;
    }
  });
  return h('span', {}, button, ' ', status);
}

function versionCard(v: DatasetVersion, owner: boolean, refresh: () => void): HTMLElement {
  const stats = v.stats ?? {};
  const imaging = ['patients', 'studies', 'instances', 'annotated_series'].filter(k => typeof (stats as Record<string, unknown>)[k] === 'number');
  const split = v.split ?? {};
  const splitText = typeof split.method === 'string' ? t(`research.dataset.split_${split.method}`, { defaultValue: String(split.method), column: String(split.column ?? ''), seed: String(split.seed ?? '') }) : '';
  return h('section', { class: 'card dataset-version', 'data-version': String(v.version) },
    h('h2', {}, `${t('research.dataset.version')} ${v.version} `, versionState(v)),
    h('p', { class: 'muted' }, `${t('research.dataset.items')}: ${formatNumber(v.item_count, 0)} · ${t('research.created')}: ${formatDateTime(v.created_at)}`,
      v.frozen_at ? ` · ${t('research.dataset.frozen_at')}: ${formatDateTime(v.frozen_at)}` : '',
      splitText ? ` · ${splitText}` : ''),
    imaging.length ? h('p', {}, imaging.map(k => `${t(`research.dataset.${k}`)}: ${(stats as Record<string, number>)[k]}`).join(' · ')) : null,
    h('table', { class: 'splits', 'aria-label': t('research.dataset.splits') },
      h('thead', {}, h('tr', {}, ...SPLITS.map(s => h('th', { scope: 'col', class: 'num' }, t(`research.split.${s}`))))),
      h('tbody', {}, h('tr', {}, ...splitCells(v)))),
    labelsTable(v),
    columnsTable(v),
    v.state === 'frozen'
      ? h('p', { class: 'exports' }, `${t('research.dataset.export')}: `,
          h('a', { href: exportHref(v), download: '', 'data-export': 'all' }, t('research.dataset.export_all')), ' · ',
          ...SPLITS.filter(s => (v.stats?.splits?.[s] ?? 0) > 0).flatMap((s, i) => [i ? ' · ' : '', h('a', { href: exportHref(v, s), download: '' }, t(`research.split.${s}`))]),
          h('span', { class: 'muted' }, ` (${t('research.dataset.export_audited')})`))
      : h('p', { class: 'muted' }, t('research.dataset.draft_hint'), ' ', owner ? freezeButton(v, refresh) : null),
    v.content_sha256 ? h('p', { class: 'muted digest' }, `SHA-256 ${v.content_sha256}`) : null);
}

export async function renderDataset(outlet: HTMLElement, id: string): Promise<void> {
  const back = h('p', {}, h('a', { href: '/datasets', 'data-link': true }, `← ${t('research.datasets')}`));
  clear(outlet, back, h('p', { class: 'muted' }, t('common.loading')));
  try {
    const d = await get<DatasetDetail>(`/api/v1/datasets/${encodeURIComponent(id)}`);
    const ds = d.dataset;
    const versions = [...d.versions].sort((a, b) => b.version - a.version);
    const s = currentSession();
    const owner = !!s && (s.user.institution_id === ds.institution_id || s.user.roles.includes('admin'));
    clear(outlet, back,
      h('h1', { 'data-dataset': ds.name }, ds.name),
      h('section', { class: 'card' },
        ds.description ? h('p', {}, ds.description) : null,
        h('dl', { class: 'facts' },
          h('dt', {}, t('research.dataset.kind')), h('dd', {}, t(`research.dataset.kind_${ds.kind}`, { defaultValue: ds.kind })),
          h('dt', {}, t('research.dataset.visibility')), h('dd', {}, t(`research.dataset.visibility_${ds.visibility}`, { defaultValue: ds.visibility })),
          h('dt', {}, t('research.dataset.licence')), h('dd', { id: 'dataset-licence' }, ds.licence),
          h('dt', {}, t('research.dataset.data_use')), h('dd', {}, ds.data_use),
          h('dt', {}, t('research.dataset.source')), h('dd', {}, ds.source),
          h('dt', {}, t('research.created')), h('dd', {}, formatDateTime(ds.created_at)),
          h('dt', {}, 'ID'), h('dd', {}, h('code', {}, ds.id))),
        mayTrain() ? h('p', {}, h('a', { href: `/training?dataset=${encodeURIComponent(ds.id)}`, 'data-link': true, class: 'button' }, t('research.training.train_on_this'))) : null),
      ...versions.map(v => versionCard(v, owner, () => void renderDataset(outlet, id))));
  } catch (err) {
    clear(outlet, back, h('p', { class: 'error' }, errorText(err)));
  }
}
