// One evaluation report (`medai.evaluation-report/1`, docs/training.md):
// the research-use notice, the subject (model / app, version, digest) and
// dataset, headline metrics, a per-split table, the ROC curves (Chart.js,
// from the report's own points), training curves when the report has a
// history, and the report's SVG figures (as images: no markup from data
// enters the page). Used by the training-job and evaluation pages.
import { h } from '../../dom';
import { formatNumber, formatDateTime, t } from '../../i18n';
import { fmt, subjectText } from './common';
import { rocChart, trainingCurves } from './charts';
import type { EvaluationReport, SplitReport } from './types';

const SPLIT_ORDER = ['test', 'validation', 'train', 'all'];

function splitEntries(report: EvaluationReport): [string, SplitReport][] {
  return Object.entries(report.splits ?? {}).sort((a, b) => {
    const ia = SPLIT_ORDER.indexOf(a[0]);
    const ib = SPLIT_ORDER.indexOf(b[0]);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
}

const splitName = (s: string) => t(`research.split.${s}`, { defaultValue: s });

function aucText(s: SplitReport): string {
  if (typeof s.auc !== 'number') return '–';
  const ci = s.auc_ci;
  return ci ? `${fmt(s.auc)} (${formatNumber((ci.level ?? 0.95) * 100, 0)} % CI ${fmt(ci.lower)}–${fmt(ci.upper)})` : fmt(s.auc);
}

// The headline number of a split: ROC AUC for classification, otherwise the
// task's own metric (segmentation Dice, detection CPM, a trainer's `score`).
const HEADLINE = ['auc', 'macro_auc', 'mae', 'dice', 'mean_dice', 'cpm', 'score'];
const METRIC_NAME: Record<string, string> = { auc: 'ROC AUC', macro_auc: 'macro ROC AUC', mae: 'MAE', dice: 'Dice', mean_dice: 'Dice', cpm: 'CPM', score: 'score' };
function headline(splits: [string, SplitReport][]): HTMLElement {
  return h('div', { class: 'headline' }, ...splits.flatMap(([name, s]) => {
    const key = HEADLINE.find(k => typeof s[k] === 'number');
    if (!key) return [];
    const ci = (key === 'auc' ? s.auc_ci : s[`${key}_ci`]) as SplitReport['auc_ci'] | null | undefined;
    return [h('div', { class: 'metric', 'data-split': name, 'data-metric': key },
      h('span', { class: 'metric-label' }, `${METRIC_NAME[key]} · ${splitName(name)}`),
      h('span', { class: 'metric-value' }, fmt(s[key])),
      ci ? h('span', { class: 'muted' }, `${formatNumber((ci.level ?? 0.95) * 100, 0)} % CI ${fmt(ci.lower)}–${fmt(ci.upper)}`) : null)];
  }));
}

// Numbers of a split other than the classification block (segmentation,
// detection producers add their own): shown as name = value.
function extraNumbers(s: SplitReport): string {
  const known = new Set(['cases', 'positives', 'negatives', 'auc', 'auc_ci', 'roc', 'at_thresholds', 'at_target_specificity', 'calibration']);
  return Object.entries(s).filter(([k, v]) => !known.has(k) && typeof v === 'number').map(([k, v]) => `${k} ${fmt(v)}`).join(' · ');
}

// Columns with no value in any split (e.g. the classification ones of a
// segmentation report) are left out.
function splitTable(splits: [string, SplitReport][]): HTMLElement {
  type Column = { key: string; num: boolean; cell: (s: SplitReport) => string };
  const all: Column[] = [
    { key: 'research.report.cases', num: true, cell: s => fmt(s.cases, 0) },
    { key: 'research.report.positives', num: true, cell: s => (typeof s.positives === 'number' ? `${s.positives} / ${s.negatives ?? '–'}` : '–') },
    { key: 'research.report.auc', num: true, cell: aucText },
    { key: 'research.report.sens_spec', num: true, cell: s => { const at = s.at_thresholds?.[0]; return at ? `${fmt(at.sensitivity)} / ${fmt(at.specificity)} @ ${fmt(at.threshold, 2)}` : '–'; } },
    { key: 'research.report.brier', num: true, cell: s => fmt(s.calibration?.brier) },
    { key: 'research.report.ece', num: true, cell: s => fmt(s.calibration?.expected_calibration_error) },
    { key: 'research.report.other', num: false, cell: s => extraNumbers(s) },
  ];
  const columns = all.filter(c => splits.some(([, s]) => { const v = c.cell(s); return v !== '–' && v !== ''; }));
  return h('table', { class: 'split-metrics', 'aria-label': t('research.report.per_split') },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('research.report.split')), ...columns.map(c => h('th', { scope: 'col', class: c.num ? 'num' : undefined }, t(c.key))))),
    h('tbody', {}, ...splits.map(([name, s]) => h('tr', { 'data-split': name },
      h('td', {}, splitName(name)), ...columns.map(c => h('td', { class: c.num ? 'num' : undefined }, c.cell(s)))))));
}

