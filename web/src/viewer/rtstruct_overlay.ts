// RTSTRUCT contours over the stack: every closed planar contour lying in the
// current image's plane is stroked in its ROI Display Color, with a toggle
// per structure. Contour points are patient coordinates (mm), so they follow
// zoom and pan through the viewport's world-to-canvas transform.
import { authHeaders, type DicomJson } from '../api';
import { cs } from './cornerstone';

type Vec3 = [number, number, number];
type Item = DicomJson;

export interface Structure {
  number: number;
  name: string;
  rgb: [number, number, number];
  visible: boolean;
  contours: { closed: boolean; points: Vec3[] }[];
}
export interface StructureSet {
  label: string;
  structures: Structure[];
}

const seq = (ds: Item | undefined, tag: string): Item[] => (ds?.[tag]?.Value as Item[] | undefined) ?? [];
const str = (ds: Item | undefined, tag: string): string => String(ds?.[tag]?.Value?.[0] ?? '');
const FALLBACK: [number, number, number][] = [[255, 82, 82], [105, 240, 174], [64, 196, 255], [255, 215, 64], [224, 64, 251], [255, 171, 64]];

export async function loadStructureSet(study: string, series: string, instance: string): Promise<StructureSet | null> {
  const res = await fetch(`/dicom-web/studies/${study}/series/${series}/instances/${instance}/metadata`, {
    headers: { ...authHeaders(), Accept: 'application/dicom+json' },
  });
  if (!res.ok) return null;
  const ds = ((await res.json()) as Item[])[0];
  if (!ds || str(ds, '00080060') !== 'RTSTRUCT') return null;
  const names = new Map<number, string>();
  for (const roi of seq(ds, '30060020')) names.set(Number(str(roi, '30060022')), str(roi, '30060026'));
  const structures: Structure[] = seq(ds, '30060039').map((rc, i) => {
    const number = Number(str(rc, '30060084'));
    const colour = ((rc['3006002A']?.Value as unknown[]) ?? []).map(Number);
    return {
      number,
      name: names.get(number) || `ROI ${number}`,
      rgb: colour.length === 3 ? (colour as [number, number, number]) : FALLBACK[i % FALLBACK.length],
      visible: true,
      contours: seq(rc, '30060040').map(c => {
        const flat = ((c['30060050']?.Value as unknown[]) ?? []).map(Number);
        const points: Vec3[] = [];
        for (let k = 0; k + 2 < flat.length; k += 3) points.push([flat[k], flat[k + 1], flat[k + 2]]);
        return { closed: str(c, '30060042') === 'CLOSED_PLANAR', points };
      }),
    };
  });
  return { label: str(ds, '30060002') || str(ds, '0008103E'), structures };
}

// Strokes the contours in the current image's plane; returns how many.
export function drawStructures(ctx: CanvasRenderingContext2D, viewport: cs.Types.IStackViewport, set: StructureSet): number {
  const imageId = viewport.getCurrentImageId();
  const plane = imageId
    ? (cs.metaData.get('imagePlaneModule', imageId) as
        | { imagePositionPatient?: number[]; rowCosines?: number[]; columnCosines?: number[]; sliceThickness?: number }
        | undefined)
    : undefined;
  if (!plane?.imagePositionPatient || !plane.rowCosines || !plane.columnCosines) return 0;
  const [r, c, p] = [plane.rowCosines, plane.columnCosines, plane.imagePositionPatient];
  const n = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
  const tolerance = Math.max(0.5, (Number(plane.sliceThickness) || 1) / 2);
  let drawn = 0;
  ctx.lineWidth = 2;
  for (const s of set.structures) {
    if (!s.visible) continue;
    ctx.strokeStyle = `rgb(${s.rgb.join(',')})`;
    for (const contour of s.contours) {
      const q = contour.points[0];
      if (!q) continue;
      const d = (q[0] - p[0]) * n[0] + (q[1] - p[1]) * n[1] + (q[2] - p[2]) * n[2];
      if (Math.abs(d) > tolerance) continue;
      ctx.beginPath();
      contour.points.forEach((pt, k) => {
        const xy = viewport.worldToCanvas(pt);
        if (k === 0) ctx.moveTo(xy[0], xy[1]);
        else ctx.lineTo(xy[0], xy[1]);
      });
      if (contour.closed) ctx.closePath();
      ctx.stroke();
      drawn++;
    }
  }
  return drawn;
}
