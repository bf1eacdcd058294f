// Training (researchers, partners, platform admins): the institution's
// training jobs with state and progress, the form that starts one, and one
// job's page: live progress over Server-Sent Events (epoch, step, loss,
// validation metric, samples/s, ETA), training curves (Chart.js, from the
// job's epoch `history`), cancel, and once finished the evaluation report,
// an evaluation on another dataset/split and publishing (partners).
// API: GET/POST /api/v1/training-jobs, GET /api/v1/training-jobs/{id},
// POST …/cancel, GET …/report, …/report.html, GET /api/v1/jobs/{id}/events,
// POST /api/v1/evaluations, POST …/publish (docs/training.md).
import { get, post, type Page } from '../../api';
import { h, clear } from '../../dom';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { currentSession } from '../../main';
import type { Router } from '../../router';
import { errorText, fmt, followJob, formatSeconds, isFinished, mayBrowseDatasets, parseProgress, stateBadge } from './common';
import { trainingCurves } from './charts';
import { renderReport } from './report';
import { publishForm } from './publish';
import { trainingForm } from './training_form';
import type { Dataset, EvaluationReport, Evaluation, TrainingJob } from './types';

async function datasetsById(): Promise<Map<string, Dataset>> {
  if (!mayBrowseDatasets()) return new Map();
  try {
    const list = await get<Page<Dataset>>('/api/v1/datasets?limit=1000');
    return new Map(list.items.map(d => [d.id, d]));
  } catch {
    return new Map();  // partners do not browse datasets: ids are shown
  }
}

function progressCell(j: TrainingJob): HTMLElement {
  const p = parseProgress(j.progress_message ?? '');
  return h('td', {},
    h('progress', { max: 1, value: j.progress ?? 0, 'aria-label': t('research.training.progress') }),
    h('span', { class: 'muted small' }, p.epoch ? ` ${t('research.training.epoch')} ${p.epoch}` : ''));
}

