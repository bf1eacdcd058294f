// Evaluations (researchers, partners, institution admins): the
// institution's evaluation reports, and one report with its headline
// metrics, per-split metrics, ROC curves and figures, the research-use
// notice and the subject (model / app name, version, digest).
// API: GET /api/v1/evaluations, GET /api/v1/evaluations/{id},
// …/report.html; the digest from GET /api/v1/training-jobs/{id} (model
// SHA-256) or GET /api/v1/apps/{name}/versions/{version} (package digest).
import { get, type Page } from '../../api';
import { h, clear } from '../../dom';
import { formatDateTime, t } from '../../i18n';
import { errorText, fmt, subjectText } from './common';
import { renderReport } from './report';
import type { Dataset, Evaluation, TrainingJob } from './types';

export async function renderEvaluations(outlet: HTMLElement): Promise<void> {
  clear(outlet, h('h1', {}, t('research.evaluation.title')), h('p', { class: 'muted' }, t('common.loading')));
  try {
    const [list, datasets] = await Promise.all([
      get<Page<Evaluation>>('/api/v1/evaluations?limit=200'),
      get<Page<Dataset>>('/api/v1/datasets?limit=1000').catch(() => ({ items: [] as Dataset[] })),
    ]);
    const names = new Map(datasets.items.map(d => [d.id, d.name]));
    clear(outlet, h('h1', {}, t('research.evaluation.title')),
      h('p', { class: 'muted' }, t('research.evaluation.intro')),
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
            h('td', {}, formatDateTime(e.created_at)))))));
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
