/**
 * "Download report": the CLI's report.html for the page's problem — the same `analyze --quick` result (same seed),
 * the same Vega-Lite figures (report/plots.ts) rendered to inline SVG by vega, the same page (report/html.ts).
 */
import * as vega from "vega";
import { compile } from "vega-lite";
import type { AnalysisResult } from "../../src/analyze/index.js";
import { buildHtml } from "../../src/report/html.js";
import { reportFigures } from "../../src/report/plots.js";

/** SVG of a Vega-Lite spec (vega's headless renderer, as report/render.ts does in Node). */
async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: vega-lite's TopLevelSpec type is too strict for built specs
  const vg = compile(spec as any).spec;
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** report.html text for an analysis; `problemText` is the problem file as run (with the page's η, B, δ, noise). */
export async function reportHtml(r: AnalysisResult, problemText: string, command: string): Promise<string> {
  const figs = reportFigures(r);
  const svgs = new Map<string, string>();
  for (const f of figs) svgs.set(f.name, await renderSvg(f.spec));
  return buildHtml(r, figs, svgs, {
    command,
    problemFile: "problem.yaml",
    problemText,
    files: ["report.html"],
  });
}
