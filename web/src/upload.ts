// Study upload through POST /api/v1/uploads: one request per file (a DICOM
// file or a zip), a progress bar per file and the server's per-file errors.
import { authHeaders } from './api';
import { h } from './dom';
import { t } from './i18n';

interface UploadItem {
  name: string;
  outcome: string;
  error?: string;
  message?: string;
}
interface UploadAnswer {
  items: UploadItem[];
  stored: number;
  failed: number;
}

// Files of a drop: folders are walked (webkitGetAsEntry), files kept as they are.
export async function filesOfDrop(dt: DataTransfer): Promise<File[]> {
  const entries = Array.from(dt.items)
    .map(i => (i.kind === 'file' ? i.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return Array.from(dt.files);
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      out.push(await new Promise<File>((ok, bad) => (entry as FileSystemFileEntry).file(ok, bad)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((ok, bad) => reader.readEntries(ok, bad));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}

function isZip(file: File): boolean {
  return file.type === 'application/zip' || file.name.toLowerCase().endsWith('.zip');
}

function sendOne(file: File, onProgress: (fraction: number) => void): Promise<{ status: number; answer: UploadAnswer | null; text: string }> {
  return new Promise(resolve => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/uploads');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', isZip(file) ? 'application/zip' : 'application/dicom');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = e => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let answer: UploadAnswer | null = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      resolve({ status: xhr.status, answer, text: xhr.responseText });
    };
    xhr.onerror = () => resolve({ status: 0, answer: null, text: '' });
    xhr.send(file);
  });
}

// Uploads `files` (3 at a time), rendering one row per file into `list`;
// resolves with the numbers stored and failed.
export async function uploadFiles(files: File[], list: HTMLElement): Promise<{ stored: number; failed: number }> {
  let stored = 0;
  let failed = 0;
  const rows = files.map(file => {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': t('upload.progress_of', { name: file.name }) });
    const status = h('span', { class: 'upload-status' }, t('upload.waiting'));
    const row = h('li', { class: 'upload-row', 'data-file': file.name }, h('span', { class: 'upload-name' }, file.webkitRelativePath || file.name), bar, status);
    list.append(row);
    return { file, bar, status, row };
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const r = rows[next++];
      r.status.textContent = t('upload.sending');
      const { status, answer } = await sendOne(r.file, f => (r.bar.value = f));
      r.bar.value = 1;
      if (answer && Array.isArray(answer.items)) {
        stored += answer.stored;
        failed += answer.failed;
        const errors = answer.items.filter(i => i.outcome === 'failed');
        if (errors.length === 0) {
          r.status.textContent = t('upload.stored', { count: answer.stored });
          r.row.classList.add('ok');
        } else {
          // A zip lists its members by name; a single file is this row's file.
          r.status.textContent = errors.map(e => `${isZip(r.file) ? `${e.name}: ` : ''}${e.error} — ${e.message ?? ''}`).join('; ');
          r.row.classList.add('failed');
        }
      } else {
        failed += 1;
        const err = answer as unknown as { error?: string; message?: string } | null;
        r.status.textContent = err?.error ? `${err.error}: ${err.message ?? ''}` : t('upload.http_failed', { status });
        r.row.classList.add('failed');
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return { stored, failed };
}
