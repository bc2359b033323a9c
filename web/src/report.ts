/**
 * "Download report": the CLI's report.html for the page's problem — the same `analyze --quick` result (same seed),
 * the same Vega-Lite figures (report/plots.ts) rendered to inline SVG by vega, the same page (report/html.ts).
 */
import type { AnalysisResult } from "../../src/analyze/index.js";
import { buildHtml } from "../../src/report/html.js";
import { reportFigures } from "../../src/report/plots.js";
import { renderSvg } from "../../src/report/svg.js";
import { type Overrides, specWithOverrides } from "./spec.js";

/** The problem file as the page ran it: the text, then a comment with the sliders' η, B, δ and noise model. */
export function problemTextAsRun(text: string, o: Overrides): string {
  const spec = specWithOverrides(text, o);
  return `${text.trimEnd()}\n# run by the explorable with: lr ${o.lr}, batch ${o.batch}, delta ${o.delta}, noise ${JSON.stringify(spec.noise)}\n`;
}

/** The CLI command whose report.html the download reproduces. */
export const reportCommand = (seed: number) => `sgdscope analyze problem.yaml --quick --seed ${seed}`;

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
