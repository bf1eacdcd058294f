// Diabetes medication advice for one patient: a form (or a pasted FHIR R4
// Bundle) → POST /api/v1/apps/diabetes-advice/infer (docs/diabetes-advice.md);
// the ranked advice with reasons and the guideline rules that fired, the
// HbA1c target, contraindications, cautions, and for undiagnosed adults the
// risk score with its per-feature contributions as a chart.
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip } from 'chart.js';
import { ApiError, authHeaders } from '../api';
import { h, clear } from '../dom';
import { formatNumber, t } from '../i18n';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const APP = 'diabetes-advice';
const DRUGS = ['metformin', 'sglt2i', 'glp1ra', 'dpp4i', 'sulfonylurea', 'basal_insulin', 'prandial_insulin', 'tzd'];
const CONDITIONS = ['ascvd', 'heart_failure', 'ckd'];
const FLAGS = ['hypoglycaemia_history', 'frail', 'pregnant', 'symptomatic_hyperglycaemia'];

interface Rule { id: string; text: string; source?: { guideline: string; section: string; version?: string } }
interface Recommendation { rank: number; action: string; title: string; score: number; reasons: string[]; rules: Rule[]; cautions: Rule[] }
interface Advice {
  app: { name: string; version: string };
  rule_set: { name: string; version: string };
  research_use_only: boolean;
  notice: string;
  missing: string[];
  hba1c_target: { below_percent: number; below_mmol_mol: number; why: string; hba1c_percent?: number; above_target_by?: number; at_target?: boolean } | null;
  recommendations: Recommendation[];
  contraindications: { action: string; title: string; rules: Rule[] }[];
  cautions: Rule[];
  risk: null | { probability: number; contributions: { feature: string; value: number | null; contribution: number }[];
    what_drove_this_score: { feature: string; direction: string; contribution: number; missing: boolean }[] };
}

function numberField(name: string, unitOptions: string[] = [], step = 'any'): HTMLElement {
  const input = h('input', { type: 'number', name, id: `f-${name}`, step, inputmode: 'decimal' });
  return h('label', { class: 'field' }, h('span', {}, t(`advice.field.${name}`)),
    unitOptions.length
      ? h('span', { class: 'with-unit' }, input, h('select', { name: `${name}_unit`, 'aria-label': t('advice.unit') }, ...unitOptions.map(u => h('option', { value: u }, u))))
      : input);
}
const checkbox = (name: string, key: string) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: 'true' }), ` ${t(key)}`);

