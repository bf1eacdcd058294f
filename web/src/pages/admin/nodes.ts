// Remote DICOM nodes of the institution (docs/dicom-conformance.md, "Remote
// nodes"): GET/POST /api/v1/dicom-nodes, PATCH and DELETE /api/v1/dicom-nodes/{id}.
// "Test" runs a real C-ECHO from the server (POST /api/v1/dicom-nodes/{id}/echo)
// and shows its outcome code, the DIMSE status and the time taken.
import { del, get, post, request, type DicomNode, type EchoResult } from '../../api';
import { h, clear } from '../../dom';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { adminTabs, errorText, field, showFieldError, type Field } from './common';

const PERMISSIONS = ['allow_store', 'allow_query', 'allow_push'] as const;
type Permission = (typeof PERMISSIONS)[number];

function nodeForm(onCreated: () => Promise<void>): HTMLElement {
  const text = (name: string, attrs: Record<string, string | number | boolean> = {}) =>
    h('input', { name, autocomplete: 'off', ...attrs });
  const fields: Record<string, Field<HTMLInputElement>> = {
    name: field('name', t('admin.node_name'), text('name', { required: true, maxlength: 64 })),
    ae_title: field('ae_title', t('admin.ae_title'), text('ae_title', { required: true, maxlength: 16 }), t('admin.ae_title_hint')),
    host: field('host', t('admin.host'), text('host', { required: true, maxlength: 253 })),
    // Not limited in the browser: the server's own check (1..65535) answers.
    port: field('port', t('admin.port'), text('port', { required: true, inputmode: 'numeric', value: '104' })),
  };
  const perms = PERMISSIONS.map(p => {
    const box = h('input', { type: 'checkbox', name: p, checked: true });
    return { p, box, label: h('label', { class: 'check' }, box, t(`admin.${p}`)) };
  });
  const msg = h('p', { role: 'status', class: 'form-message' });
  const form = h('form', { class: 'stack-form', id: 'node-form', 'aria-label': t('admin.new_node'), novalidate: true },
    h('h3', {}, t('admin.new_node')),
    h('div', { class: 'form-row' }, ...Object.values(fields).map(f => f.wrap)),
    h('fieldset', { class: 'perms' }, h('legend', {}, t('admin.permissions')), ...perms.map(x => x.label)),
    h('button', { type: 'submit', class: 'primary' }, t('admin.add_node')), msg);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    msg.textContent = '';
    const portText = fields.port.input.value.trim();
    const body: Record<string, unknown> = {
      name: fields.name.input.value.trim(),
      ae_title: fields.ae_title.input.value.trim(),
      host: fields.host.input.value.trim(),
      // A non-number goes as-is so the server names the problem.
      port: /^-?\d+$/.test(portText) ? Number(portText) : portText,
    };
    for (const x of perms) body[x.p] = x.box.checked;
    try {
      await post<DicomNode>('/api/v1/dicom-nodes', body);
      await onCreated();
    } catch (err) {
      if (!showFieldError(fields, err)) {
        msg.textContent = errorText(err);
        msg.classList.add('error');
      }
    }
  });
  return form;
}

