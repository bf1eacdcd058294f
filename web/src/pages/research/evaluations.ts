// Evaluations (researchers, partners, institution admins): the
// institution's evaluation reports, and one report with its headline
// metrics, per-split metrics, ROC curves and figures, the research-use
// notice and the subject (model / app name, version, digest).
// API: GET /api/v1/evaluations, GET /api/v1/evaluations/{id},
// …/report.html; the digest from GET /api/v1/training-jobs/{id} (model
// SHA-256) or GET /api/v1/apps/{name}/versions/{version} (package digest).
import { ApiError, get, post, type App, type Page } from '../../api';
import { h, clear } from '../../dom';
import { formatDateTime, t } from '../../i18n';
import { errorText, fmt, mayBrowseDatasets, mayTrain, subjectText } from './common';
import { renderReport } from './report';
import type { Router } from '../../router';
import type { Dataset, Evaluation, TrainingJob } from './types';

// A new evaluation: a succeeded training job or an app version (approval not
// needed: an institution evaluates a vendor's version on its own labelled
// data before approving it) on a dataset's split → POST /api/v1/evaluations.
async function evaluationForm(datasets: Dataset[] | null, router: Router): Promise<HTMLElement> {
  const [jobs, apps] = await Promise.all([
    !mayTrain() ? Promise.resolve([] as TrainingJob[]) : get<Page<TrainingJob>>('/api/v1/training-jobs?limit=200').then(r => r.items.filter(j => j.state === 'succeeded')).catch(() => [] as TrainingJob[]),
    get<Page<App>>('/api/v1/apps?limit=200').then(r => r.items.filter(a => a.versions.some(v => (v.task ?? '').includes('tabular') || v.task === undefined))).catch(() => [] as App[]),
  ]);
  const names = new Map((datasets ?? []).map(d => [d.id, d.name]));
  const model = h('select', { id: 'evaluation-model', required: true },
    jobs.length ? h('optgroup', { label: t('research.training.jobs') }, ...jobs.map(j => h('option', { value: `job:${j.id}` },
      `${j.id} · ${j.architecture} · ${names.get(j.dataset_id) ?? j.dataset_id} v${j.dataset_version ?? ''}`))) : null,
    apps.length ? h('optgroup', { label: t('research.evaluation.app_versions') }, ...apps.flatMap(a => a.versions.map(v =>
      h('option', { value: `app:${a.name}@${v.version}` }, `${a.display_name || a.name} ${v.version} · ${a.vendor}`)))) : null);
  const dataset = datasets
    ? h('select', { id: 'evaluation-dataset', required: true }, ...datasets.filter(d => d.kind === 'tabular').map(d => h('option', { value: d.id }, d.name)))
    : h('input', { id: 'evaluation-dataset', required: true, placeholder: 'ds_…' });
  const split = h('select', { id: 'evaluation-split' }, ...['test', 'validation', 'train', 'all'].map(s => h('option', { value: s }, t(`research.split.${s}`))));
  const button = h('button', { type: 'submit', class: 'primary' }, t('research.evaluation.run'));
  const status = h('div', { role: 'status', id: 'evaluation-status' });
  const form = h('form', { class: 'card', id: 'evaluation-form', 'aria-labelledby': 'evaluation-form-title' },
    h('h2', { id: 'evaluation-form-title' }, t('research.evaluation.new')),
    h('div', { class: 'form-grid' },
      h('div', { class: 'form-field' }, h('label', { for: 'evaluation-model' }, t('research.report.subject')), model),
      h('div', { class: 'form-field' }, h('label', { for: 'evaluation-dataset' }, t('research.training.dataset')), dataset),
      h('div', { class: 'form-field' }, h('label', { for: 'evaluation-split' }, t('research.report.split')), split)),
    h('div', { class: 'form-actions' }, button), status);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    status.replaceChildren();
    status.className = '';
    const chosen = model.value;
    if (!chosen || !dataset.value.trim()) {
      status.className = 'error';
      status.textContent = t('research.evaluation.choose');
      return;
    }
    const body: Record<string, unknown> = { dataset_id: dataset.value.trim(), split: split.value };
    if (chosen.startsWith('job:')) body.training_job_id = chosen.slice(4);
    else {
      const at = chosen.lastIndexOf('@');
      body.app_name = chosen.slice(4, at);
      body.app_version = chosen.slice(at + 1);
    }
    button.disabled = true;
    status.textContent = t('research.evaluation.running');
    try {
      const ev = await post<Evaluation>('/api/v1/evaluations', body);
      router.go(`/evaluations/${encodeURIComponent(ev.id)}`);
    } catch (err) {
      status.className = 'error';
      status.textContent = errorText(err);
      const missing = err instanceof ApiError ? (err.detail as { missing_features?: string[] } | null)?.missing_features : undefined;
      if (missing?.length) status.append(h('p', {}, `${t('research.evaluation.missing_features')}: ${missing.join(', ')}`));
      button.disabled = false;
    }
  });
  if (!jobs.length && !apps.length) {
    button.disabled = true;
    status.textContent = t('research.evaluation.no_models');
  }
  return form;
}