function patientFromForm(form: HTMLFormElement): Record<string, unknown> {
  const data = new FormData(form);
  const num = (k: string) => {
    const v = String(data.get(k) ?? '').trim();
    return v === '' ? undefined : Number(v);
  };
  const measure = (k: string) => {
    const v = num(k);
    if (v === undefined) return undefined;
    const unit = data.get(`${k}_unit`);
    return unit ? { value: v, unit: String(unit) } : v;
  };
  const out: Record<string, unknown> = {
    age: num('age'),
    sex: String(data.get('sex') ?? '') || undefined,
    diagnosed_t2d: data.get('diagnosed_t2d') === 'true',
    conditions: Object.fromEntries(CONDITIONS.map(c => [c, data.get(c) === 'true'])),
    medications: DRUGS.filter(d => data.get(`drug_${d}`) === 'true'),
  };
  for (const k of ['hba1c', 'fasting_glucose', 'ogtt_2h_glucose', 'ldl']) out[k] = measure(k);
  for (const k of ['egfr', 'bmi', 'sbp', 'dbp', 'pregnancies', 'triceps_skinfold_mm', 'diabetes_pedigree']) out[k] = num(k);
  for (const f of FLAGS) out[f] = data.get(f) === 'true';
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

function ruleList(rules: Rule[]): HTMLElement {
  return h('ul', { class: 'rules' }, ...rules.map(r => h('li', {},
    h('code', {}, r.id), ' ', r.text,
    r.source ? h('span', { class: 'muted' }, ` — ${r.source.guideline}, ${r.source.section}`) : null)));
}

function renderAdvice(box: HTMLElement, a: Advice): void {
  const parts: (HTMLElement | null)[] = [
    h('p', { class: 'ruo-note', role: 'note' }, h('span', { class: 'ruo' }, t('viewer.research_use_only')), ' ', a.notice),
    h('p', { class: 'muted', id: 'advice-app' }, `${a.app.name} ${a.app.version} · ${t('advice.rule_set')} ${a.rule_set.version}`),
  ];
  if (a.hba1c_target)
    parts.push(h('section', { class: 'card', id: 'advice-target' }, h('h2', {}, t('advice.target')),
      h('p', {}, t('advice.target_value', { percent: formatNumber(a.hba1c_target.below_percent), mmol: a.hba1c_target.below_mmol_mol }),
        a.hba1c_target.above_target_by !== undefined
          ? ` · ${a.hba1c_target.at_target ? t('advice.at_target') : t('advice.above_by', { value: formatNumber(a.hba1c_target.above_target_by) })}` : ''),
      h('p', { class: 'muted' }, a.hba1c_target.why)));
  parts.push(h('section', { class: 'card' }, h('h2', {}, t('advice.recommendations')),
    a.recommendations.length === 0 ? h('p', { class: 'muted' }, t('advice.none')) :
      h('ol', { class: 'recommendations', id: 'advice-recommendations' }, ...a.recommendations.map(r => h('li', { 'data-action': r.action },
        h('strong', {}, r.title), h('span', { class: 'muted' }, ` · ${t('advice.score', { score: r.score })}`),
        h('ul', { class: 'reasons' }, ...r.reasons.map(x => h('li', {}, x))),
        h('details', {}, h('summary', {}, t('advice.rules', { count: r.rules.length })), ruleList(r.rules)),
        r.cautions.length ? h('div', { class: 'cautions' }, h('strong', {}, t('advice.cautions')), ruleList(r.cautions)) : null)))));
  if (a.contraindications.length)
    parts.push(h('section', { class: 'card' }, h('h2', {}, t('advice.contraindications')),
      h('ul', {}, ...a.contraindications.map(c => h('li', {}, h('strong', {}, c.title), ruleList(c.rules))))));
  if (a.cautions.length) parts.push(h('section', { class: 'card' }, h('h2', {}, t('advice.general_cautions')), ruleList(a.cautions)));
  if (a.missing.length)
    parts.push(h('p', { class: 'muted' }, `${t('advice.missing')}: ${a.missing.map(m => t(`advice.field.${m}`, { defaultValue: m })).join(', ')}`));
  if (a.risk) {
    const canvas = h('canvas', { id: 'risk-chart', role: 'img', 'aria-label': t('advice.contributions') });
    const rows = [...a.risk.contributions].sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution));
    parts.push(h('section', { class: 'card', id: 'advice-risk' }, h('h2', {}, t('advice.risk')),
      h('p', {}, t('advice.probability', { value: formatNumber(a.risk.probability * 100, 0) })),
      h('div', { class: 'chart' }, canvas),
      h('ul', {}, ...a.risk.what_drove_this_score.map(d => h('li', {},
        t(d.direction === 'raises' ? 'advice.raises' : 'advice.lowers', { feature: t(`advice.field.${d.feature}`, { defaultValue: d.feature }), value: formatNumber(Math.abs(d.contribution), 2) }),
        d.missing ? ` (${t('advice.not_given')})` : '')))));
    clear(box, ...parts.filter((p): p is HTMLElement => p !== null));
    new Chart(canvas, {
      type: 'bar',
      data: { labels: rows.map(r => t(`advice.field.${r.feature}`, { defaultValue: r.feature })),
        datasets: [{ label: t('advice.contribution'), data: rows.map(r => r.contribution), backgroundColor: rows.map(r => (r.contribution >= 0 ? '#c62828' : '#2e7d32')) }] },
      options: { indexAxis: 'y', responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } },
    });
    return;
  }
  clear(box, ...parts.filter((p): p is HTMLElement => p !== null));
}

