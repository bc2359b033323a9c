/**
 * A Vega-Lite spec → SVG text with vega's headless "none" renderer: no DOM, no fonts, no network. Shared by the
 * CLI's report (render.ts) and the browser page's "download report" (web/src/report.ts), so both draw the same.
 */
import * as vega from "vega";
import { compile } from "vega-lite";

/** SVG text of a Vega-Lite spec. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: vega-lite's TopLevelSpec type is too strict for built specs
  const vg = compile(spec as any).spec;
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
