// Log-in with a platform account (POST /api/v1/auth/login).
import { ApiError, request, setToken, type User } from '../api';
import { h, clear } from '../dom';
import { LANGUAGES, language, setLanguage, t } from '../i18n';

export function renderLogin(outlet: HTMLElement, onLoggedIn: (user: User) => void): void {
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const lang = h('select', { 'aria-label': t('layout.language'), id: 'login-language' },
    ...LANGUAGES.map(l => h('option', { value: l.code, selected: l.code === language() }, l.label)));
  lang.addEventListener('change', async () => {
    await setLanguage(lang.value);
    renderLogin(outlet, onLoggedIn);
  });
  const form = h(
    'form',
    { class: 'login card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, t('login.title')),
    h('p', { class: 'muted' }, t('login.subtitle')),
    h('label', { for: 'username' }, t('login.username')),
    username,
    h('label', { for: 'password' }, t('login.password')),
    password,
    error,
    submit,
    lang,
  );
  form.addEventListener('submit', async e => {
    e.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      const res = await request<{ token: string; user: User }>('POST', '/api/v1/auth/login', {
        username: username.value.trim(),
        password: password.value,
      });
      setToken(res.token);
      onLoggedIn(res.user);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'network';
      error.textContent = code === 'too_many_requests' ? t('login.locked') : code === 'invalid_credentials' ? t('login.invalid') : t('common.error', { message: String((err as Error).message) });
      submit.disabled = false;
      password.select();
    }
  });
  clear(outlet, form);
  username.focus();
}
