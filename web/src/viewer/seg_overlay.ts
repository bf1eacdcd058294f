// DICOM SEG (binary, 1 bit per pixel) drawn over the stack: each segment in
// its recommended colour, per-segment toggles. Geometry comes from the
// SEG's functional groups (plane position per frame, shared orientation and
// pixel spacing); a frame is drawn on the image whose plane it lies in.
// Pixels come from WADO-RS bulk data (PixelData, uncompressed).
import { cs } from './cornerstone';
import { drawFrame, frameCanvas, loadSegInstance, nums, seq, str, type Vec3 } from './seg_frames';

export interface Segment {
  number: number;
  label: string;
  rgb: [number, number, number];
  visible: boolean;
}
interface SegFrame {
  segment: number;
  position: Vec3;
  index: number;
  canvas?: HTMLCanvasElement;
}
export interface SegOverlay {
  seriesLabel: string;
  segments: Segment[];
  frames: SegFrame[];
  rows: number;
  columns: number;
  rowCos: Vec3;
  colCos: Vec3;
  spacing: [number, number];  // row spacing (between rows), column spacing
  bits: Uint8Array;
}

// DICOM CIELab (0..65535 scaled, D65) → sRGB 0..255.
export function dicomLabToRgb(v: number[]): [number, number, number] {
  const L = (v[0] * 100) / 65535;
  const a = (v[1] * 255) / 65535 - 128;
  const b = (v[2] * 255) / 65535 - 128;
  const fy = (L + 16) / 116;
  const f = (t: number) => (t ** 3 > 0.008856 ? t ** 3 : (t - 16 / 116) / 7.787);
  const [x, y, z] = [0.95047 * f(fy + a / 500), 1.0 * f(fy), 1.08883 * f(fy - b / 200)];
  const lin = [3.2406 * x - 1.5372 * y - 0.4986 * z, -0.9689 * x + 1.8758 * y + 0.0415 * z, 0.0557 * x - 0.204 * y + 1.057 * z];
  const gamma = (c: number) => Math.round(255 * Math.min(1, Math.max(0, c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055)));
  return [gamma(lin[0]), gamma(lin[1]), gamma(lin[2])];
}

const FALLBACK: [number, number, number][] = [[255, 64, 129], [0, 229, 255], [118, 255, 3], [255, 145, 0], [213, 0, 249]];

export async function loadSegOverlay(study: string, series: string, instance: string): Promise<SegOverlay | null> {
  const seg = await loadSegInstance(study, series, instance);
  if (!seg || str(seg.ds, '00620001') !== 'BINARY') return null;
  const ds = seg.ds;
  const rows = Number(str(ds, '00280010'));
  const columns = Number(str(ds, '00280011'));
  const shared = seq(ds, '52009229')[0];
  const iop = nums(seq(shared, '00209116')[0], '00200037');
  const spacing = nums(seq(shared, '00289110')[0], '00280030');
  if (iop.length !== 6 || spacing.length !== 2) return null;
  const segments: Segment[] = seq(ds, '00620002').map((s, i) => {
    const lab = nums(s, '0062000D');
    return { number: Number(str(s, '00620004')), label: str(s, '00620005') || `#${i + 1}`,
      rgb: lab.length === 3 ? dicomLabToRgb(lab) : FALLBACK[i % FALLBACK.length], visible: true };
  });
  const frames: SegFrame[] = seq(ds, '52009230').map((f, index) => ({
    segment: Number(str(seq(f, '0062000A')[0], '0062000B')),
    position: nums(seq(f, '00209113')[0], '00200032') as Vec3,
    index,
  }));
  const bits = await seg.pixels();
  if (!bits) return null;
  return { seriesLabel: str(ds, '0008103E'), segments, frames, rows, columns,
    rowCos: iop.slice(0, 3) as Vec3, colCos: iop.slice(3, 6) as Vec3, spacing: [spacing[0], spacing[1]], bits };
}

function maskCanvas(seg: SegOverlay, frame: SegFrame, rgb: [number, number, number]): HTMLCanvasElement {
  const offset = frame.index * seg.rows * seg.columns;
  frame.canvas ??= frameCanvas(seg.rows, seg.columns, (i, data) => {
    const bit = offset + i;
    if (!(seg.bits[bit >> 3] & (1 << (bit & 7)))) return;
    data[i * 4] = rgb[0];
    data[i * 4 + 1] = rgb[1];
    data[i * 4 + 2] = rgb[2];
    data[i * 4 + 3] = 110;
  });
  return frame.canvas;
}

// Draws the frames lying in the current image's plane; returns how many.
export function drawSeg(ctx: CanvasRenderingContext2D, ratio: number, viewport: cs.Types.IStackViewport, seg: SegOverlay): number {
  const imageId = viewport.getCurrentImageId();
  const plane = imageId ? (cs.metaData.get('imagePlaneModule', imageId) as { imagePositionPatient?: number[]; sliceThickness?: number } | undefined) : undefined;
  if (!plane?.imagePositionPatient) return 0;
  const ipp = plane.imagePositionPatient as Vec3;
  const n: Vec3 = [seg.rowCos[1] * seg.colCos[2] - seg.rowCos[2] * seg.colCos[1], seg.rowCos[2] * seg.colCos[0] - seg.rowCos[0] * seg.colCos[2],
    seg.rowCos[0] * seg.colCos[1] - seg.rowCos[1] * seg.colCos[0]];
  const tolerance = Math.max(0.5, (Number(plane.sliceThickness) || 1) / 2);
  let drawn = 0;
  for (const f of seg.frames) {
    const s = seg.segments.find(x => x.number === f.segment);
    if (!s?.visible || f.position.length !== 3) continue;
    const d = (f.position[0] - ipp[0]) * n[0] + (f.position[1] - ipp[1]) * n[1] + (f.position[2] - ipp[2]) * n[2];
    if (Math.abs(d) > tolerance) continue;
    // Affine map of frame pixels (column, row) to canvas points, from three corners.
    const [sr, sc] = seg.spacing;
    const o = viewport.worldToCanvas(f.position);
    const x = viewport.worldToCanvas([f.position[0] + seg.rowCos[0] * sc, f.position[1] + seg.rowCos[1] * sc, f.position[2] + seg.rowCos[2] * sc]);
    const y = viewport.worldToCanvas([f.position[0] + seg.colCos[0] * sr, f.position[1] + seg.colCos[1] * sr, f.position[2] + seg.colCos[2] * sr]);
    drawFrame(ctx, ratio, o, x, y, maskCanvas(seg, f, s.rgb), { smooth: false });
    drawn++;
  }
  return drawn;
}
