// Worklist: the institution's studies (QIDO-RS) with the AI status per app
// (app.run jobs from the jobs API), filters, paging and study upload.
import { dicomSearch, get, tagString, type DicomJson, type Job, type Page } from '../api';
import { h, clear } from '../dom';
import { formatDicomDate, formatNumber, formatPersonName, t } from '../i18n';
import type { Router } from '../router';
import { filesOfDrop, uploadFiles } from '../upload';

const PAGE_SIZE = 25;
const POLL_MS = 2000;

// Latest app.run job per (study, app) for the studies shown (one request:
// GET /api/v1/jobs?study_uid=a,b,… is an index lookup on the server).
async function aiStatusByStudy(studyUids: string[]): Promise<Map<string, Map<string, Job>>> {
  const out = new Map<string, Map<string, Job>>();
  if (studyUids.length === 0) return out;
  const page = await get<Page<Job>>(`/api/v1/jobs?type=app.run&limit=1000&study_uid=${studyUids.map(encodeURIComponent).join(',')}`);
  for (const job of page.items) {  // newest first: keep the first seen
    const study = String(job.input.study_uid ?? '');
    const app = String(job.input.app ?? '');
    if (!study || !app) continue;
    if (!out.has(study)) out.set(study, new Map());
    const perApp = out.get(study)!;
    if (!perApp.has(app)) perApp.set(app, job);
  }
  return out;
}

function statusBadge(app: string, job: Job): HTMLElement {
  const key = job.state === 'succeeded' ? 'done' : job.state;
  const label = `${app}: ${t(`status.${key}`)}`;
  const badge = h('span', { class: `badge state-${key}`, 'data-app': app, 'data-state': key }, label);
  if (job.state === 'running' && job.progress > 0) badge.textContent = `${label} ${Math.round(job.progress * 100)}%`;
  if (job.state === 'failed' && job.error) {
    badge.title = `${job.error.code}: ${job.error.message}`;
    badge.append(h('span', { class: 'reason' }, ` (${job.error.code})`));
  }
  if (job.state === 'succeeded') {
    const n = job.result?.findings?.length ?? 0;
    badge.append(h('span', { class: 'count' }, ` · ${t('worklist.findings', { count: n })}`));
  }
  return badge;
}