export async function renderTrainingList(outlet: HTMLElement, query: URLSearchParams, router: Router): Promise<() => void> {
  let timer = 0;
  let stopped = false;
  let rendered = false;
  const tableBox = h('section', { class: 'card', id: 'training-jobs' }, h('h2', {}, t('research.training.jobs')), h('p', { class: 'muted' }, t('common.loading')));
  const datasets = await datasetsById();
  const refresh = async () => {
    // Stops when the page was left (also while it was still loading: the
    // router then never gets this page's cleanup).
    if (stopped || (rendered && !tableBox.isConnected)) return;
    try {
      const list = await get<Page<TrainingJob>>('/api/v1/training-jobs?limit=200');
      clear(tableBox, h('h2', {}, t('research.training.jobs')),
        list.items.length === 0 ? h('p', { class: 'muted' }, t('research.training.empty')) :
          h('table', {},
            h('thead', {}, h('tr', {}, ...['research.training.job', 'research.training.state', 'research.training.architecture', 'research.training.dataset',
              'research.training.progress', 'research.created', 'research.training.finished'].map(k => h('th', { scope: 'col' }, t(k))))),
            h('tbody', {}, ...list.items.map(j => h('tr', { 'data-job': j.id, 'data-state': j.state },
              h('td', {}, h('a', { href: `/training/${encodeURIComponent(j.id)}`, 'data-link': true }, j.id)),
              h('td', {}, stateBadge(j.state)),
              h('td', {}, j.architecture),
              h('td', {}, `${datasets.get(j.dataset_id)?.name ?? j.dataset_id} v${j.dataset_version ?? ''}`),
              progressCell(j),
              h('td', {}, formatDateTime(j.created_at)),
              h('td', {}, formatDateTime(j.finished_at))))),
          list.total > list.items.length ? h('p', { class: 'muted', id: 'training-jobs-count' }, t('common.newest_of_total', { shown: list.items.length, total: list.total })) : null));
      // While a job is queued or running the list refreshes itself.
      if (list.items.some(j => !isFinished(j.state)) && !stopped) timer = window.setTimeout(() => void refresh(), 3000);
    } catch (err) {
      clear(tableBox, h('h2', {}, t('research.training.jobs')), h('p', { class: 'error' }, errorText(err)));
    }
  };
  clear(outlet, h('h1', {}, t('research.training.title')), h('p', { class: 'muted' }, t('common.loading')));
  try {
    const form = await trainingForm(job => router.go(`/training/${encodeURIComponent(job.id)}`), query.get('dataset'));
    clear(outlet, h('h1', {}, t('research.training.title')), form, tableBox);
  } catch (err) {
    clear(outlet, h('h1', {}, t('research.training.title')), h('p', { class: 'error' }, errorText(err)), tableBox);
  }
  rendered = true;
  await refresh();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

// Live figures: from the job event (progress, progress_message) and the last
// history record (samples/s, ETA).
function liveBox(): { element: HTMLElement; update: (job: TrainingJob) => void } {
  const bar = h('progress', { id: 'train-progress', max: 1, value: 0, 'aria-label': t('research.training.progress') });
  const cells: Record<string, HTMLElement> = {};
  const keys = ['epoch', 'step', 'loss', 'val_metric', 'samples_per_second', 'eta'];
  const dl = h('dl', { class: 'live' }, ...keys.flatMap(k => {
    cells[k] = h('dd', { 'data-live': k }, '–');
    return [h('dt', {}, t(`research.live.${k}`)), cells[k]];
  }));
  const percent = h('span', { class: 'percent' }, '');
  // Time left from the progress rate seen here (the trainer's own
  // eta_seconds counts compute only, not the per-round bookkeeping); the
  // trainer's figure until a second of progress has been seen.
  let first: { at: number; progress: number } | null = null;
  const etaOf = (job: TrainingJob, trainerEta: number | undefined): string => {
    const now = performance.now();
    const p = job.progress ?? 0;
    if (!first || p < first.progress) first = { at: now, progress: p };
    const dt = (now - first.at) / 1000;
    const dp = p - first.progress;
    if (dt >= 1 && dp > 0) return formatSeconds(((1 - p) * dt) / dp);
    return formatSeconds(trainerEta);
  };
  const element = h('section', { class: 'card live-progress', id: 'live-progress', 'aria-live': 'polite' },
    h('h2', {}, t('research.live.title')), h('div', { class: 'bar' }, bar, percent), dl);
  return {
    element,
    update: job => {
      bar.value = job.progress ?? 0;
      percent.textContent = ` ${formatNumber((job.progress ?? 0) * 100, 0)} %`;
      const p = parseProgress(job.progress_message ?? '');
      if (p.epoch) cells.epoch.textContent = p.epoch;
      if (p.step) cells.step.textContent = p.step;
      if (p.loss) cells.loss.textContent = p.loss;
      const metric = Object.keys(p).find(k => k.startsWith('val_') && k !== 'val_loss') ?? (p.val_loss ? 'val_loss' : undefined);
      if (metric) cells.val_metric.textContent = `${metric.replace(/^val_/, '')} ${p[metric]}`;
      const last = job.history?.[job.history.length - 1];
      if (last) {
        if (!p.epoch) cells.epoch.textContent = `${last.epoch}/${last.epochs}`;
        if (!p.loss) cells.loss.textContent = fmt(last.loss, 4);
        cells.samples_per_second.textContent = typeof last.samples_per_second === 'number' ? formatNumber(last.samples_per_second, 0) : '–';
        cells.eta.textContent = isFinished(job.state) ? '–' : etaOf(job, last.eta_seconds);
      }
      element.dataset.state = job.state;
    },
  };
}

function facts(job: TrainingJob, datasetName: string | undefined): HTMLElement {
  const row = (k: string, v: Node | string) => [h('dt', {}, t(k)), h('dd', {}, v)];
  return h('dl', { class: 'facts' },
    ...row('research.training.architecture', `${job.architecture} (${job.task})`),
    ...row('research.training.dataset', h('span', {}, datasetName ? h('a', { href: `/datasets/${encodeURIComponent(job.dataset_id)}`, 'data-link': true }, datasetName) : job.dataset_id, ` v${job.dataset_version ?? ''}`)),
    ...row('research.training.seed', String(job.seed ?? '–')),
    ...row('research.training.threads', String(job.threads ?? '–')),
    ...row('research.training.hyper', h('code', {}, JSON.stringify(job.hyper ?? {}))),
    ...row('research.created', formatDateTime(job.created_at)),
    ...row('research.training.started', formatDateTime(job.started_at) || '–'),
    ...row('research.training.finished', formatDateTime(job.finished_at) || '–'),
    ...(job.model ? row('research.report.digest', h('code', {}, `sha256:${job.model.sha256}`)) : []));
}

function evaluateForm(job: TrainingJob, datasets: Map<string, Dataset>, router: Router): HTMLElement {
  const tabular = [...datasets.values()].filter(d => d.kind === 'tabular');
  const dataset = tabular.length
    ? h('select', { id: 'eval-dataset' }, ...tabular.map(d => h('option', { value: d.id, selected: d.id === job.dataset_id }, d.name)))
    : h('input', { id: 'eval-dataset', value: job.dataset_id });
  const split = h('select', { id: 'eval-split' }, ...['test', 'validation', 'train', 'all'].map(s => h('option', { value: s }, t(`research.split.${s}`))));
  const status = h('p', { role: 'status' });
  const button = h('button', { type: 'submit' }, t('research.evaluation.run'));
  const form = h('form', { class: 'inline-form', id: 'evaluate-form', 'aria-label': t('research.evaluation.new') },
    h('label', { for: 'eval-dataset' }, t('research.training.dataset'), dataset),
    h('label', { for: 'eval-split' }, t('research.report.split'), split), button, status);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    button.disabled = true;
    status.textContent = t('research.evaluation.running');
    try {
      const ev = await post<Evaluation>('/api/v1/evaluations', { training_job_id: job.id, dataset_id: dataset.value, split: split.value });
      router.go(`/evaluations/${encodeURIComponent(ev.id)}`);
    } catch (err) {
      status.textContent = errorText(err);
      status.classList.add('error');
      button.disabled = false;
    }
  });
  return h('section', { class: 'card' }, h('h2', {}, t('research.evaluation.new')), h('p', { class: 'muted' }, t('research.evaluation.hint')), form);
}

