// Cornerstone3D set-up, once per page load: rendering core, tools, and the
// DICOM image loader fetching frames through our WADO-RS with the session
// token as a bearer header (never in the URL).
import * as cs from '@cornerstonejs/core';
import * as tools from '@cornerstonejs/tools';
import { init as initDicomLoader, wadors } from '@cornerstonejs/dicom-image-loader';
import { authHeaders, type DicomJson } from '../api';

let ready: Promise<void> | null = null;

function softwareWebGl(): boolean {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|software/i.test(renderer);
}

export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    await cs.init();
    // A software WebGL (SwiftShader, llvmpipe: machines without a GPU,
    // headless browsers) draws a 512² stack slower than Cornerstone's CPU
    // path; use the CPU path there. Real GPUs keep WebGL.
    if (softwareWebGl()) cs.setUseCPURendering(true);
    tools.init();
    initDicomLoader({ maxWebWorkers: Math.min(2, navigator.hardwareConcurrency || 1), beforeSend: () => authHeaders() });
    for (const tool of [tools.WindowLevelTool, tools.PanTool, tools.ZoomTool, tools.StackScrollTool]) tools.addTool(tool);
  })();
  return ready;
}

// Tool group of one stack viewport: left drag window/level, middle drag
// pan, right drag zoom, wheel scroll.
export function bindTools(toolGroupId: string, viewportId: string, renderingEngineId: string): void {
  tools.ToolGroupManager.destroyToolGroup(toolGroupId);
  const group = tools.ToolGroupManager.createToolGroup(toolGroupId)!;
  const { MouseBindings } = tools.Enums;
  group.addTool(tools.WindowLevelTool.toolName);
  group.addTool(tools.PanTool.toolName);
  group.addTool(tools.ZoomTool.toolName);
  group.addTool(tools.StackScrollTool.toolName);
  group.setToolActive(tools.WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  group.setToolActive(tools.PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(tools.ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  group.setToolActive(tools.StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  group.addViewport(viewportId, renderingEngineId);
}

export function destroyTools(toolGroupId: string): void {
  tools.ToolGroupManager.destroyToolGroup(toolGroupId);
}

// Registers the series' instance metadata with the loader and returns the
// image ids sorted along the slice normal (head first), one per frame.
export function imageIdsForSeries(study: string, series: string, instances: DicomJson[]): string[] {
  const base = `${location.origin}/dicom-web/studies/${study}/series/${series}/instances`;
  const keyed = instances.map(md => {
    const ipp = (md['00200032']?.Value as number[] | undefined) ?? null;
    const iop = (md['00200037']?.Value as number[] | undefined) ?? null;
    let pos = Number(md['00200013']?.Value?.[0] ?? 0);  // InstanceNumber fallback
    if (ipp && iop && iop.length === 6) {
      const n = [iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3]];
      pos = ipp[0] * n[0] + ipp[1] * n[1] + ipp[2] * n[2];
    }
    return { md, pos };
  });
  keyed.sort((a, b) => b.pos - a.pos);
  const ids: string[] = [];
  for (const { md } of keyed) {
    const sop = String(md['00080018']?.Value?.[0] ?? '');
    const frames = Number(md['00280008']?.Value?.[0] ?? 1) || 1;
    for (let f = 1; f <= frames; f++) {
      const id = `wadors:${base}/${sop}/frames/${f}`;
      wadors.metaDataManager.add(id, md as never);
      ids.push(id);
    }
  }
  return ids;
}

export { cs, tools };
