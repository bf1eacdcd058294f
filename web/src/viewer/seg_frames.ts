// What the two SEG overlays share: reading a SEG instance (DICOM JSON
// metadata, then its Pixel Data as bulk data from the same origin), turning
// one frame into a canvas, and drawing that canvas onto the viewport through
// the affine map given by three canvas points.
//  - seg_overlay.ts: BINARY SEGs (1 bit per pixel), one colour per segment.
//  - heatmap_overlay.ts: FRACTIONAL PROBABILITY SEGs, a colour map.
import { authHeaders, type DicomJson } from '../api';

export type Item = DicomJson;
export type Vec3 = [number, number, number];
type Point = [number, number] | number[];

export const seq = (ds: Item | undefined, tag: string): Item[] => (ds?.[tag]?.Value as Item[] | undefined) ?? [];
export const nums = (ds: Item | undefined, tag: string): number[] => ((ds?.[tag]?.Value as unknown[]) ?? []).map(Number);
export const str = (ds: Item | undefined, tag: string, i = 0): string => String(ds?.[tag]?.Value?.[i] ?? '');

// The first part of a multipart/related answer (or the whole body).
export function firstPart(buffer: ArrayBuffer, contentType: string): Uint8Array {
  const bytes = new Uint8Array(buffer);
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!/multipart/i.test(contentType) || !m) return bytes;
  const text = new TextDecoder('latin1').decode(bytes);
  const start = text.indexOf('\r\n\r\n', text.indexOf(`--${m[1]}`));
  const end = text.indexOf(`\r\n--${m[1]}`, start + 4);
  return bytes.subarray(start + 4, end < 0 ? bytes.length : end);
}

export interface SegInstance {
  ds: Item;                                   // the metadata, DICOM JSON
  pixels: () => Promise<Uint8Array | null>;  // Pixel Data, fetched on demand
}

// The SEG's metadata through WADO-RS; null when it cannot be read or is not
// a SEG. Pixel Data comes inline or as bulk data, and a BulkDataURI of
// another origin is refused: the token never leaves the server's origin.
export async function loadSegInstance(study: string, series: string, instance: string): Promise<SegInstance | null> {
  const base = `/dicom-web/studies/${study}/series/${series}/instances/${instance}`;
  const res = await fetch(`${base}/metadata`, { headers: { ...authHeaders(), Accept: 'application/dicom+json' } });
  if (!res.ok) return null;
  const ds = ((await res.json()) as Item[])[0];
  if (!ds || str(ds, '00080060') !== 'SEG') return null;
  const pixels = async (): Promise<Uint8Array | null> => {
    const pixel = ds['7FE00010'] as { InlineBinary?: string; BulkDataURI?: string } | undefined;
    if (pixel?.InlineBinary) return Uint8Array.from(atob(pixel.InlineBinary), c => c.charCodeAt(0));
    const uri = pixel?.BulkDataURI ? new URL(pixel.BulkDataURI, location.origin) : new URL(`${base}/bulkdata/7FE00010`, location.origin);
    if (uri.origin !== location.origin) return null;
    const px = await fetch(uri.pathname, { headers: { ...authHeaders(), Accept: 'multipart/related; type="application/octet-stream"' } });
    if (!px.ok) return null;
    return firstPart(await px.arrayBuffer(), px.headers.get('Content-Type') ?? '');
  };
  return { ds, pixels };
}

// A rows × columns canvas whose pixel i gets the RGBA `paint` writes at
// data[4i..4i+3] (left transparent when it writes nothing).
export function frameCanvas(rows: number, columns: number,
  paint: (i: number, data: Uint8ClampedArray) => void): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = columns;
  c.height = rows;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(columns, rows);
  const n = rows * columns;
  for (let i = 0; i < n; i++) paint(i, img.data);
  ctx.putImageData(img, 0, 0);
  return c;
}

// Draws `frame` with its pixel (0,0) centred on canvas point `o`, its
// columns advancing towards `x` and its rows towards `y` (canvas points of
// pixels (1,0) and (0,1)); `ratio` is the device pixel ratio.
export function drawFrame(ctx: CanvasRenderingContext2D, ratio: number, o: Point, x: Point, y: Point,
  frame: HTMLCanvasElement, options: { smooth: boolean; alpha?: number }): void {
  ctx.save();
  ctx.setTransform(ratio * (x[0] - o[0]), ratio * (x[1] - o[1]), ratio * (y[0] - o[0]), ratio * (y[1] - o[1]), ratio * o[0], ratio * o[1]);
  ctx.translate(-0.5, -0.5);  // pixel centres sit at the positions
  if (options.alpha !== undefined) ctx.globalAlpha = options.alpha;
  ctx.imageSmoothingEnabled = options.smooth;
  ctx.drawImage(frame, 0, 0);
  ctx.restore();
}
