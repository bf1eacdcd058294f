// Publish a finished training job as an app version (partners):
// name + version + the vendor's signing key file (medai app keygen) →
// POST /api/v1/training-jobs/{id}/publish. The key is read in the browser
// and sent once over the API (never stored by the server); the server's
// refusal (invalid manifest problems, unknown key, failed check run, an
// existing version) is shown with every problem it lists.
import { ApiError, post } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import type { TrainingJob } from './types';

interface PublishedVersion {
  name: string;
  version: string;
  status?: string;
}

// Every human-readable problem in an error's detail (problems, errors, field).
function detailLines(detail: unknown): string[] {
  if (!detail || typeof detail !== 'object') return [];
  const d = detail as Record<string, unknown>;
  const out: string[] = [];
  for (const key of ['problems', 'errors']) {
    const list = d[key];
    if (Array.isArray(list))
      for (const p of list) {
        if (typeof p === 'string') out.push(p);
        else if (p && typeof p === 'object') {
          const o = p as Record<string, unknown>;
          const where = o.field ?? o.path ?? o.pointer ?? '';
          out.push(`${where ? `${String(where)}: ` : ''}${String(o.message ?? JSON.stringify(o))}`);
        }
      }
  }
  if (out.length === 0 && typeof d.field === 'string') out.push(`${d.field}`);
  return out;
}

export function publishForm(job: TrainingJob): HTMLElement {
  const name = h('input', { id: 'pub-name', name: 'name', required: true, pattern: '[a-z0-9][a-z0-9\\-]*', autocomplete: 'off', placeholder: 'pima-risk' });
  const version = h('input', { id: 'pub-version', name: 'version', required: true, value: '1.0.0', autocomplete: 'off' });
  const displayName = h('input', { id: 'pub-display', name: 'display_name', autocomplete: 'off' });
  const key = h('input', { id: 'pub-key', name: 'signing_key', type: 'file', accept: '.json,application/json', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('research.publish.submit'));
  const result = h('div', { role: 'status', id: 'publish-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card publish-form', id: 'publish-form', 'aria-labelledby': 'publish-title' },
    h('h2', { id: 'publish-title' }, t('research.publish.title')),
    h('p', { class: 'muted' }, t('research.publish.hint')),
    h('div', { class: 'form-grid' },
      h('div', { class: 'form-field' }, h('label', { for: 'pub-name' }, t('research.publish.name')), name),
      h('div', { class: 'form-field' }, h('label', { for: 'pub-version' }, t('research.publish.version')), version),
      h('div', { class: 'form-field' }, h('label', { for: 'pub-display' }, t('research.publish.display_name')), displayName),
      h('div', { class: 'form-field' }, h('label', { for: 'pub-key' }, t('research.publish.key')), key)),
    h('div', { class: 'form-actions' }, submit), result);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    result.replaceChildren();
    result.className = '';
    const file = key.files?.[0];
    if (!name.value.trim() || !version.value.trim() || !file) {
      result.className = 'error';
      result.textContent = t('research.publish.missing');
      return;
    }
    let signingKey: unknown;
    try {
      signingKey = JSON.parse(await file.text());
    } catch {
      result.className = 'error';
      result.textContent = t('research.publish.key_not_json');
      return;
    }
    submit.disabled = true;
    result.textContent = t('research.publish.publishing');
    try {
      const body: Record<string, unknown> = { name: name.value.trim(), version: version.value.trim(), signing_key: signingKey };
      if (displayName.value.trim()) body.display_name = displayName.value.trim();
      const v = await post<PublishedVersion>(`/api/v1/training-jobs/${encodeURIComponent(job.id)}/publish`, body);
      result.className = 'ok';
      result.replaceChildren(t('research.publish.done', { name: v.name, version: v.version }), ' ',
        h('a', { href: `/apps/${encodeURIComponent(v.name)}`, 'data-link': true }, t('research.publish.open_app')));
    } catch (err) {
      result.className = 'error';
      if (err instanceof ApiError) {
        const lines = detailLines(err.detail);
        result.replaceChildren(h('p', {}, h('strong', {}, t('research.publish.refused')), ` ${err.code}: ${err.message}`));
        if (lines.length) result.append(h('ul', { class: 'problems' }, ...lines.map(l => h('li', {}, l))));
      } else result.textContent = String(err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
