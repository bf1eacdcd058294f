// Admin (institution administrators): users and roles, app approvals
// (links into the catalog), routing rules (which series go to which app).
import { ApiError, del, get, post, put, request, type App, type Page, type RoutingRule, type User } from '../api';
import { h, clear } from '../dom';
import { t } from '../i18n';
import { adminTabs } from './admin/common';

const ROLES = ['doctor', 'researcher', 'partner', 'institution_admin'];

function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
}

async function usersSection(box: HTMLElement): Promise<void> {
  const users = await get<Page<User>>('/api/v1/users?limit=1000');
  const msg = h('p', { role: 'status' });
  const username = h('input', { name: 'username', required: true, autocomplete: 'off' });
  const display = h('input', { name: 'display_name' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, ...ROLES.map(r => h('option', { value: r }, t(`roles.${r}`))));
  const form = h('form', { class: 'inline-form', 'aria-label': t('admin.new_user') },
    h('label', {}, t('login.username'), username), h('label', {}, t('admin.display_name'), display),
    h('label', {}, t('login.password'), password), h('label', {}, t('admin.role'), role),
    h('button', { type: 'submit', class: 'primary' }, t('admin.create')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await post('/api/v1/users', { username: username.value.trim(), display_name: display.value.trim() || username.value.trim(),
        roles: [role.value], ...(password.value ? { password: password.value } : {}) });
      await usersSection(box);
    } catch (err) {
      msg.textContent = errorText(err);
    }
  });
  const toggle = async (u: User) => {
    try {
      await request_patch(`/api/v1/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled });
      await usersSection(box);
    } catch (err) {
      msg.textContent = errorText(err);
    }
  };
  clear(box, h('h2', {}, t('admin.users')),
    h('table', {}, h('thead', {}, h('tr', {}, ...['login.username', 'admin.display_name', 'admin.roles', 'admin.state', 'apps.actions'].map(k => h('th', {}, t(k))))),
      h('tbody', {}, ...users.items.map(u => h('tr', { 'data-user': u.username },
        h('td', {}, u.username), h('td', {}, u.display_name), h('td', {}, u.roles.map(r => t(`roles.${r}`)).join(', ')),
        h('td', {}, u.disabled ? t('admin.disabled') : t('admin.active')),
        h('td', {}, h('button', { type: 'button', onclick: () => void toggle(u) }, u.disabled ? t('admin.enable') : t('admin.disable'))))))),
    form, msg);
}

async function request_patch(path: string, body: unknown): Promise<void> {
  await request('PATCH', path, body);
}

async function approvalsSection(box: HTMLElement): Promise<void> {
  const apps = await get<Page<App>>('/api/v1/apps?limit=200');
  clear(box, h('h2', {}, t('admin.approvals')),
    apps.items.length === 0 ? h('p', { class: 'muted' }, t('apps.empty')) :
      h('table', {}, h('thead', {}, h('tr', {}, ...['apps.app', 'apps.version', 'apps.approval'].map(k => h('th', {}, t(k))))),
        h('tbody', {}, ...apps.items.flatMap(a => a.versions.map(v => h('tr', {},
          h('td', {}, h('a', { href: `/apps/${encodeURIComponent(a.name)}`, 'data-link': true }, a.display_name || a.name)),
          h('td', {}, v.version), h('td', {}, v.approved ? t('apps.approved') : t('apps.not_approved'))))))));
}

async function rulesSection(box: HTMLElement): Promise<void> {
  const [rules, apps] = await Promise.all([get<Page<RoutingRule>>('/api/v1/routing-rules?limit=1000'), get<Page<App>>('/api/v1/apps?limit=200')]);
  const msg = h('p', { role: 'status' });
  const name = h('input', { name: 'rule-name', required: true });
  const modality = h('input', { name: 'modality', value: 'CT' });
  const app = h('select', { name: 'app' }, ...apps.items.map(a => h('option', { value: a.name }, a.display_name || a.name)));
  const form = h('form', { class: 'inline-form', 'aria-label': t('admin.new_rule') },
    h('label', {}, t('admin.rule_name'), name), h('label', {}, t('worklist.modality'), modality), h('label', {}, t('apps.app'), app),
    h('button', { type: 'submit', class: 'primary' }, t('admin.create')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const match = modality.value.trim() ? { modality: modality.value.split(',').map(s => s.trim().toUpperCase()) } : {};
      await post('/api/v1/routing-rules', { name: name.value.trim(), match, action: { job_type: 'app.run', app: app.value } });
      await rulesSection(box);
    } catch (err) {
      msg.textContent = errorText(err);
    }
  });
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await rulesSection(box);
    } catch (err) {
      msg.textContent = errorText(err);
    }
  };
  clear(box, h('h2', {}, t('admin.rules')),
    rules.items.length === 0 ? h('p', { class: 'muted' }, t('admin.no_rules')) :
      h('table', {}, h('thead', {}, h('tr', {}, ...['admin.rule_name', 'admin.match', 'apps.app', 'admin.state', 'apps.actions'].map(k => h('th', {}, t(k))))),
        h('tbody', {}, ...rules.items.map(r => h('tr', { 'data-rule': r.name },
          h('td', {}, r.name), h('td', {}, JSON.stringify(r.match)), h('td', {}, r.action.app ?? r.action.job_type),
          h('td', {}, r.enabled ? t('admin.active') : t('admin.disabled')),
          h('td', {},
            h('button', { type: 'button', onclick: () => void act(() => put(`/api/v1/routing-rules/${encodeURIComponent(r.id)}`, { enabled: !r.enabled })) }, r.enabled ? t('admin.disable') : t('admin.enable')),
            h('button', { type: 'button', onclick: () => void act(() => del(`/api/v1/routing-rules/${encodeURIComponent(r.id)}`)) }, t('admin.delete'))))))),
    form, msg);
}

export async function renderAdmin(outlet: HTMLElement): Promise<void> {
  const users = h('section', { class: 'card', id: 'admin-users' });
  const approvals = h('section', { class: 'card', id: 'admin-approvals' });
  const rules = h('section', { class: 'card', id: 'admin-rules' });
  clear(outlet, h('h1', {}, t('admin.title')), adminTabs('/admin'), users, approvals, rules);
  const guard = (p: Promise<void>, box: HTMLElement) => p.catch(err => clear(box, h('p', { class: 'error' }, errorText(err))));
  await Promise.all([guard(usersSection(users), users), guard(approvalsSection(approvals), approvals), guard(rulesSection(rules), rules)]);
}
