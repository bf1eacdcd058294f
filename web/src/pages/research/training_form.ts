// The form that starts a training job: dataset + frozen version,
// architecture (those the server offers), hyper-parameters as JSON with a
// per-architecture example, seed, threads → POST /api/v1/training-jobs.
// The server's 422 `detail.problems` ([{field, message}]) are listed under
// the hyper-parameter field, one line per problem; an error naming a
// top-level field (detail.field) is shown next to that field.
import { ApiError, get, post } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import { errorText, mayBrowseDatasets } from './common';
import type { Dataset, DatasetDetail, TrainingJob } from './types';

// What each architecture trains (docs/training-models.md) and a starting
// point for its hyper-parameters (docs/training.md, training-models.md).
// XGBoost offers a choice (classification of 2+ label values, or
// regression of a numeric label); the others train one task.
const TASK: Record<string, string> = { xgboost: 'classification', resnet2d: 'classification', unet3d: 'segmentation', detector3d: 'detection' };
const TASK_CHOICES: Record<string, string[]> = { xgboost: ['classification', 'regression'] };
const EXAMPLE: Record<string, Record<string, unknown>> = {
  xgboost: { rounds: 300, max_depth: 3, eta: 0.05, early_stopping_rounds: 30 },
  unet3d: { epochs: 20, batch_size: 2, lr: 0.001, loss: 'dice_ce', patch_size: [32, 32, 32], spacing_mm: [4, 4, 4] },
  detector3d: { epochs: 20, batch_size: 2, lr: 0.001, patch_size: [32, 32, 32], spacing_mm: [2, 2, 2] },
  resnet2d: { epochs: 20, batch_size: 8, lr: 0.001, loss: 'weighted_bce', patch_size: [256, 256] },
};
const FALLBACK_ARCHITECTURES = ['xgboost', 'unet3d', 'detector3d', 'resnet2d'];

// The architectures the server documents for POST /api/v1/training-jobs
// (its OpenAPI request schema: "xgboost | unet3d | …"); a 422 for an unknown
// architecture also lists them (detail.available) and replaces this list.
async function offeredArchitectures(): Promise<string[]> {
  try {
    const doc = await get<any>('/api/v1/openapi.json');
    const desc: unknown = doc?.paths?.['/api/v1/training-jobs']?.post?.requestBody?.content?.['application/json']?.schema?.properties?.architecture?.description;
    if (typeof desc === 'string') {
      const names = desc.split('|').map(s => s.trim()).filter(s => /^[a-z0-9_]+$/.test(s));
      if (names.length) return names;
    }
  } catch {
    /* fall back to the documented list */
  }
  return FALLBACK_ARCHITECTURES;
}

function fieldBox(id: string, label: string, control: HTMLElement, hint?: string): { box: HTMLElement; problems: HTMLElement } {
  const problems = h('ul', { class: 'field-problems', id: `${id}-problems`, 'aria-live': 'polite' });
  control.setAttribute('aria-describedby', `${id}-problems${hint ? ` ${id}-hint` : ''}`);
  const box = h('div', { class: 'form-field', 'data-field': id },
    h('label', { for: id }, label), control, hint ? h('small', { class: 'muted', id: `${id}-hint` }, hint) : null, problems);
  return { box, problems };
}