export function renderWorklist(outlet: HTMLElement, query: URLSearchParams, router: Router): () => void {
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const filters = {
    name: query.get('name') ?? '',
    pid: query.get('pid') ?? '',
    modality: query.get('modality') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  };
  const field = (id: string, key: string, value: string, type = 'text') =>
    h('label', { class: 'field' }, h('span', {}, t(key)), h('input', { id, name: id, type, value }));
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': t('worklist.filters') },
    field('name', 'worklist.patient_name', filters.name),
    field('pid', 'worklist.patient_id', filters.pid),
    field('modality', 'worklist.modality', filters.modality),
    field('from', 'worklist.date_from', filters.from, 'date'),
    field('to', 'worklist.date_to', filters.to, 'date'),
    h('button', { type: 'submit', class: 'primary' }, t('worklist.search')),
  );
  form.addEventListener('submit', e => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of Object.keys(filters)) {
      const v = (form.querySelector<HTMLInputElement>(`#${k}`)!.value ?? '').trim();
      if (v) q.set(k, v);
    }
    router.go(`/?${q}`);
  });

  // Upload: drop zone + file/folder pickers.
  const uploadList = h('ul', { class: 'upload-list', 'aria-label': t('upload.files') });
  const uploadSummary = h('p', { class: 'upload-summary', role: 'status' });
  const fileInput = h('input', { type: 'file', id: 'upload-files', multiple: true, 'aria-label': t('upload.choose_files') });
  const folderInput = h('input', { type: 'file', id: 'upload-folder', multiple: true, webkitdirectory: true, 'aria-label': t('upload.choose_folder') });
  const startUpload = async (files: File[]): Promise<void> => {
    if (files.length === 0) return;
    uploadSummary.textContent = t('upload.uploading', { count: files.length });
    const { stored, failed } = await uploadFiles(files, uploadList);
    uploadSummary.textContent = t('upload.done', { stored, failed });
    void refresh();
  };
  fileInput.addEventListener('change', () => void startUpload(Array.from(fileInput.files ?? [])));
  folderInput.addEventListener('change', () => void startUpload(Array.from(folderInput.files ?? [])));
  const drop = h(
    'section',
    { class: 'dropzone', 'aria-label': t('upload.title'), tabindex: 0 },
    h('h2', {}, t('upload.title')),
    h('p', { class: 'muted' }, t('upload.hint')),
    h('div', { class: 'pickers' },
      h('label', { class: 'button' }, t('upload.choose_files'), fileInput),
      h('label', { class: 'button' }, t('upload.choose_folder'), folderInput)),
    uploadSummary,
    uploadList,
  );
  drop.addEventListener('dragover', e => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async e => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer) await startUpload(await filesOfDrop(e.dataTransfer));
  });

  const tbody = h('tbody');
  const status = h('p', { class: 'muted', role: 'status' });
  const pager = h('nav', { class: 'pager', 'aria-label': t('worklist.paging') });
  const table = h(
    'table',
    { class: 'worklist', 'aria-label': t('worklist.title') },
    h('thead', {}, h('tr', {},
      ...['worklist.patient_name', 'worklist.patient_id', 'worklist.study_date', 'worklist.modality', 'worklist.description', 'worklist.instances', 'worklist.ai_status']
        .map(k => h('th', { scope: 'col' }, t(k))))),
    tbody,
  );
  clear(outlet, h('div', { class: 'page-head' }, h('h1', {}, t('worklist.title'))), form, status, table, pager, drop);

  const qido = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset), fuzzymatching: 'true',
    includefield: 'ModalitiesInStudy,NumberOfStudyRelatedInstances,StudyDescription' });
  if (filters.name) qido.set('PatientName', `${filters.name}*`);
  if (filters.pid) qido.set('PatientID', filters.pid);
  if (filters.modality) qido.set('ModalitiesInStudy', filters.modality.toUpperCase());
  if (filters.from || filters.to) qido.set('StudyDate', `${filters.from.replaceAll('-', '')}-${filters.to.replaceAll('-', '')}`);

  let timer = 0;
  let stopped = false;
  const refresh = async (): Promise<void> => {
    window.clearTimeout(timer);
    try {
      // X-Total-Count: how many studies match the filters in all.
      const { items: studies, total: counted } = await dicomSearch<DicomJson>(`/dicom-web/studies?${qido}`);
      const ai = await aiStatusByStudy(studies.slice(0, PAGE_SIZE).map(ds => tagString(ds, '0020000D')).filter(Boolean));
      if (stopped) return;
      const rows = studies.slice(0, PAGE_SIZE);
      const total = counted ?? offset + rows.length;
      status.textContent = rows.length === 0 ? (offset > 0 && total > 0 ? t('worklist.past_end', { total: formatNumber(total, 0) }) : t('worklist.empty'))
        : t('worklist.showing', { from: formatNumber(offset + 1, 0), to: formatNumber(offset + rows.length, 0), total: formatNumber(total, 0) });
      status.dataset.total = String(total);
      let busy = false;
      clear(tbody, ...rows.map(ds => {
        const uid = tagString(ds, '0020000D');
        const perApp = ai.get(uid);
        const badges = h('td', { class: 'ai' });
        if (!perApp || perApp.size === 0) badges.append(h('span', { class: 'muted' }, t('status.none')));
        else
          for (const [app, job] of perApp) {
            badges.append(statusBadge(app, job));
            busy ||= job.state === 'queued' || job.state === 'running';
          }
        const modalities = (ds['00080061']?.Value ?? []).join(', ');
        return h('tr', { 'data-study': uid },
          h('td', {}, h('a', { href: `/studies/${encodeURIComponent(uid)}`, 'data-link': true }, formatPersonName(tagString(ds, '00100010')) || t('worklist.anonymous'))),
          h('td', {}, tagString(ds, '00100020')),
          h('td', {}, formatDicomDate(tagString(ds, '00080020'))),
          h('td', {}, modalities),
          h('td', {}, tagString(ds, '00081030')),
          h('td', { class: 'num' }, tagString(ds, '00201208')),
          badges);
      }));
      const link = (o: number, key: string) => {
        const q = new URLSearchParams(location.search);
        q.set('offset', String(o));
        return h('a', { href: `/?${q}`, 'data-link': true }, t(key));
      };
      clear(pager, offset > 0 ? link(Math.max(0, offset - PAGE_SIZE), 'worklist.previous') : null,
        offset + rows.length < total ? link(offset + PAGE_SIZE, 'worklist.next') : null);
      timer = window.setTimeout(refresh, busy ? POLL_MS : POLL_MS * 3);
    } catch (err) {
      status.textContent = t('common.error', { message: (err as Error).message });
      timer = window.setTimeout(refresh, POLL_MS * 3);
    }
  };
  void refresh();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