export function renderAdvicePage(outlet: HTMLElement): void {
  const result = h('div', { class: 'advice-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('advice.submit'));
  const fhir = h('textarea', { name: 'fhir', id: 'fhir-bundle', rows: 10, 'aria-label': t('advice.fhir_paste'), placeholder: '{"resourceType": "Bundle", …}' });
  const useFhir = h('input', { type: 'checkbox', id: 'use-fhir' });
  const form = h('form', { class: 'card advice-form', 'aria-label': t('advice.form') },
    h('div', { class: 'grid' },
      numberField('age', [], '1'),
      h('label', { class: 'field' }, h('span', {}, t('advice.field.sex')),
        h('select', { name: 'sex' }, h('option', { value: '' }, '—'), h('option', { value: 'female' }, t('advice.female')), h('option', { value: 'male' }, t('advice.male')))),
      numberField('hba1c', ['%', 'mmol/mol']), numberField('fasting_glucose', ['mmol/L', 'mg/dL']),
      numberField('egfr'), numberField('bmi'), numberField('sbp'), numberField('dbp'), numberField('ldl', ['mmol/L', 'mg/dL'])),
    h('fieldset', {}, h('legend', {}, t('advice.history')), checkbox('diagnosed_t2d', 'advice.field.diagnosed_t2d'),
      ...CONDITIONS.map(c => checkbox(c, `advice.field.${c}`)), ...FLAGS.map(f => checkbox(f, `advice.field.${f}`))),
    h('fieldset', {}, h('legend', {}, t('advice.medications')), ...DRUGS.map(d => checkbox(`drug_${d}`, `advice.drug.${d}`))),
    h('details', {}, h('summary', {}, t('advice.screening_extras')),
      h('div', { class: 'grid' }, numberField('ogtt_2h_glucose', ['mmol/L', 'mg/dL']), numberField('pregnancies', [], '1'),
        numberField('triceps_skinfold_mm'), numberField('diabetes_pedigree'))),
    h('details', {}, h('summary', {}, t('advice.fhir')), h('label', { class: 'check' }, useFhir, ` ${t('advice.use_fhir')}`), fhir),
    submit);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    submit.disabled = true;
    clear(result, h('p', { class: 'muted' }, t('common.loading')));
    const body = useFhir.checked ? fhir.value : JSON.stringify(patientFromForm(form));
    try {
      const res = await fetch(`/api/v1/apps/${APP}/infer`, { method: 'POST', body,
        headers: { ...authHeaders(), 'Content-Type': useFhir.checked ? 'application/fhir+json' : 'application/json', Accept: 'application/json' } });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) throw new ApiError(res.status, answer.error ?? `http_${res.status}`, answer.message ?? '', answer.detail);
      renderAdvice(result, answer as Advice);
    } catch (err) {
      const problems = err instanceof ApiError ? ((err.detail as { problems?: { field: string; code: string; message: string }[] } | null)?.problems ?? []) : [];
      clear(result, h('div', { class: 'error', role: 'alert' },
        h('p', {}, err instanceof ApiError ? (err.status === 404 ? t('advice.not_available') : `${err.code}: ${err.message}`) : String(err)),
        problems.length ? h('ul', { id: 'advice-problems' }, ...problems.map(p => h('li', {}, `${p.field || '/'} — ${p.code}: ${p.message}`))) : null));
    } finally {
      submit.disabled = false;
    }
  });
  clear(outlet, h('h1', {}, t('advice.title')), h('p', { class: 'muted' }, t('advice.intro')), form, result);
}
