// Portal entry: language, session, layout and pages.
import './styles.css';
import { get, post, setToken, setUnauthenticatedHandler, token, type User } from './api';
import { h, clear } from './dom';
import { initI18n, LANGUAGES, language, setLanguage, t } from './i18n';
import { Router, type PageRender } from './router';
import { renderLogin } from './pages/login';
import { renderWorklist } from './pages/worklist';
import { renderViewer } from './pages/viewer';
import { renderApps } from './pages/apps';
import { renderAdmin } from './pages/admin';
import { renderAdvicePage } from './pages/advice';
import { renderNodes } from './pages/admin/nodes';
import { renderTokens } from './pages/admin/tokens';
import { renderHealth } from './pages/admin/health';
import { renderDataset, renderDatasets } from './pages/research/datasets';
import { renderTrainingJob, renderTrainingList } from './pages/research/training';
import { renderEvaluation, renderEvaluations } from './pages/research/evaluations';

export interface Session {
  user: User;
  has(role: string): boolean;
}
let session: Session | null = null;
export const currentSession = (): Session | null => session;

const root = document.getElementById('app')!;
let main: HTMLElement = h('main');
const router = new Router(() => main, path => highlight(path));

function makeSession(user: User): Session {
  return { user, has: role => user.roles.includes(role) || user.roles.includes('admin') };
}

function navLink(href: string, key: string): HTMLAnchorElement {
  return h('a', { href, 'data-link': true, 'data-nav': href }, t(key));
}
function highlight(path: string): void {
  for (const a of root.querySelectorAll<HTMLAnchorElement>('nav a[data-nav]')) {
    const href = a.dataset.nav!;
    const active = href === '/' ? path === '/' || path.startsWith('/studies') : path.startsWith(href);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function layout(): void {
  const s = session!;
  const langSelect = h(
    'select',
    { id: 'language', 'aria-label': t('layout.language') },
    ...LANGUAGES.map(l => h('option', { value: l.code, selected: l.code === language() }, l.label)),
  );
  langSelect.addEventListener('change', async () => {
    await setLanguage(langSelect.value);
    layout();
  });
  const admin = s.has('institution_admin');
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { href: '/', 'data-link': true, class: 'brand' }, 'medai'),
    h(
      'nav',
      { 'aria-label': t('layout.navigation') },
      navLink('/', 'nav.worklist'),
      navLink('/apps', 'nav.apps'),
      s.has('doctor') || s.has('institution_admin') ? navLink('/advice', 'nav.advice') : null,
      // Research pages (issue #9): who may use them, as the API decides (docs/api.md).
      DATASET_ROLES.some(r => s.has(r)) ? navLink('/datasets', 'nav.datasets') : null,
      TRAINING_ROLES.some(r => s.has(r)) ? navLink('/training', 'nav.training') : null,
      EVALUATION_ROLES.some(r => s.has(r)) ? navLink('/evaluations', 'nav.evaluations') : null,
      admin ? navLink('/admin', 'nav.admin') : null,
      // Everybody manages their own API tokens (docs/api.md).
      navLink('/tokens', 'nav.tokens'),
    ),
    h('span', { class: 'spacer' }),
    h('span', { class: 'user', title: s.user.roles.join(', ') }, s.user.display_name || s.user.username),
    langSelect,
    h('button', { type: 'button', class: 'link', onclick: logout }, t('layout.logout')),
  );
  main = h('main');
  clear(root, header, main);
  void router.resolve();
}

async function logout(): Promise<void> {
  try {
    await post('/api/v1/auth/logout');
  } catch {
    /* the session may already be gone */
  }
  setToken(null);
  session = null;
  showLogin();
}

function showLogin(): void {
  main = h('main', { class: 'login-main' });
  clear(root, main);
  renderLogin(main, async user => {
    session = makeSession(user);
    if (location.pathname === '/login') history.replaceState(null, '', '/');
    layout();
  });
}

// Research pages only for the roles the API lets use them; others get a
// message instead of the API's 403.
const DATASET_ROLES = ['researcher', 'institution_admin'];
const TRAINING_ROLES = ['researcher', 'partner'];
const EVALUATION_ROLES = ['researcher', 'partner', 'institution_admin'];
const ADMIN_ROLES = ['institution_admin'];  // platform admins pass too (makeSession)
function forRoles(roles: string[], render: PageRender, refusal = 'research.not_for_role'): PageRender {
  return (o, p, q) => (session && roles.some(r => session!.has(r)) ? render(o, p, q) : clear(o, h('h1', {}, t(refusal))));
}

router
  .add('/', (o, _p, q) => renderWorklist(o, q, router))
  .add('/studies/:study', (o, p, q) => renderViewer(o, p.study, q))
  .add('/apps', o => renderApps(o, null))
  .add('/apps/:name', (o, p) => renderApps(o, p.name))
  .add('/admin', forRoles(ADMIN_ROLES, o => renderAdmin(o), 'admin.not_for_role'))
  // Admin sections (issue #9): DICOM nodes and system health for administrators.
  .add('/admin/nodes', forRoles(ADMIN_ROLES, o => renderNodes(o), 'admin.not_for_role'))
  .add('/admin/health', forRoles(ADMIN_ROLES, o => renderHealth(o), 'admin.not_for_role'))
  .add('/tokens', o => renderTokens(o))
  .add('/advice', o => renderAdvicePage(o))
  .add('/datasets', forRoles(DATASET_ROLES, o => renderDatasets(o)))
  .add('/datasets/:id', forRoles(DATASET_ROLES, (o, p) => renderDataset(o, p.id)))
  .add('/training', forRoles(TRAINING_ROLES, (o, _p, q) => renderTrainingList(o, q, router)))
  .add('/training/:id', forRoles(TRAINING_ROLES, (o, p) => renderTrainingJob(o, p.id, router)))
  .add('/evaluations', forRoles(EVALUATION_ROLES, o => renderEvaluations(o, router)))
  .add('/evaluations/:id', forRoles(EVALUATION_ROLES, (o, p) => renderEvaluation(o, p.id)))
  .fallback(o => clear(o, h('h1', {}, t('common.not_found'))));

setUnauthenticatedHandler(() => {
  session = null;
  showLogin();
});

async function start(): Promise<void> {
  await initI18n();
  if (token()) {
    try {
      const me = await get<{ user: User } & User>('/api/v1/me');
      session = makeSession(me.user ?? me);
      layout();
      return;
    } catch {
      setToken(null);
    }
  }
  showLogin();
}
void start();
