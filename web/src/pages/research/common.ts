// Helpers shared by the research pages: error text, state badges, numbers,
// and following a job's Server-Sent Events with the bearer token.
import { ApiError, authHeaders } from '../../api';
import { currentSession } from '../../main';
import { h } from '../../dom';
import { formatNumber, t } from '../../i18n';
import type { JobState } from './types';

// Who may call what (docs/api.md): asked before calling, so a partner's page
// does not provoke a 403 for the dataset list.
const hasAny = (roles: string[]) => { const s = currentSession(); return !!s && roles.some(r => s.has(r)); };
export const mayBrowseDatasets = () => hasAny(['researcher', 'institution_admin']);
export const mayTrain = () => hasAny(['researcher', 'partner']);

export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
}

const BADGE: Record<JobState, string> = { queued: 'state-queued', running: 'state-running', succeeded: 'state-done', failed: 'state-failed', cancelled: 'state-failed' };
export function stateBadge(state: JobState): HTMLElement {
  return h('span', { class: `badge ${BADGE[state] ?? ''}`, 'data-state': state }, t(`research.state.${state}`, { defaultValue: state }));
}

export const fmt = (v: unknown, digits = 3): string => (typeof v === 'number' && Number.isFinite(v) ? formatNumber(v, digits) : '–');

export function formatSeconds(s: number | null | undefined): string {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) return '–';
  if (s < 60) return `${formatNumber(s, s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const isFinished = (state: JobState): boolean => state === 'succeeded' || state === 'failed' || state === 'cancelled';

// GET /api/v1/jobs/{id}/events (text/event-stream) read with fetch so the
// bearer token goes in a header (EventSource cannot send one). Calls onJob
// for every `job` event; reconnects with Last-Event-ID when the stream drops
// before the job finished. Returns a function that stops following.
export function followJob<T extends { state: JobState; version?: number }>(id: string, onJob: (job: T) => void, onError: (message: string) => void): () => void {
  const abort = new AbortController();
  let lastId = '';
  let stopped = false;
  const run = async (): Promise<void> => {
    for (let attempt = 0; !stopped && attempt < 20; attempt++) {
      let finished = false;
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch(`/api/v1/jobs/${encodeURIComponent(id)}/events`, { headers, signal: abort.signal });
        if (!res.ok || !res.body) {
          if (res.status === 404 || res.status === 401 || res.status === 403) {
            onError(`${res.status}`);
            return;
          }
          throw new Error(`events: HTTP ${res.status}`);
        }
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let event = 'message';
        let data: string[] = [];
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).replace(/\r$/, '');
            buffer = buffer.slice(nl + 1);
            if (line === '') {
              if (event === 'job' && data.length) {
                const job = JSON.parse(data.join('\n')) as T;
                onJob(job);
                if (isFinished(job.state)) finished = true;
              }
              event = 'message';
              data = [];
            } else if (line.startsWith(':')) {
              /* keep-alive comment */
            } else {
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'event') event = val;
              else if (field === 'data') data.push(val);
              else if (field === 'id') lastId = val;
            }
          }
        }
      } catch (err) {
        if (stopped || abort.signal.aborted) return;
        if (attempt === 19) onError(String(err));
      }
      if (finished || stopped) return;
      await new Promise(r => setTimeout(r, 1000 + attempt * 500));
    }
  };
  void run();
  return () => {
    stopped = true;
    abort.abort();
  };
}

// "epoch 12/300 step 1/1 loss 0.4312 val_auc 0.8123 val_loss 0.4710" → fields.
export function parseProgress(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  const tokens = message.trim().split(/\s+/);
  for (let i = 0; i + 1 < tokens.length; i += 2) out[tokens[i]] = tokens[i + 1];
  return out;
}

export function subjectText(subject: Record<string, unknown> | undefined): string {
  if (!subject) return '';
  const s = subject as Record<string, string | number | boolean | undefined>;
  if (s.kind === 'training_job') return `${t('research.training_job')} ${s.id ?? ''} · ${s.architecture ?? ''}${s.runtime ? ` (${s.runtime})` : ''}`;
  return `${t('research.app')} ${s.app ?? ''} ${s.version ?? ''}${s.vendor ? ` · ${s.vendor}` : ''}`;
}
