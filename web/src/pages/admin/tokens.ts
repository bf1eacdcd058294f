// API tokens (docs/api.md "Authentication"): everybody lists, issues and
// revokes their own; administrators also those of the users they administer
// (GET/POST /api/v1/tokens?user_id=, DELETE /api/v1/tokens/{id}). A new
// token's secret is in the POST answer only: shown once, with a copy button.
import { del, get, post, type ApiToken, type Page, type User } from '../../api';
import { h, clear } from '../../dom';
import { formatDateTime, t } from '../../i18n';
import { currentSession } from '../../main';
import { adminTabs, errorText, field, isAdmin, showFieldError } from './common';

function tokenState(tk: ApiToken): string {
  if (tk.revoked_at) return 'revoked';
  if (tk.expires_at && Date.parse(tk.expires_at) <= Date.now()) return 'expired';
  return 'active';
}

// The secret with a copy button; it lives only in this element.
function secretBox(secret: string, name: string): HTMLElement {
  const input = h('input', { id: 'token-secret', readonly: true, value: secret, size: 56, 'aria-label': t('admin.token_secret') });
  const result = h('span', { role: 'status', class: 'muted' });
  const copy = h('button', { type: 'button', id: 'copy-secret' }, t('admin.copy'));
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
      result.textContent = t('admin.copied');
    } catch {
      // No clipboard permission (plain HTTP on another host): leave it selected.
      input.select();
      result.textContent = t('admin.copy_manually');
    }
  });
  return h('div', { class: 'secret-box', role: 'region', 'aria-label': t('admin.token_secret') },
    h('p', {}, h('strong', {}, t('admin.token_issued', { name })), ' ', t('admin.secret_once')),
    h('div', { class: 'secret-row' }, input, copy, result));
}

async function tokensSection(box: HTMLElement, userId: string, users: User[]): Promise<void> {
  const me = currentSession()!.user;
  const list = await get<{ items: ApiToken[] }>(`/api/v1/tokens${userId === me.id ? '' : `?user_id=${encodeURIComponent(userId)}`}`);
  const status = h('p', { role: 'status', id: 'tokens-status' });
  const secretSlot = h('div', { id: 'secret-slot' });
  const reload = (id = userId) => tokensSection(box, id, users).catch(err => clear(box, h('p', { class: 'error' }, errorText(err))));

  const userPicker = users.length > 1 ? (() => {
    const select = h('select', { id: 'token-user', 'aria-label': t('admin.token_user') },
      ...users.map(u => h('option', { value: u.id, selected: u.id === userId }, u.id === me.id ? t('admin.me', { name: u.username }) : u.username)));
    select.addEventListener('change', () => void reload(select.value));
    return h('label', { class: 'field' }, t('admin.token_user'), select);
  })() : null;

  const name = field('name', t('admin.token_name'), h('input', { name: 'token-name', required: true, maxlength: 100, autocomplete: 'off' }));
  const ttl = field('ttl_days', t('admin.token_ttl'), h('input', { name: 'ttl_days', type: 'number', min: 1, max: 365, value: 90 }), t('admin.token_ttl_hint'));
  const formMsg = h('p', { role: 'status', class: 'form-message' });
  const form = h('form', { class: 'stack-form', id: 'token-form', 'aria-label': t('admin.new_token'), novalidate: true },
    h('h3', {}, t('admin.new_token')), h('div', { class: 'form-row' }, name.wrap, ttl.wrap),
    h('button', { type: 'submit', class: 'primary' }, t('admin.issue_token')), formMsg);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    formMsg.textContent = '';
    const days = ttl.input.value.trim();
    try {
      const issued = await post<{ token: string; info: ApiToken }>('/api/v1/tokens', {
        name: name.input.value.trim(),
        ...(days ? { ttl_days: Number(days) } : {}),
        ...(userId === me.id ? {} : { user_id: userId }),
      });
      await tokensSection(box, userId, users);
      // After the list is redrawn: the secret stays on screen until the page is left.
      const slot = box.querySelector('#secret-slot') as HTMLElement;
      clear(slot, secretBox(issued.token, issued.info.name));
      (slot.querySelector('#token-secret') as HTMLInputElement).select();
    } catch (err) {
      if (!showFieldError({ name, ttl_days: ttl }, err)) {
        formMsg.textContent = errorText(err);
        formMsg.classList.add('error');
      }
    }
  });

  const revoke = async (tk: ApiToken) => {
    try {
      await del(`/api/v1/tokens/${encodeURIComponent(tk.id)}`);
      await reload();
      const s = box.querySelector('#tokens-status');
      if (s) s.textContent = t('admin.token_revoked', { name: tk.name });
    } catch (err) {
      status.textContent = errorText(err);
      status.className = 'error';
    }
  };
  const heads = ['admin.token_name', 'admin.token_kind', 'admin.token_prefix', 'admin.created', 'admin.expires', 'admin.last_used', 'admin.state', 'apps.actions'];
  const items = list.items;
  clear(box, h('h2', {}, t('admin.tokens')), h('p', { class: 'muted' }, t('admin.tokens_intro')), userPicker,
    items.length === 0 ? h('p', { class: 'muted' }, t('admin.no_tokens')) :
      h('table', { id: 'tokens' }, h('thead', {}, h('tr', {}, ...heads.map(k => h('th', {}, t(k))))),
        h('tbody', {}, ...items.map(tk => {
          const state = tokenState(tk);
          return h('tr', { 'data-token': tk.name, 'data-state': state, 'data-id': tk.id, 'data-current': String(tk.current === true) },
            h('td', {}, tk.name, tk.current ? h('span', { class: 'badge state-running current-token', title: t('admin.token_current_hint') }, t('admin.token_current')) : null), h('td', {}, t(`admin.kind_${tk.kind}`)), h('td', {}, h('code', {}, `${tk.prefix}…`)),
            h('td', {}, formatDateTime(tk.created_at)), h('td', {}, formatDateTime(tk.expires_at)),
            h('td', {}, tk.last_used_at ? formatDateTime(tk.last_used_at) : '–'),
            h('td', {}, h('span', { class: `badge ${state === 'active' ? 'state-done' : 'state-failed'}` }, t(`admin.token_${state}_state`))),
            h('td', {}, state === 'active'
              ? h('button', { type: 'button', 'data-action': 'revoke', 'aria-label': `${t('admin.revoke')} ${tk.name}`, onclick: () => void revoke(tk) }, t('admin.revoke'))
              : null));
        }))),
    status, secretSlot, form);
}

export async function renderTokens(outlet: HTMLElement): Promise<void> {
  const box = h('section', { class: 'card', id: 'api-tokens' }, t('common.loading'));
  clear(outlet, h('h1', {}, isAdmin() ? t('admin.title') : t('admin.tokens')), adminTabs('/tokens'), box);
  const me = currentSession()!.user;
  try {
    // Administrators pick among the users they administer (the API decides which).
    const users = isAdmin() ? (await get<Page<User>>('/api/v1/users?limit=1000')).items : [];
    if (!users.some(u => u.id === me.id)) users.unshift(me);
    await tokensSection(box, me.id, users);
  } catch (err) {
    clear(box, h('p', { class: 'error' }, errorText(err)));
  }
}
