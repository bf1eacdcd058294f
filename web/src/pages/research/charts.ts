// Chart.js charts of the research pages: training curves (loss and the
// validation metrics per epoch, from a training job's `history`) and ROC
// curves (from an evaluation report's `roc` points). Canvases carry
// role="img" and an aria-label; the numbers are also in the tables beside them.
import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, type ChartDataset } from 'chart.js';
import { h } from '../../dom';
import { t } from '../../i18n';
import type { EpochRecord, SplitReport } from './types';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

const COLOURS = ['#0b5394', '#c62828', '#2e7d32', '#b26a00', '#6a1b9a', '#00838f'];

type Point = { x: number; y: number };
function curveDatasets(history: EpochRecord[]): ChartDataset<'line', Point[]>[] {
  const points = (pick: (r: EpochRecord) => number | null | undefined): Point[] =>
    history.flatMap(r => { const y = pick(r); return typeof y === 'number' && Number.isFinite(y) ? [{ x: r.epoch, y }] : []; });
  const out: ChartDataset<'line', Point[]>[] = [
    { label: t('research.curves.train_loss'), data: points(r => r.loss), yAxisID: 'loss', borderColor: COLOURS[0], backgroundColor: COLOURS[0] },
  ];
  const metrics = new Set<string>();
  for (const r of history) for (const k of Object.keys(r.validation ?? {})) metrics.add(k);
  let c = 1;
  for (const m of [...metrics].sort()) {
    const isLoss = /loss/.test(m);
    out.push({ label: `${t('research.curves.validation')} ${m}`, data: points(r => r.validation?.[m]), yAxisID: isLoss ? 'loss' : 'metric',
      borderColor: COLOURS[c % COLOURS.length], backgroundColor: COLOURS[c % COLOURS.length], borderDash: isLoss ? [6, 3] : undefined });
    c++;
  }
  return out;
}

// A live-updatable training-curve chart; update(history) redraws in place.
export function trainingCurves(history: EpochRecord[], id = 'training-curves'): { element: HTMLElement; update: (history: EpochRecord[]) => void; destroy: () => void } {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': t('research.curves.title') });
  const element = h('div', { class: 'chart' }, canvas);
  const chart = new Chart(canvas, {
    type: 'line',
    data: { datasets: curveDatasets(history) },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, parsing: false, normalized: true,
      elements: { point: { radius: history.length > 60 ? 0 : 2 }, line: { borderWidth: 2 } },
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: t('research.curves.epoch') }, ticks: { precision: 0 } },
        loss: { type: 'linear', position: 'left', title: { display: true, text: t('research.curves.loss') } },
        metric: { type: 'linear', position: 'right', min: 0, max: 1, grid: { drawOnChartArea: false }, title: { display: true, text: t('research.curves.metric') } },
      },
    },
  });
  canvas.dataset.points = String(history.length);
  return {
    element,
    update: next => {
      chart.data.datasets = curveDatasets(next);
      chart.options.elements!.point!.radius = next.length > 60 ? 0 : 2;
      chart.update('none');
      canvas.dataset.points = String(next.length);
    },
    destroy: () => chart.destroy(),
  };
}

export function rocChart(splits: [string, SplitReport][]): HTMLElement | null {
  const withRoc = splits.filter(([, s]) => Array.isArray(s.roc) && s.roc.length > 1);
  if (withRoc.length === 0) return null;
  const canvas = h('canvas', { id: 'roc-chart', role: 'img', 'aria-label': t('research.report.roc') });
  const element = h('div', { class: 'chart roc' }, canvas);
  new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        ...withRoc.map(([name, s], i) => ({
          label: `${t(`research.split.${name}`, { defaultValue: name })} (AUC ${typeof s.auc === 'number' ? s.auc.toFixed(3) : '–'})`,
          data: [...s.roc!].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr).map(p => ({ x: p.fpr, y: p.tpr })),
          borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length], pointRadius: 0, stepped: false as const,
        })),
        { label: t('research.report.chance'), data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: '#9aa5b1', borderDash: [4, 4], pointRadius: 0 },
      ],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, parsing: false,
      scales: {
        x: { type: 'linear', min: 0, max: 1, title: { display: true, text: t('research.report.fpr') } },
        y: { type: 'linear', min: 0, max: 1, title: { display: true, text: t('research.report.tpr') } },
      },
    },
  });
  return element;
}
