// AI finding markers drawn on a 2-D canvas above the Cornerstone viewport:
// a circle of the finding's diameter at its centre (patient coordinates,
// mm) on every slice the finding intersects, with its label and main
// measurement. Redrawn on every render (scroll, zoom, pan).
import type { Finding } from '../api';
import { formatNumber } from '../i18n';
import { cs } from './cornerstone';
import { drawSeg, type SegOverlay } from './seg_overlay';
import { drawHeatmaps, type HeatmapSeg } from './heatmap_overlay';
import { drawStructures, type StructureSet } from './rtstruct_overlay';

type Vec3 = [number, number, number];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

export const FINDING_COLOURS = ['#ffd400', '#00e5ff', '#ff4081', '#76ff03', '#ff9100', '#d500f9'];

export function findingDiameterMm(f: Finding): number {
  const m = f.measurements?.find(x => /diameter/i.test(x.name) && x.unit === 'mm');
  return m ? m.value : 6;
}

// Distance (mm) of `point` from the plane of `imageId`, or null without geometry.
export function distanceFromSlice(imageId: string, point: Vec3): number | null {
  const plane = cs.metaData.get('imagePlaneModule', imageId) as
    | { imagePositionPatient?: number[]; rowCosines?: number[]; columnCosines?: number[] }
    | undefined;
  if (!plane?.imagePositionPatient || !plane.rowCosines || !plane.columnCosines) return null;
  const normal = cross(plane.rowCosines as Vec3, plane.columnCosines as Vec3);
  return dot(sub(point, plane.imagePositionPatient as Vec3), normal);
}

export interface OverlayState {
  findings: Finding[];
  segs: SegOverlay[];
  heatmaps: HeatmapSeg[];
  heatmapOpacity: number;  // 0..1
  heatmapsDrawn: number;
  structureSets: StructureSet[];
  visible: boolean;
  selected: string | null;
  segFramesDrawn: number;
  contoursDrawn: number;
}

export function drawOverlay(canvas: HTMLCanvasElement, viewport: cs.Types.IStackViewport, state: OverlayState): number {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const hgt = canvas.clientHeight;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(hgt * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(hgt * ratio);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  state.segFramesDrawn = 0;
  state.contoursDrawn = 0;
  state.heatmapsDrawn = 0;
  if (!state.visible) return 0;
  const imageId = viewport.getCurrentImageId();
  if (!imageId) return 0;
  // Heat-maps first: masks, contours and markers stay readable on top.
  state.heatmapsDrawn = drawHeatmaps(ctx, ratio, viewport, state.heatmaps, state.heatmapOpacity);
  for (const seg of state.segs) state.segFramesDrawn += drawSeg(ctx, ratio, viewport, seg);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  state.contoursDrawn = 0;
  for (const set of state.structureSets) state.contoursDrawn += drawStructures(ctx, viewport, set);
  const plane = cs.metaData.get('imagePlaneModule', imageId) as { rowCosines?: number[] } | undefined;
  let drawn = 0;
  state.findings.forEach((f, i) => {
    if (!f.centre_mm || f.centre_mm.length !== 3) return;
    const centre = f.centre_mm as Vec3;
    const radius = findingDiameterMm(f) / 2;
    const d = distanceFromSlice(imageId, centre);
    if (d === null || Math.abs(d) > Math.max(radius, 1)) return;
    // Radius of the cut through a sphere at distance d, at least 3 px visible.
    const cut = Math.sqrt(Math.max(radius * radius - d * d, 0));
    const row = (plane?.rowCosines ?? [1, 0, 0]) as Vec3;
    const p0 = viewport.worldToCanvas(centre);
    const p1 = viewport.worldToCanvas([centre[0] + row[0] * cut, centre[1] + row[1] * cut, centre[2] + row[2] * cut]);
    const r = Math.max(Math.hypot(p1[0] - p0[0], p1[1] - p0[1]), 4) + 3;
    const colour = FINDING_COLOURS[i % FINDING_COLOURS.length];
    ctx.lineWidth = state.selected === f.id ? 3 : 2;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.arc(p0[0], p0[1], r, 0, Math.PI * 2);
    ctx.stroke();
    const main = f.measurements?.[0];
    const text = main ? `${f.label} ${formatNumber(main.value)} ${main.unit}` : f.label;
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillStyle = colour;
    ctx.strokeStyle = 'rgba(0,0,0,0.8)';
    ctx.lineWidth = 3;
    ctx.strokeText(text, p0[0] + r + 4, p0[1] - r);
    ctx.fillText(text, p0[0] + r + 4, p0[1] - r);
    drawn++;
  });
  return drawn;
}

// Index of the stack image closest to the finding's centre.
export function closestSlice(imageIds: string[], f: Finding): number | null {
  if (typeof f.slice_index === 'number' && !f.centre_mm) return f.slice_index;
  if (!f.centre_mm) return null;
  let best: number | null = null;
  let bestD = Infinity;
  imageIds.forEach((id, i) => {
    const d = distanceFromSlice(id, f.centre_mm as Vec3);
    if (d !== null && Math.abs(d) < bestD) {
      bestD = Math.abs(d);
      best = i;
    }
  });
  return best;
}
