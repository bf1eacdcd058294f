// Probability heat-maps (DICOM SEG, Segmentation Type FRACTIONAL, Fractional
// Type PROBABILITY; e.g. the mammography app's map per view) drawn over the
// image each frame was derived from, in a colour map with an opacity slider.
//
// Source: the SEG through DICOMweb, not the job result's PNG. The SEG is the
// documented, standard result object (any PACS viewer reads the same one),
// it holds the raw probabilities on each view's own pixel grid (0..Maximum
// Fractional Value), so the colour map, threshold and opacity are ours to
// choose and the map lines up pixel for pixel with the image; the PNG is a
// pre-rendered picture (the view at 208x256 with the map burnt in) meant for
// a report, and would draw the mammogram a second time under the overlay.
//
// Projection images have no patient frame of reference, so a frame is
// matched to its image by the Derivation Image functional group (Source
// Image Sequence → Referenced SOP Instance UID) and mapped through the
// displayed image's own index → world → canvas transform.
import { cs } from './cornerstone';
import { drawFrame, frameCanvas, loadSegInstance, seq, str, type Vec3 } from './seg_frames';

export interface HeatmapView {
  number: number;  // segment number
  label: string;   // e.g. "Malignancy likelihood RCC"
  visible: boolean;
}
interface HeatmapFrame {
  segment: number;
  sourceSop: string;
  index: number;
  canvas?: HTMLCanvasElement;
}
export interface HeatmapSeg {
  sopInstanceUid: string;
  seriesLabel: string;
  appName: string;
  appVersion: string;
  researchUseOnly: boolean;
  maxValue: number;
  rows: number;
  columns: number;
  views: HeatmapView[];
  frames: HeatmapFrame[];
  values: Uint8Array;  // frames × rows × columns, 0..maxValue
  visible: boolean;
}

// The colour map: probability 0 → 1 through dark blue, cyan, green, yellow,
// red (a "jet"-like ramp radiologists know from CAD heat-maps); alpha grows
// with the probability so low values stay see-through and 0 is clear.
const STOPS: [number, [number, number, number]][] = [
  [0.0, [0, 0, 143]], [0.125, [0, 0, 255]], [0.375, [0, 255, 255]], [0.625, [255, 255, 0]], [0.875, [255, 0, 0]], [1.0, [128, 0, 0]],
];
export function colourOf(p: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, p));
  for (let i = 1; i < STOPS.length; i++) {
    const [p1, c1] = STOPS[i];
    const [p0, c0] = STOPS[i - 1];
    if (v <= p1) {
      const f = (v - p0) / (p1 - p0);
      return [0, 1, 2].map(k => Math.round(c0[k] + (c1[k] - c0[k]) * f)) as [number, number, number];
    }
  }
  return STOPS[STOPS.length - 1][1];
}
// Below this probability a pixel is not drawn at all.
export const HEATMAP_FLOOR = 0.05;
const LUT: Uint8ClampedArray = (() => {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const p = i / 255;
    const [r, g, b] = colourOf(p);
    lut.set([r, g, b, p < HEATMAP_FLOOR ? 0 : Math.round(255 * (0.35 + 0.65 * p))], i * 4);
  }
  return lut;
})();

// The legend's gradient as CSS (set through CSSOM: allowed by the CSP).
export function legendGradient(): string {
  return `linear-gradient(to right, ${STOPS.map(([p, c]) => `rgb(${c.join(',')}) ${p * 100}%`).join(', ')})`;
}