function figure(f: { title: string; svg: string }): HTMLElement {
  // An <img> never runs script inside the SVG; data: images are allowed by the portal's CSP.
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(f.svg)}`;
  return h('figure', { class: 'report-figure' }, h('img', { src, alt: f.title }), h('figcaption', {}, f.title));
}

export interface ReportOptions {
  htmlHref: string;      // the report.html endpoint of the API
  digest?: string | null; // model SHA-256 (training job) or app package digest
  curves?: boolean;       // draw the history's training curves (default true)
}

export function renderReport(report: EvaluationReport, options: ReportOptions): HTMLElement {
  const splits = splitEntries(report);
  const subject = report.subject ?? {};
  const ds = report.dataset ?? {};
  const notes = report.notes ?? [];
  const curves = options.curves !== false && report.history && report.history.length ? trainingCurves(report.history, 'report-curves') : null;
  return h('section', { class: 'card report', id: 'report' },
    h('h2', {}, t('research.report.title')),
    h('p', { class: 'ruo-note', role: 'note' }, h('span', { class: 'ruo' }, t('viewer.research_use_only')), ' ', t('research.report.ruo_text')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('research.report.subject')), h('dd', { id: 'report-subject' }, subjectText(subject)),
      options.digest ? h('dt', {}, t('research.report.digest')) : null, options.digest ? h('dd', {}, h('code', {}, options.digest)) : null,
      h('dt', {}, t('research.report.dataset')), h('dd', {}, `${ds.name ?? ds.id ?? ''} v${ds.version ?? ''}`, ds.licence ? h('span', { class: 'muted' }, ` · ${ds.licence}`) : null),
      report.task ? h('dt', {}, t('research.report.task')) : null, report.task ? h('dd', {}, report.task) : null,
      report.created_at ? h('dt', {}, t('research.created')) : null, report.created_at ? h('dd', {}, formatDateTime(report.created_at)) : null,
      typeof report.best_epoch === 'number' ? h('dt', {}, t('research.report.best_epoch')) : null,
      typeof report.best_epoch === 'number' ? h('dd', {}, `${report.best_epoch}${typeof report.rounds_trained === 'number' ? ` / ${report.rounds_trained}` : ''}`) : null),
    headline(splits),
    splits.length ? splitTable(splits) : h('p', { class: 'muted' }, t('research.report.no_splits')),
    rocChart(splits),
    curves ? h('h3', {}, t('research.curves.title')) : null, curves?.element ?? null,
    ...(report.figures ?? []).map(figure),
    notes.length ? h('ul', { class: 'notes' }, ...notes.map(n => h('li', {}, n))) : null,
    h('p', {}, h('a', { href: options.htmlHref, target: '_blank', rel: 'noopener', id: 'report-html' }, t('research.report.open_html'))));
}