export async function trainingForm(onCreated: (job: TrainingJob) => void, preselect: string | null): Promise<HTMLElement> {
  const [architectures, datasets] = await Promise.all([
    offeredArchitectures(),
    mayBrowseDatasets() ? get<{ items: Dataset[] }>('/api/v1/datasets?limit=1000').then(r => r.items).catch(() => null) : Promise.resolve(null),  // partners do not browse datasets
  ]);
  const datasetControl: HTMLInputElement | HTMLSelectElement = datasets
    ? h('select', { id: 'train-dataset', name: 'dataset_id', required: true },
        h('option', { value: '' }, t('research.training.choose_dataset')),
        ...datasets.map(d => h('option', { value: d.id, selected: d.id === preselect }, `${d.name} (${t(`research.dataset.kind_${d.kind}`, { defaultValue: d.kind })})`)))
    : h('input', { id: 'train-dataset', name: 'dataset_id', required: true, placeholder: 'ds_…', value: preselect ?? '' });
  const versionSelect = h('select', { id: 'train-version', name: 'dataset_version' }, h('option', { value: '' }, t('research.training.latest_frozen')));
  const archSelect = h('select', { id: 'train-architecture', name: 'architecture' }, ...architectures.map(a => h('option', { value: a }, a)));
  const taskSelect = h('select', { id: 'train-task', name: 'task' });
  const hyper = h('textarea', { id: 'train-hyper', name: 'hyper', rows: 6, spellcheck: 'false', class: 'code' });
  const seed = h('input', { id: 'train-seed', name: 'seed', type: 'number', min: 0, step: 1, value: '7' });
  const threads = h('input', { id: 'train-threads', name: 'threads', type: 'number', min: 1, step: 1, value: '1' });
  const exampleButton = h('button', { type: 'button', id: 'train-example' }, t('research.training.use_example'));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('research.training.start'));
  const status = h('p', { role: 'status', class: 'form-status' });

  const fields = {
    dataset_id: fieldBox('train-dataset', t('research.training.dataset'), datasetControl),
    dataset_version: fieldBox('train-version', t('research.training.dataset_version'), versionSelect),
    architecture: fieldBox('train-architecture', t('research.training.architecture'), archSelect),
    task: fieldBox('train-task', t('research.training.task'), taskSelect),
    hyper: fieldBox('train-hyper', t('research.training.hyper'), hyper, t('research.training.hyper_hint')),
    seed: fieldBox('train-seed', t('research.training.seed'), seed),
    threads: fieldBox('train-threads', t('research.training.threads'), threads),
  };
  type FieldName = keyof typeof fields;

  const setExample = () => {
    const ex = EXAMPLE[archSelect.value];
    hyper.value = ex ? JSON.stringify(ex, null, 2) : '{}';
  };
  setExample();
  archSelect.addEventListener('change', setExample);
  const setTasks = () => {
    const choices = TASK_CHOICES[archSelect.value] ?? (TASK[archSelect.value] ? [TASK[archSelect.value]] : []);
    taskSelect.replaceChildren(...choices.map(c => h('option', { value: c }, t(`research.training.task_${c}`, { defaultValue: c }))));
    fields.task.box.hidden = choices.length < 2;
  };
  setTasks();
  archSelect.addEventListener('change', setTasks);
  exampleButton.addEventListener('click', setExample);
  fields.hyper.box.append(exampleButton);

  const loadVersions = async () => {
    versionSelect.replaceChildren(h('option', { value: '' }, t('research.training.latest_frozen')));
    if (!datasets || !datasetControl.value) return;
    try {
      const d = await get<DatasetDetail>(`/api/v1/datasets/${encodeURIComponent(datasetControl.value)}`);
      for (const v of [...d.versions].sort((a, b) => b.version - a.version))
        versionSelect.append(h('option', { value: String(v.version), disabled: v.state !== 'frozen' },
          `v${v.version} · ${t(`research.dataset.${v.state}`)} · ${v.item_count}`));
    } catch {
      /* the latest frozen version is still offered */
    }
  };
  datasetControl.addEventListener('change', () => void loadVersions());
  void loadVersions();

  const clearProblems = () => {
    for (const f of Object.values(fields)) {
      f.problems.replaceChildren();
      f.box.classList.remove('invalid');
    }
    status.textContent = '';
    status.classList.remove('error');
  };
  const problem = (field: FieldName, name: string | null, message: string) => {
    fields[field].box.classList.add('invalid');
    fields[field].problems.append(h('li', { 'data-field': name ?? field }, name ? h('code', {}, name) : null, name ? `: ${message}` : message));
  };

  const form = h('form', { class: 'card training-form', id: 'training-form', 'aria-labelledby': 'training-form-title', novalidate: true },
    h('h2', { id: 'training-form-title' }, t('research.training.new')),
    h('div', { class: 'form-grid' }, fields.dataset_id.box, fields.dataset_version.box, fields.architecture.box, fields.task.box, fields.seed.box, fields.threads.box),
    fields.hyper.box,
    h('div', { class: 'form-actions' }, submit, status));

  form.addEventListener('submit', async e => {
    e.preventDefault();
    clearProblems();
    let hyperValue: unknown;
    try {
      hyperValue = hyper.value.trim() ? JSON.parse(hyper.value) : {};
      if (typeof hyperValue !== 'object' || hyperValue === null || Array.isArray(hyperValue)) throw new Error(t('research.training.hyper_object'));
    } catch (err) {
      problem('hyper', null, `${t('research.training.hyper_invalid')}: ${(err as Error).message}`);
      hyper.focus();
      return;
    }
    if (!datasetControl.value.trim()) {
      problem('dataset_id', null, t('research.training.dataset_required'));
      datasetControl.focus();
      return;
    }
    const body: Record<string, unknown> = { dataset_id: datasetControl.value.trim(), architecture: archSelect.value, hyper: hyperValue };
    if (taskSelect.value) body.task = taskSelect.value;
    if (versionSelect.value) body.dataset_version = Number(versionSelect.value);
    if (seed.value.trim()) body.seed = Number(seed.value);
    if (threads.value.trim()) body.threads = Number(threads.value);
    submit.disabled = true;
    status.textContent = t('research.training.submitting');
    try {
      const job = await post<TrainingJob>('/api/v1/training-jobs', body);
      status.textContent = t('research.training.queued', { id: job.id });
      onCreated(job);
    } catch (err) {
      status.textContent = '';
      if (err instanceof ApiError) {
        const detail = (err.detail ?? {}) as { problems?: { field: string; message: string }[]; field?: string; available?: string[] };
        if (Array.isArray(detail.available)) {
          // The server's own list of architectures replaces the documented one.
          const current = archSelect.value;
          archSelect.replaceChildren(...detail.available.map(a => h('option', { value: a, selected: a === current }, a)));
        }
        if (Array.isArray(detail.problems) && detail.problems.length) {
          for (const p of detail.problems) problem('hyper', p.field, p.message);
          status.textContent = err.message;
          status.classList.add('error');
          hyper.focus();
        } else if (err.status === 404) {
          problem('dataset_id', null, err.message);  // not found or not visible to the caller
          datasetControl.focus();
        } else if (detail.field && detail.field in fields) {
          problem(detail.field as FieldName, null, err.message);
          (fields[detail.field as FieldName].box.querySelector('input,select,textarea') as HTMLElement | null)?.focus();
        } else {
          status.textContent = errorText(err);
          status.classList.add('error');
        }
      } else {
        status.textContent = errorText(err);
        status.classList.add('error');
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
