// Study viewer: series list, stack viewport (Cornerstone3D), window presets,
// zoom/pan, keyboard shortcuts, AI finding markers and the findings panel
// (accept / reject / edit → POST /api/v1/jobs/{id}/findings/{finding}/feedback).
import { ApiError, dicomJson, get, post, tagString, type AppResult, type DicomJson, type Finding, type Job, type Page } from '../api';
import { h, clear } from '../dom';
import { formatNumber, formatPersonName, formatDicomDate, t } from '../i18n';
import { bindTools, cs, destroyTools, imageIdsForSeries, initCornerstone, tools } from '../viewer/cornerstone';
import { closestSlice, drawOverlay, FINDING_COLOURS, type OverlayState } from '../viewer/overlay';
import { loadSegOverlay, type SegOverlay } from '../viewer/seg_overlay';
import { HEATMAP_FLOOR, legendGradient, loadHeatmapSeg, type HeatmapSeg } from '../viewer/heatmap_overlay';
import { loadStructureSet, type StructureSet } from '../viewer/rtstruct_overlay';

const ENGINE_ID = 'medai-engine';
const VIEWPORT_ID = 'medai-stack';
const TOOL_GROUP_ID = 'medai-tools';
const NON_IMAGE = new Set(['SEG', 'SR', 'RTSTRUCT', 'RTPLAN', 'KO', 'PR', 'DOC']);

export const WINDOW_PRESETS = [
  { id: 'lung', key: '1', width: 1500, center: -600 },
  { id: 'mediastinum', key: '2', width: 350, center: 50 },
  { id: 'bone', key: '3', width: 1800, center: 400 },
  { id: 'mammography', key: '4', width: 0, center: 0 },  // the image's own VOI
] as const;

interface AppRun {
  job: Job;
  result: AppResult;
}

async function appRunsForStudy(study: string): Promise<AppRun[]> {
  const page = await get<Page<Job>>(`/api/v1/jobs?type=app.run&state=succeeded&limit=1000&study_uid=${encodeURIComponent(study)}`);
  const seen = new Set<string>();
  const runs: AppRun[] = [];
  for (const job of page.items) {
    if (job.input.study_uid !== study || !job.result) continue;
    const app = job.result.app.name;
    if (seen.has(app)) continue;  // newest run per app
    seen.add(app);
    const full = await get<Job>(`/api/v1/jobs/${encodeURIComponent(job.id)}`);
    if (full.result) runs.push({ job: full, result: full.result });
  }
  return runs;
}

// The exam-level result in one line: numbers, words and lists of words as
// they are, a BI-RADS suggestion as "category — meaning"; nested detail
// (per-breast and per-view objects) stays in the findings and the SR.
function examSummary(exam: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(exam)) {
    if (typeof v === 'number') parts.push(`${k}: ${formatNumber(v, Number.isInteger(v) ? 0 : 3)}`);
    else if (typeof v === 'string' || typeof v === 'boolean') parts.push(`${k}: ${v}`);
    else if (Array.isArray(v) && v.every(x => typeof x === 'string' || typeof x === 'number')) parts.push(`${k}: ${v.length ? v.join(', ') : '–'}`);
    else if (v && typeof v === 'object' && 'category' in v) {
      const b = v as { category: unknown; meaning?: unknown };
      parts.push(`${k}: ${String(b.category)}${b.meaning ? ` — ${String(b.meaning)}` : ''}`);
    }
  }
  return parts.join(' · ');
}