export async function loadHeatmapSeg(study: string, series: string, instance: string): Promise<HeatmapSeg | null> {
  const seg = await loadSegInstance(study, series, instance);
  if (!seg) return null;
  const ds = seg.ds;
  if (str(ds, '00620001') !== 'FRACTIONAL') return null;
  if (str(ds, '00620010') !== 'PROBABILITY' || Number(str(ds, '00280100')) !== 8) return null;
  const rows = Number(str(ds, '00280010'));
  const columns = Number(str(ds, '00280011'));
  const maxValue = Number(str(ds, '0062000E')) || 255;
  if (!(rows > 0 && columns > 0)) return null;
  const views: HeatmapView[] = seq(ds, '00620002').map((s, i) => ({
    number: Number(str(s, '00620004')), label: str(s, '00620005') || `#${i + 1}`, visible: true }));
  const frames: HeatmapFrame[] = seq(ds, '52009230').map((f, index) => ({
    segment: Number(str(seq(f, '0062000A')[0], '0062000B')),
    // Derivation Image Sequence → Source Image Sequence → Referenced SOP Instance UID
    sourceSop: str(seq(seq(f, '00089124')[0], '00082112')[0], '00081155'),
    index,
  })).filter(f => f.sourceSop !== '');
  if (frames.length === 0) return null;
  const values = await seg.pixels();
  if (!values || values.length < frames.length * rows * columns) return null;
  const versions = (ds['00181020']?.Value as string[] | undefined) ?? [];
  const description = `${str(ds, '00700081')} ${str(ds, '0008103E')}`;
  return {
    sopInstanceUid: instance,
    seriesLabel: str(ds, '0008103E'),
    appName: str(ds, '00081090'),
    appVersion: versions[0] ?? '',
    researchUseOnly: /research use only/i.test(description),
    maxValue, rows, columns, views, frames, values, visible: true,
  };
}

function heatmapCanvas(seg: HeatmapSeg, frame: HeatmapFrame): HTMLCanvasElement {
  const offset = frame.index * seg.rows * seg.columns;
  const scale = 255 / seg.maxValue;
  frame.canvas ??= frameCanvas(seg.rows, seg.columns, (i, data) => {
    const v = Math.min(255, Math.round(seg.values[offset + i] * scale)) * 4;
    data[i * 4] = LUT[v];
    data[i * 4 + 1] = LUT[v + 1];
    data[i * 4 + 2] = LUT[v + 2];
    data[i * 4 + 3] = LUT[v + 3];
  });
  return frame.canvas;
}

// SOP Instance UID of a WADO-RS image id (…/instances/{sop}/frames/{n}).
export function sopOfImageId(imageId: string): string {
  return /\/instances\/([^/]+)\/frames\//.exec(imageId)?.[1] ?? '';
}

// Draws the maps derived from the displayed image at `opacity` (0..1);
// returns how many were drawn.
export function drawHeatmaps(ctx: CanvasRenderingContext2D, ratio: number, viewport: cs.Types.IStackViewport,
  segs: HeatmapSeg[], opacity: number): number {
  const imageId = viewport.getCurrentImageId();
  if (!imageId || opacity <= 0) return 0;
  const sop = sopOfImageId(imageId);
  const data = viewport.getImageData();
  if (!data) return 0;
  const origin = data.origin as Vec3;
  const dir = data.direction as unknown as number[];
  const [si, sj] = [data.spacing[0], data.spacing[1]];
  const at = (i: number, j: number): Vec3 => [0, 1, 2].map(k => origin[k] + dir[k] * i * si + dir[3 + k] * j * sj) as Vec3;
  const dims = data.dimensions;
  let drawn = 0;
  for (const seg of segs) {
    if (!seg.visible) continue;
    for (const f of seg.frames) {
      if (f.sourceSop !== sop) continue;
      const view = seg.views.find(v => v.number === f.segment);
      if (!view?.visible) continue;
      // A map on another grid than the image is not ours to stretch.
      if (dims[0] !== seg.columns || dims[1] !== seg.rows) continue;
      // A probability map is smooth: drawn without pixel blocks.
      drawFrame(ctx, ratio, viewport.worldToCanvas(at(0, 0)), viewport.worldToCanvas(at(1, 0)), viewport.worldToCanvas(at(0, 1)),
        heatmapCanvas(seg, f), { smooth: true, alpha: opacity });
      drawn++;
    }
  }
  return drawn;
}