function nodeRow(n: DicomNode, refresh: () => Promise<void>, say: (text: string, bad?: boolean) => void): HTMLElement {
  const permission = (p: Permission) => {
    const box = h('input', { type: 'checkbox', 'data-permission': p, checked: n[p], 'aria-label': `${t(`admin.${p}`)}: ${n.ae_title}` });
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        const updated = await request<DicomNode>('PATCH', `/api/v1/dicom-nodes/${encodeURIComponent(n.id)}`, { [p]: box.checked });
        n[p] = updated[p];
        box.checked = updated[p];
        say(t('admin.node_saved', { ae: n.ae_title }));
      } catch (err) {
        box.checked = n[p];
        say(errorText(err), true);
      } finally {
        box.disabled = false;
      }
    });
    return h('td', { class: 'center' }, box);
  };
  const actions = h('td', {});
  const echoResult = h('div', { class: 'echo-result', role: 'status', 'data-echo': '' });
  const test = async () => {
    testButton.disabled = true;
    echoResult.className = 'echo-result muted';
    echoResult.dataset.echo = 'running';
    echoResult.textContent = t('admin.echo_running', { ae: n.ae_title });
    try {
      const r = await post<EchoResult>(`/api/v1/dicom-nodes/${encodeURIComponent(n.id)}/echo`);
      echoResult.dataset.echo = r.code;
      echoResult.className = `echo-result ${r.success ? 'ok' : 'error'}`;
      const status = r.dimse_status === null ? '' : ` · ${t('admin.echo_dimse_status', { status: `0x${r.dimse_status.toString(16).padStart(4, '0').toUpperCase()}` })}`;
      const head = r.success ? t('admin.echo_ok') : t(`admin.echo_code.${r.code}`, { defaultValue: r.code });
      clear(echoResult, h('strong', {}, head), ` · ${formatNumber(r.elapsed_ms, 0)} ms${status}`,
        r.success ? null : h('div', { class: 'muted' }, h('code', {}, r.code), ` ${r.message}`));
    } catch (err) {
      echoResult.dataset.echo = 'error';
      echoResult.className = 'echo-result error';
      echoResult.textContent = errorText(err);
    } finally {
      testButton.disabled = false;
    }
  };
  const askRemove = () => {
    const confirm = h('button', { type: 'button', class: 'danger', 'data-action': 'confirm-remove' }, t('admin.remove'));
    const cancel = h('button', { type: 'button', 'data-action': 'cancel-remove' }, t('admin.cancel'));
    confirm.addEventListener('click', async () => {
      try {
        await del(`/api/v1/dicom-nodes/${encodeURIComponent(n.id)}`);
        say(t('admin.node_removed', { ae: n.ae_title }));
        await refresh();
      } catch (err) {
        say(errorText(err), true);
      }
    });
    cancel.addEventListener('click', () => {
      clear(actions, testButton, editButton, removeButton, echoResult);
      removeButton.focus();
    });
    clear(actions, h('span', { class: 'confirm', role: 'alert' }, t('admin.confirm_remove_node', { ae: n.ae_title })), confirm, cancel);
    cancel.focus();
  };
  const edit = () => {
    const fields: Record<string, Field<HTMLInputElement>> = {
      ae_title: field('ae_title', t('admin.ae_title'), h('input', { value: n.ae_title, maxlength: 16, autocomplete: 'off' }), undefined, 'edit'),
      host: field('host', t('admin.host'), h('input', { value: n.host, maxlength: 253, autocomplete: 'off' }), undefined, 'edit'),
      port: field('port', t('admin.port'), h('input', { value: String(n.port), inputmode: 'numeric' }), undefined, 'edit'),
    };
    const msg = h('span', { role: 'status', class: 'error' });
    const form = h('form', { class: 'form-row', id: 'node-edit', 'aria-label': t('admin.edit_node', { ae: n.ae_title }), novalidate: true },
      ...Object.values(fields).map(f => f.wrap),
      h('button', { type: 'submit', class: 'primary' }, t('admin.save')),
      h('button', { type: 'button', 'data-action': 'cancel-edit', onclick: () => void refresh() }, t('admin.cancel')), msg);
    form.addEventListener('submit', async e => {
      e.preventDefault();
      const portText = fields.port.input.value.trim();
      const patch: Record<string, unknown> = {};
      if (fields.ae_title.input.value.trim() !== n.ae_title) patch.ae_title = fields.ae_title.input.value.trim();
      if (fields.host.input.value.trim() !== n.host) patch.host = fields.host.input.value.trim();
      if (portText !== String(n.port)) patch.port = /^-?\d+$/.test(portText) ? Number(portText) : portText;
      try {
        if (Object.keys(patch).length) await request<DicomNode>('PATCH', `/api/v1/dicom-nodes/${encodeURIComponent(n.id)}`, patch);
        await refresh();
        say(t('admin.node_saved_all', { ae: String(patch.ae_title ?? n.ae_title) }));
      } catch (err) {
        if (!showFieldError(fields, err)) msg.textContent = errorText(err);
      }
    });
    row.replaceChildren(h('td', { colspan: 8 }, form));
    fields.host.input.focus();
  };
  const testButton = h('button', { type: 'button', 'data-action': 'echo', 'aria-label': t('admin.echo_label', { ae: n.ae_title }), title: t('admin.echo_hint'), onclick: () => void test() }, t('admin.echo'));
  const editButton = h('button', { type: 'button', 'data-action': 'edit', 'aria-label': `${t('admin.edit')} ${n.ae_title}`, onclick: edit }, t('admin.edit'));
  const removeButton = h('button', { type: 'button', 'data-action': 'remove', 'aria-label': `${t('admin.remove')} ${n.ae_title}`, onclick: askRemove }, t('admin.remove'));
  clear(actions, testButton, editButton, removeButton, echoResult);
  const row = h('tr', { 'data-node': n.ae_title },
    h('td', {}, h('strong', {}, n.ae_title), h('div', { class: 'muted' }, n.name)),
    h('td', {}, n.host), h('td', { class: 'num' }, String(n.port)),
    ...PERMISSIONS.map(permission),
    h('td', { class: 'muted' }, formatDateTime(n.updated_at)),
    actions);
  return row;
}

async function nodesSection(box: HTMLElement, status: HTMLElement): Promise<void> {
  const nodes = await get<{ items: DicomNode[] }>('/api/v1/dicom-nodes');
  const say = (text: string, bad = false) => {
    status.textContent = text;
    status.className = bad ? 'error' : 'muted';
  };
  const refresh = () => nodesSection(box, status).catch(err => say(errorText(err), true));
  const heads = ['admin.ae_title', 'admin.host', 'admin.port', 'admin.allow_store', 'admin.allow_query', 'admin.allow_push', 'admin.updated', 'apps.actions'];
  clear(box, h('h2', {}, t('admin.nodes')), h('p', { class: 'muted' }, t('admin.nodes_intro')),
    nodes.items.length === 0 ? h('p', { class: 'muted', id: 'no-nodes' }, t('admin.no_nodes')) :
      h('table', { id: 'dicom-nodes' }, h('thead', {}, h('tr', {}, ...heads.map(k => h('th', {}, t(k))))),
        h('tbody', {}, ...nodes.items.map(n => nodeRow(n, refresh, say)))),
    status, nodeForm(async () => { say(t('admin.node_added')); await refresh(); }));
}

export async function renderNodes(outlet: HTMLElement): Promise<void> {
  const box = h('section', { class: 'card', id: 'admin-nodes' }, t('common.loading'));
  clear(outlet, h('h1', {}, t('admin.title')), adminTabs('/admin/nodes'), box);
  const status = h('p', { role: 'status', id: 'nodes-status' });
  await nodesSection(box, status).catch(err => clear(box, h('p', { class: 'error' }, errorText(err))));
}