export async function renderTrainingJob(outlet: HTMLElement, id: string, router: Router): Promise<() => void> {
  const back = h('p', {}, h('a', { href: '/training', 'data-link': true }, `← ${t('research.training.title')}`));
  let stopFollowing: () => void = () => {};
  let curves: ReturnType<typeof trainingCurves> | null = null;
  let stopped = false;
  const cleanup = () => {
    stopped = true;
    stopFollowing();
    curves?.destroy();
  };
  clear(outlet, back, h('p', { class: 'muted' }, t('common.loading')));
  let job: TrainingJob;
  try {
    job = await get<TrainingJob>(`/api/v1/training-jobs/${encodeURIComponent(id)}`);
  } catch (err) {
    clear(outlet, back, h('p', { class: 'error' }, errorText(err)));
    return cleanup;
  }
  const datasets = await datasetsById();
  const title = h('h1', { id: 'job-title' }, `${t('research.training_job')} ${job.id} `, stateBadge(job.state));
  const errorBox = h('p', { class: 'error', id: 'job-error' });
  const factsBox = h('section', { class: 'card' }, facts(job, datasets.get(job.dataset_id)?.name));
  const live = liveBox();
  curves = trainingCurves(job.history ?? []);
  const curvesBox = h('section', { class: 'card' }, h('h2', {}, t('research.curves.title')), curves.element);
  const cancelStatus = h('span', { role: 'status' });
  const cancel = h('button', { type: 'button', id: 'cancel-job', onclick: async () => {
    cancel.disabled = true;
    try {
      await post(`/api/v1/training-jobs/${encodeURIComponent(job.id)}/cancel`);
      cancelStatus.textContent = t('research.training.cancel_requested');
    } catch (err) {
      cancelStatus.textContent = errorText(err);
      cancel.disabled = false;
    }
  } }, t('research.training.cancel'));
  const actions = h('p', { class: 'actions-row' }, cancel, ' ', cancelStatus);
  const after = h('div', { id: 'job-after' });
  clear(outlet, back, title, errorBox, actions, live.element, curvesBox, after, factsBox);

  let finishedShown = false;
  const showFinished = async (j: TrainingJob) => {
    if (finishedShown) return;
    finishedShown = true;
    cancel.hidden = true;
    if (j.error) errorBox.textContent = `${j.error.code}: ${j.error.message}`;
    if (j.state === 'failed' || j.state === 'cancelled') {
      // POST /api/v1/jobs/{id}/retry queues it again with a fresh attempt budget.
      const retry = h('button', { type: 'button', id: 'retry-job' }, t('research.training.retry'));
      retry.addEventListener('click', async () => {
        retry.disabled = true;
        try {
          await post(`/api/v1/jobs/${encodeURIComponent(j.id)}/retry`);
          router.go(`/training/${encodeURIComponent(j.id)}`, true);
        } catch (err) {
          cancelStatus.textContent = errorText(err);
          retry.disabled = false;
        }
      });
      actions.append(retry);
    }
    if (j.state !== 'succeeded' || !j.has_report) return;
    try {
      const report = await get<EvaluationReport>(`/api/v1/training-jobs/${encodeURIComponent(j.id)}/report`);
      if (stopped) return;
      const s = currentSession();
      clear(after,
        renderReport(report, { htmlHref: `/api/v1/training-jobs/${encodeURIComponent(j.id)}/report.html`, digest: j.model ? `sha256:${j.model.sha256}` : null, curves: false }),
        // Evaluations run tabular models so far (docs/training.md): not offered for imaging models.
        datasets.get(j.dataset_id)?.kind === 'imaging' ? null : evaluateForm(j, datasets, router),
        s?.has('partner') ? publishForm(j) : null);
    } catch (err) {
      clear(after, h('p', { class: 'error' }, errorText(err)));
    }
  };

  const apply = (j: TrainingJob) => {
    job = j;
    clear(title, `${t('research.training_job')} ${j.id} `, stateBadge(j.state));
    live.update(j);
    if (j.history) curves!.update(j.history);
    clear(factsBox, facts(j, datasets.get(j.dataset_id)?.name));
  };
  apply(job);
  if (isFinished(job.state)) {
    await showFinished(job);
    return cleanup;
  }

  // Job events carry state and progress; the epoch history (curves,
  // samples/s, ETA) comes from the training job, fetched at most once a
  // second while events arrive.
  let fetching = false;
  let again = false;
  const refetch = async (): Promise<void> => {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      const full = await get<TrainingJob>(`/api/v1/training-jobs/${encodeURIComponent(id)}`);
      if (stopped) return;
      apply(full);
      if (isFinished(full.state)) await showFinished(full);
    } catch {
      /* the next event retries */
    } finally {
      await new Promise(r => setTimeout(r, 1000));
      fetching = false;
      if (again && !stopped) {
        again = false;
        void refetch();
      }
    }
  };
  // Left while loading: the router never gets this cleanup, so nothing is started.
  if (!title.isConnected) return cleanup;
  stopFollowing = followJob<TrainingJob>(id, ev => {
    if (!title.isConnected) cleanup();
    if (stopped) return;
    live.update({ ...job, state: ev.state, progress: ev.progress, progress_message: ev.progress_message, error: ev.error });
    clear(title, `${t('research.training_job')} ${ev.id} `, stateBadge(ev.state));
    live.element.dataset.events = String(Number(live.element.dataset.events ?? 0) + 1);
    void refetch();
  }, message => {
    errorBox.textContent = t('research.live.lost', { message });
  });
  return cleanup;
}