export function renderViewer(outlet: HTMLElement, study: string, query: URLSearchParams): () => void {
  const seriesList = h('ul', { class: 'series-list', 'aria-label': t('viewer.series') });
  const element = h('div', { class: 'viewport', id: 'viewport', tabindex: 0, 'aria-label': t('viewer.image'), role: 'img' });
  const overlayCanvas = h('canvas', { class: 'overlay', id: 'overlay', 'aria-hidden': 'true' });
  const info = h('div', { class: 'viewport-info', id: 'slice-info', 'aria-live': 'off' });
  const voiInfo = h('div', { class: 'viewport-voi', id: 'voi-info' });
  const ruo = h('div', { class: 'ruo-banner', id: 'app-banner', role: 'note' });
  const findingsPanel = h('section', { class: 'findings', 'aria-label': t('viewer.findings') });
  const segPanel = h('section', { class: 'segments', 'aria-label': t('viewer.segmentations') });
  const presetBar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': t('viewer.window_presets') });
  const status = h('p', { class: 'muted', role: 'status' }, t('common.loading'));
  const header = h('div', { class: 'viewer-head' }, h('a', { href: '/', 'data-link': true }, `← ${t('nav.worklist')}`), h('span', { class: 'study-title' }), status);
  const stage = h('div', { class: 'stage' }, element, overlayCanvas, info, voiInfo);
  const layout = h('div', { class: 'viewer' },
    h('aside', { class: 'left' }, h('h2', {}, t('viewer.series')), seriesList),
    h('section', { class: 'centre' }, ruo, presetBar, stage),
    h('aside', { class: 'right' }, segPanel, findingsPanel));
  clear(outlet, header, layout);
  outlet.classList.add('viewer-main');

  const overlay: OverlayState = { findings: [], segs: [], heatmaps: [], heatmapOpacity: 0.5, heatmapsDrawn: 0, structureSets: [],
    visible: true, selected: null, segFramesDrawn: 0, contoursDrawn: 0 };
  let engine: cs.RenderingEngine | null = null;
  let viewport: cs.Types.IStackViewport | null = null;
  let imageIds: string[] = [];
  let disposed = false;
  let rendered = 0;

  const redraw = () => {
    if (!viewport) return;
    const n = drawOverlay(overlayCanvas, viewport, overlay);
    overlayCanvas.dataset.markers = String(n);
    overlayCanvas.dataset.segFrames = String(overlay.segFramesDrawn);
    overlayCanvas.dataset.contours = String(overlay.contoursDrawn);
    overlayCanvas.dataset.heatmaps = String(overlay.heatmapsDrawn);
    const idx = viewport.getCurrentImageIdIndex();
    info.textContent = t('viewer.slice', { index: idx + 1, total: imageIds.length });
    element.dataset.sliceIndex = String(idx);
    element.dataset.rendered = String(++rendered);
    const voi = viewport.getProperties().voiRange;
    if (voi) {
      const { windowWidth, windowCenter } = cs.utilities.windowLevel.toWindowLevel(voi.lower, voi.upper);
      voiInfo.textContent = t('viewer.voi', { width: formatNumber(windowWidth, 0), center: formatNumber(windowCenter, 0) });
    }
  };

  const setPreset = (id: string) => {
    if (!viewport) return;
    const p = WINDOW_PRESETS.find(x => x.id === id)!;
    if (p.width === 0) viewport.resetProperties();
    else viewport.setProperties({ voiRange: cs.utilities.windowLevel.toLowHighRange(p.width, p.center) });
    viewport.render();
    for (const b of presetBar.querySelectorAll('button[data-preset]')) b.setAttribute('aria-pressed', String((b as HTMLElement).dataset.preset === id));
  };
  const scrollTo = (index: number) => {
    if (!viewport || imageIds.length === 0) return;
    void viewport.setImageIdIndex(Math.max(0, Math.min(imageIds.length - 1, index)));
  };
  const zoomBy = (factor: number) => {
    if (!viewport) return;
    const camera = viewport.getCamera();
    viewport.setCamera({ parallelScale: (camera.parallelScale ?? 1) / factor });
    viewport.render();
  };

  for (const p of WINDOW_PRESETS)
    presetBar.append(h('button', { type: 'button', 'data-preset': p.id, 'aria-pressed': 'false', title: `${t(`viewer.preset.${p.id}`)} (${p.key})`,
      onclick: () => setPreset(p.id) }, `${t(`viewer.preset.${p.id}`)} `, h('kbd', {}, p.key)));
  presetBar.append(
    h('button', { type: 'button', 'aria-label': t('viewer.zoom_in'), title: `${t('viewer.zoom_in')} (+)`, onclick: () => zoomBy(1.25) }, '+'),
    h('button', { type: 'button', 'aria-label': t('viewer.zoom_out'), title: `${t('viewer.zoom_out')} (-)`, onclick: () => zoomBy(0.8) }, '−'),
    h('button', { type: 'button', title: `${t('viewer.reset')} (R)`, onclick: () => { viewport?.resetCamera(); viewport?.resetProperties(); viewport?.render(); } }, t('viewer.reset')),
    h('label', { class: 'toggle' }, h('input', { type: 'checkbox', id: 'toggle-markers', checked: true,
      onchange: (e: Event) => { overlay.visible = (e.target as HTMLInputElement).checked; redraw(); } }), ` ${t('viewer.show_markers')} (M)`),
    h('span', { class: 'muted shortcuts' }, t('viewer.shortcuts')),
  );

  const onKey = (e: KeyboardEvent) => {
    if (!viewport || (e.target instanceof Element && e.target.closest('input, textarea, select'))) return;
    const idx = viewport.getCurrentImageIdIndex();
    const step: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
    if (e.key in step) scrollTo(idx + step[e.key]);
    else if (e.key === 'Home') scrollTo(0);
    else if (e.key === 'End') scrollTo(imageIds.length - 1);
    else if (e.key === '+' || e.key === '=') zoomBy(1.25);
    else if (e.key === '-') zoomBy(0.8);
    else if (e.key === 'r' || e.key === 'R') { viewport.resetCamera(); viewport.resetProperties(); viewport.render(); }
    else if (e.key === 'm' || e.key === 'M') { const box = document.getElementById('toggle-markers') as HTMLInputElement; box.checked = !box.checked; overlay.visible = box.checked; redraw(); }
    else {
      const p = WINDOW_PRESETS.find(x => x.key === e.key);
      if (!p) return;
      setPreset(p.id);
    }
    e.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  const onResize = () => { engine?.resize(true, true); redraw(); };
  window.addEventListener('resize', onResize);
  element.addEventListener('contextmenu', e => e.preventDefault());

  const loadSeries = async (seriesUid: string) => {
    status.textContent = t('common.loading');
    for (const li of seriesList.querySelectorAll('li')) li.classList.toggle('active', li.dataset.series === seriesUid);
    const instances = await dicomJson<DicomJson[]>(`/dicom-web/studies/${study}/series/${seriesUid}/metadata`);
    if (disposed) return;
    imageIds = imageIdsForSeries(study, seriesUid, instances);
    const first = instances[0];
    const modality = first ? tagString(first, '00080060') : '';
    const startAt = Math.floor(imageIds.length / 2);
    await viewport!.setStack(imageIds, startAt);
    // Fetch the rest of the series in the background so scrolling does not wait on the network.
    tools.utilities.stackPrefetch.enable(element);
    if (modality === 'MG') setPreset('mammography');
    viewport!.render();
    status.textContent = '';
    element.dataset.seriesUid = seriesUid;
    element.dataset.loaded = 'true';
  };

  const renderFindings = (runs: AppRun[]) => {
    if (runs.length === 0) {
      clear(ruo, h('span', { class: 'muted' }, t('viewer.no_ai')));
      clear(findingsPanel, h('h2', {}, t('viewer.findings')), h('p', { class: 'muted' }, t('viewer.no_findings')));
      return;
    }
    const run = runs[0];
    const r = run.result;
    clear(ruo,
      h('strong', { id: 'app-name' }, r.app.name), ' ',
      h('span', { id: 'app-version' }, t('viewer.version', { version: r.app.version })), ' ',
      r.research_use_only ? h('span', { class: 'ruo', id: 'ruo-label' }, t('viewer.research_use_only')) : null,
      runs.length > 1 ? h('span', { class: 'muted' }, ` ${t('viewer.more_apps', { count: runs.length - 1 })}`) : null);
    overlay.findings = r.findings;
    const items = r.findings.map((f, i) => findingItem(run, f, FINDING_COLOURS[i % FINDING_COLOURS.length]));
    clear(findingsPanel, h('h2', {}, t('viewer.findings'), ` (${r.findings.length})`),
      r.exam ? h('p', { class: 'exam' }, examSummary(r.exam)) : null,
      r.findings.length === 0 ? h('p', { class: 'muted' }, t('viewer.no_findings')) : h('ol', { class: 'finding-list' }, ...items));
    redraw();
  };

  // One collapsible group of toggles (SEG segments or RTSTRUCT structures),
  // each in its display colour, with a toggle for the whole group.
  type Toggle = { visible: boolean; rgb: [number, number, number] };
  const toggleGroup = (label: string, entries: { item: Toggle; name: string }[], attr: string): HTMLElement => {
    const boxes: HTMLInputElement[] = [];
    const all = h('input', { type: 'checkbox', checked: true, 'aria-label': t('viewer.toggle_all', { label }),
      onchange: (e: Event) => {
        const on = (e.target as HTMLInputElement).checked;
        for (const [i, en] of entries.entries()) { en.item.visible = on; boxes[i].checked = on; }
        redraw();
      } });
    const items = entries.map(({ item, name }) => {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.backgroundColor = `rgb(${item.rgb.join(',')})`;  // CSSOM, allowed under the CSP
      const box = h('input', { type: 'checkbox', checked: true, [attr]: name,
        onchange: (e: Event) => { item.visible = (e.target as HTMLInputElement).checked; redraw(); } });
      boxes.push(box);
      return h('li', {}, h('label', {}, box, ' ', swatch, name));
    });
    return h('details', { class: 'seg-group', open: entries.length <= 12 },
      h('summary', {}, all, ` ${label || t('viewer.unnamed')} (${entries.length})`),
      h('ul', { class: 'segment-list' }, ...items));
  };

  // Probability heat-maps (fractional SEGs): per result a toggle, per view a
  // toggle, one opacity slider, the legend, and the app that made them.
  const heatmapPanel = h('section', { class: 'heatmaps', id: 'heatmap-panel', 'aria-label': t('viewer.heatmaps') });
  segPanel.before(heatmapPanel);
  const renderHeatmapPanel = (maps: HeatmapSeg[]) => {
    const slider = h('input', { type: 'range', id: 'heatmap-opacity', min: 0, max: 100, step: 5, value: Math.round(overlay.heatmapOpacity * 100),
      'aria-label': t('viewer.heatmap_opacity') });
    const sliderValue = h('output', { for: 'heatmap-opacity' }, `${Math.round(overlay.heatmapOpacity * 100)} %`);
    slider.addEventListener('input', () => {
      overlay.heatmapOpacity = Number(slider.value) / 100;
      sliderValue.textContent = `${slider.value} %`;
      redraw();
    });
    const bar = h('div', { class: 'legend-bar', 'aria-hidden': 'true' });
    bar.style.backgroundImage = legendGradient();  // CSSOM, allowed under the CSP
    const legend = h('figure', { class: 'heatmap-legend', id: 'heatmap-legend' },
      bar,
      h('div', { class: 'legend-scale' }, h('span', {}, formatNumber(0, 1)), h('span', {}, formatNumber(0.5, 1)), h('span', {}, formatNumber(1, 1))),
      h('figcaption', {}, t('viewer.heatmap_legend'), h('span', { class: 'muted' }, ` ${t('viewer.heatmap_floor', { floor: formatNumber(HEATMAP_FLOOR, 2) })}`)));
    const groups = maps.map(map => {
      const views = map.views.map(v => {
        const box = h('input', { type: 'checkbox', checked: v.visible, 'data-heatmap-view': v.label,
          onchange: (e: Event) => { v.visible = (e.target as HTMLInputElement).checked; redraw(); } });
        return h('li', {}, h('label', {}, box, ' ', v.label));
      });
      const all = h('input', { type: 'checkbox', checked: map.visible, 'data-heatmap': map.sopInstanceUid,
        'aria-label': t('viewer.heatmap_toggle', { app: map.appName || map.seriesLabel }),
        onchange: (e: Event) => { map.visible = (e.target as HTMLInputElement).checked; redraw(); } });
      return h('div', { class: 'heatmap-group' },
        h('label', { class: 'heatmap-result' }, all, ' ', h('strong', { class: 'heatmap-app' }, map.appName || map.seriesLabel || t('viewer.unnamed')),
          map.appVersion ? h('span', { class: 'heatmap-version' }, ` ${t('viewer.version', { version: map.appVersion })}`) : null),
        map.researchUseOnly ? h('div', { class: 'ruo heatmap-ruo' }, t('viewer.research_use_only')) : null,
        h('ul', { class: 'segment-list' }, ...views));
    });
    clear(heatmapPanel, h('h2', {}, t('viewer.heatmaps')), ...groups,
      h('label', { class: 'heatmap-opacity' }, t('viewer.heatmap_opacity'), ' ', slider, ' ', sliderValue), legend);
  };

  // Every SEG of the study: binary ones as masks (one toggle per segment in
  // its colour), fractional probability maps as heat-maps.
  const loadSegs = async (seriesUids: string[]) => {
    const loaded: SegOverlay[] = [];
    const maps: HeatmapSeg[] = [];
    for (const se of seriesUids) {
      const instances = await dicomJson<DicomJson[]>(`/dicom-web/studies/${study}/series/${se}/instances`);
      for (const inst of instances) {
        const sop = tagString(inst, '00080018');
        const seg = await loadSegOverlay(study, se, sop).catch(() => null);
        if (seg) {
          loaded.push(seg);
          continue;
        }
        const map = await loadHeatmapSeg(study, se, sop).catch(() => null);
        if (map) maps.push(map);
      }
    }
    if (disposed) return;
    if (maps.length > 0) {
      overlay.heatmaps = maps;
      renderHeatmapPanel(maps);
    }
    if (loaded.length > 0) {
      overlay.segs = loaded;
      clear(segPanel, h('h2', {}, t('viewer.segmentations')),
        ...loaded.map(seg => toggleGroup(seg.seriesLabel, seg.segments.map(sg => ({ item: sg, name: sg.label })), 'data-segment')));
    }
    redraw();
  };

  // Every RTSTRUCT of the study: contours per structure with a toggle.
  const structurePanel = h('div', { class: 'structures' });
  segPanel.after(structurePanel);
  const loadStructures = async (seriesUids: string[]) => {
    const loaded: StructureSet[] = [];
    for (const se of seriesUids) {
      const instances = await dicomJson<DicomJson[]>(`/dicom-web/studies/${study}/series/${se}/instances`);
      for (const inst of instances) {
        const set = await loadStructureSet(study, se, tagString(inst, '00080018')).catch(() => null);
        if (set) loaded.push(set);
      }
    }
    if (disposed || loaded.length === 0) return;
    overlay.structureSets = loaded;
    clear(structurePanel, h('h2', {}, t('viewer.structures')),
      ...loaded.map(set => toggleGroup(set.label, set.structures.map(st => ({ item: st, name: st.name })), 'data-structure')));
    redraw();
  };

  const findingItem = (run: AppRun, f: Finding, colour: string): HTMLElement => {
    const verdict = h('span', { class: 'verdict', role: 'status' });
    const send = async (body: { verdict: string; edit?: Record<string, unknown> }) => {
      try {
        await post(`/api/v1/jobs/${encodeURIComponent(run.job.id)}/findings/${encodeURIComponent(f.id)}/feedback`, body);
        verdict.textContent = t(`viewer.verdict.${body.verdict}`);
        li.dataset.verdict = body.verdict;
      } catch (err) {
        verdict.textContent = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
      }
    };
    const editForm = h('form', { class: 'edit', hidden: true },
      h('label', {}, t('viewer.edit_label'), h('input', { name: 'label', value: f.label })),
      h('label', {}, t('viewer.edit_comment'), h('input', { name: 'comment' })),
      h('button', { type: 'submit' }, t('viewer.save')));
    editForm.addEventListener('submit', e => {
      e.preventDefault();
      const data = new FormData(editForm);
      editForm.hidden = true;
      void send({ verdict: 'edit', edit: { label: String(data.get('label') ?? ''), comment: String(data.get('comment') ?? '') } });
    });
    const jump = () => {
      overlay.selected = f.id;
      const idx = closestSlice(imageIds, f);
      if (idx !== null) scrollTo(idx);
      redraw();
    };
    const li = h('li', { class: 'finding', 'data-finding': f.id },
      h('button', { type: 'button', class: 'finding-title', onclick: jump, 'aria-label': t('viewer.go_to', { label: f.label }) },
        h('span', { class: 'swatch', 'data-colour': colour }), f.label),
      f.score !== null && f.score !== undefined ? h('span', { class: 'score' }, t('viewer.score', { score: formatNumber(f.score, 2) })) : null,
      h('ul', { class: 'measurements' }, ...(f.measurements ?? []).map(m => h('li', {}, `${t(`measure.${m.name}`, { defaultValue: m.name })}: ${formatNumber(m.value)} ${m.unit}`))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'accept', onclick: () => void send({ verdict: 'accept' }) }, t('viewer.accept')),
        h('button', { type: 'button', class: 'reject', onclick: () => void send({ verdict: 'reject' }) }, t('viewer.reject')),
        h('button', { type: 'button', class: 'edit-button', onclick: () => { editForm.hidden = !editForm.hidden; } }, t('viewer.edit'))),
      editForm, verdict);
    // Colour swatches through a CSS class per palette index (no inline styles under the CSP).
    li.querySelector('.swatch')!.classList.add(`c${FINDING_COLOURS.indexOf(colour)}`);
    return li;
  };

  void (async () => {
    try {
      const [seriesRows] = await Promise.all([
        dicomJson<DicomJson[]>(`/dicom-web/studies/${study}/series?includefield=SeriesDescription,NumberOfSeriesRelatedInstances`),
        initCornerstone(),
      ]);
      if (disposed) return;
      const studyRow = (await dicomJson<DicomJson[]>(`/dicom-web/studies?StudyInstanceUID=${study}`))[0];
      if (studyRow)
        header.querySelector('.study-title')!.textContent =
          `${formatPersonName(tagString(studyRow, '00100010'))} · ${tagString(studyRow, '00100020')} · ${formatDicomDate(tagString(studyRow, '00080020'))}`;
      const images = seriesRows.filter(s => !NON_IMAGE.has(tagString(s, '00080060')));
      for (const s of seriesRows) {
        const uid = tagString(s, '0020000E');
        const modality = tagString(s, '00080060');
        const isImage = !NON_IMAGE.has(modality);
        seriesList.append(h('li', { 'data-series': uid, class: isImage ? '' : 'result' },
          isImage
            ? h('button', { type: 'button', onclick: () => void loadSeries(uid) }, `${modality} · ${tagString(s, '0008103E') || t('viewer.unnamed')} (${tagString(s, '00201209')})`)
            : h('span', {}, `${modality} · ${tagString(s, '0008103E')} `, h('span', { class: 'badge' }, t('viewer.ai_result')))));
      }
      if (images.length === 0) {
        status.textContent = t('viewer.no_images');
        return;
      }
      engine = new cs.RenderingEngine(ENGINE_ID);
      engine.enableElement({ viewportId: VIEWPORT_ID, type: cs.Enums.ViewportType.STACK, element, defaultOptions: { background: [0, 0, 0] } });
      viewport = engine.getViewport(VIEWPORT_ID) as cs.Types.IStackViewport;
      bindTools(TOOL_GROUP_ID, VIEWPORT_ID, ENGINE_ID);
      element.addEventListener(cs.Enums.Events.IMAGE_RENDERED, redraw);
      const wanted = query.get('series');
      const first = images.find(s => tagString(s, '0020000E') === wanted) ?? images.reduce((a, b) =>
        Number(tagString(b, '00201209')) > Number(tagString(a, '00201209')) ? b : a);
      await loadSeries(tagString(first, '0020000E'));
      renderFindings(await appRunsForStudy(study));
      const ofModality = (m: string) => seriesRows.filter(s => tagString(s, '00080060') === m).map(s => tagString(s, '0020000E'));
      await loadSegs(ofModality('SEG'));
      await loadStructures(ofModality('RTSTRUCT'));
      element.focus();
    } catch (err) {
      status.textContent = t('common.error', { message: (err as Error).message });
    }
  })();

  return () => {
    disposed = true;
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('resize', onResize);
    outlet.classList.remove('viewer-main');
    if (engine) tools.utilities.stackPrefetch.disable(element);
    destroyTools(TOOL_GROUP_ID);
    engine?.destroy();
  };
}
