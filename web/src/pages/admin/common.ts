// Shared by the admin pages: the section tabs, error text, and form fields
// that show the API's validation error (`detail.field`) next to the input.
import { ApiError } from '../../api';
import { h } from '../../dom';
import { t } from '../../i18n';
import { currentSession } from '../../main';

export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
}

// Administrators of an institution (platform admins included, see makeSession).
export const isAdmin = (): boolean => !!currentSession()?.has('institution_admin');

const TABS: [string, string][] = [
  ['/admin', 'admin.tab_users'],
  ['/admin/nodes', 'admin.tab_nodes'],
  ['/tokens', 'admin.tab_tokens'],
  ['/admin/health', 'admin.tab_health'],
];

// The admin sections as links (keyboard-reachable, current one marked).
export function adminTabs(current: string): HTMLElement | null {
  if (!isAdmin()) return null;
  return h('nav', { class: 'tabs', 'aria-label': t('admin.sections') },
    ...TABS.map(([href, key]) => h('a', { href, 'data-link': true, 'aria-current': href === current ? 'page' : undefined }, t(key))));
}

export interface Field<E extends HTMLElement> {
  input: E;
  wrap: HTMLElement;
  error: HTMLElement;
}

// A labelled input with a slot for its error; `name` is the API field name.
// Ids are `${prefix}-${name}` and `${prefix}-${name}-error`.
export function field<E extends HTMLInputElement | HTMLSelectElement>(name: string, label: string, input: E, hint?: string, prefix = 'field'): Field<E> {
  const id = `${prefix}-${name}`;
  input.id = input.id || id;
  const error = h('span', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
  input.setAttribute('aria-describedby', error.id);
  const wrap = h('label', { class: 'form-field', 'data-field': name }, h('span', {}, label), input,
    hint ? h('small', { class: 'muted' }, hint) : null, error);
  return { input, wrap, error };
}

// Puts an API error next to the field it names; true when one matched.
export function showFieldError(fields: Record<string, Field<HTMLElement>>, err: unknown): boolean {
  for (const f of Object.values(fields)) {
    f.error.textContent = '';
    f.wrap.classList.remove('invalid');
    f.input.removeAttribute('aria-invalid');
  }
  if (!(err instanceof ApiError)) return false;
  const name = (err.detail as { field?: string } | null)?.field;
  const f = name ? fields[name] : undefined;
  if (!f) return false;
  f.error.textContent = err.message;
  f.wrap.classList.add('invalid');
  f.input.setAttribute('aria-invalid', 'true');
  f.input.focus();
  return true;
}