export async function renderEvaluations(outlet: HTMLElement, router: Router): Promise<void> {
  clear(outlet, h('h1', {}, t('research.evaluation.title')), h('p', { class: 'muted' }, t('common.loading')));
  try {
    const [list, datasets] = await Promise.all([
      get<Page<Evaluation>>('/api/v1/evaluations?limit=200'),
      mayBrowseDatasets() ? get<Page<Dataset>>('/api/v1/datasets?limit=1000').then(r => r.items).catch(() => null) : Promise.resolve(null),  // partners do not browse datasets
    ]);
    const names = new Map((datasets ?? []).map(d => [d.id, d.name]));
    const form = await evaluationForm(datasets, router);
    clear(outlet, h('h1', {}, t('research.evaluation.title')),
      h('p', { class: 'muted' }, t('research.evaluation.intro')),
      form,
      list.items.length === 0 ? h('p', { class: 'muted' }, t('research.evaluation.empty')) :
        h('table', { id: 'evaluations' },
          h('thead', {}, h('tr', {}, ...['research.evaluation.report', 'research.report.subject', 'research.report.dataset', 'research.report.split', 'research.report.auc', 'research.created']
            .map(k => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, ...list.items.map(e => h('tr', { 'data-evaluation': e.id },
            h('td', {}, h('a', { href: `/evaluations/${encodeURIComponent(e.id)}`, 'data-link': true }, e.id)),
            h('td', {}, subjectText(e.subject)),
            h('td', {}, `${names.get(e.dataset_id) ?? e.dataset_id} v${e.dataset_version}`),
            h('td', {}, t(`research.split.${e.split}`, { defaultValue: e.split })),
            h('td', { class: 'num' }, fmt(e.auc)),
            h('td', {}, formatDateTime(e.created_at)))))),
      list.total > list.items.length ? h('p', { class: 'muted', id: 'evaluations-count' }, t('common.newest_of_total', { shown: list.items.length, total: list.total })) : null);
  } catch (err) {
    clear(outlet, h('h1', {}, t('research.evaluation.title')), h('p', { class: 'error' }, errorText(err)));
  }
}

async function digestOf(subject: Record<string, unknown>): Promise<string | null> {
  try {
    if (subject.kind === 'training_job' && typeof subject.id === 'string') {
      const job = await get<TrainingJob>(`/api/v1/training-jobs/${encodeURIComponent(subject.id)}`);
      return job.model ? `sha256:${job.model.sha256}` : null;
    }
    if (typeof subject.app === 'string' && typeof subject.version === 'string') {
      const v = await get<{ digest?: string }>(`/api/v1/apps/${encodeURIComponent(subject.app)}/versions/${encodeURIComponent(subject.version)}`);
      return v.digest ?? null;
    }
  } catch {
    /* not visible to the caller any more: the report still names the subject */
  }
  return null;
}

export async function renderEvaluation(outlet: HTMLElement, id: string): Promise<void> {
  const back = h('p', {}, h('a', { href: '/evaluations', 'data-link': true }, `← ${t('research.evaluation.title')}`));
  clear(outlet, back, h('p', { class: 'muted' }, t('common.loading')));
  try {
    const e = await get<Evaluation>(`/api/v1/evaluations/${encodeURIComponent(id)}`);
    const digest = await digestOf(e.subject ?? {});
    const report = e.report ?? { schema: '' };
    clear(outlet, back,
      h('h1', { id: 'evaluation-title' }, report.title ?? `${t('research.evaluation.report')} ${e.id}`),
      h('p', { class: 'muted' }, `${t('research.report.split')}: ${t(`research.split.${e.split}`, { defaultValue: e.split })} · ${formatDateTime(e.created_at)}`,
        e.subject?.kind === 'training_job' && typeof e.subject.id === 'string'
          ? h('span', {}, ' · ', h('a', { href: `/training/${encodeURIComponent(e.subject.id)}`, 'data-link': true }, t('research.evaluation.open_job')))
          : null),
      renderReport(report, { htmlHref: `/api/v1/evaluations/${encodeURIComponent(e.id)}/report.html`, digest }));
  } catch (err) {
    clear(outlet, back, h('p', { class: 'error' }, errorText(err)));
  }
}
