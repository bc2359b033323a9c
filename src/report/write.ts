/**
 * Writes a full report folder for an `AnalysisResult`, every file atomically:
 *   report.html (self-contained), summary.json, figures/*.svg + *.png, data/*.csv + *.arrow.
 */

import { join } from "node:path";
import type { AnalysisResult } from "../analyze/index.js";
import { writeArrow, writeCsv, writeFileAtomic } from "../io/write.js";
import { survivalOf } from "./estimates.js";
import { buildHtml } from "./html.js";
import { reportFigures } from "./plots.js";
import { renderSvg, svgToPngAsync } from "./render.js";
import { buildSummary } from "./summary.js";

export interface WriteReportOptions {
  outDir: string;
  command: string;
  problemFile: string;
  problemText: string;
  /** Also write PNG versions of the figures (default true). */
  png?: boolean;
}

export interface WrittenReport {
  html: string;
  summary: string;
  files: string[];
  summaryObject: Record<string, unknown>;
}

function dataFiles(r: AnalysisResult, dir: string): string[] {
  const files: string[] = [];
  const nb = r.landscape.minima.length;
  const mass: unknown[][] = [];
  r.drift.times.forEach((t, s) => {
    for (let k = 0; k <= nb; k++) {
      mass.push([
        t,
        t / r.problem.lr,
        k < nb ? k : "unlabelled",
        r.drift.particleMass[s][k],
        r.drift.particleMassHalfWidth[s][k],
        r.drift.pdeMass?.[s][k] ?? "",
      ]);
    }
  });
  writeCsv(
    join(dir, "data/basin-mass.csv"),
    ["time", "iterations", "basin", "particles", "particles_ci95_halfwidth", "pde"],
    mass,
  );
  files.push("data/basin-mass.csv");
  r.escapes.forEach((e, k) => {
    const rows = e.estimates.map((x) => [
      x.method,
      x.status,
      x.time ?? "",
      x.iterations ?? "",
      x.interval?.[0] ?? "",
      x.interval?.[1] ?? "",
      x.intervalKind ?? "",
      x.uncertainty,
      x.how,
      x.reason ?? "",
    ]);
    writeCsv(
      join(dir, `data/exit-times-${k}.csv`),
      ["method", "status", "time", "iterations", "lo", "hi", "interval_kind", "uncertainty", "how", "reason"],
      rows,
    );
    files.push(`data/exit-times-${k}.csv`);
    const surv: unknown[][] = [];
    for (const x of e.estimates) {
      const sv = survivalOf(x);
      if (!sv) continue;
      for (let i = 0; i < sv.t.length; i++) surv.push([x.method, sv.t[i], sv.t[i] / r.problem.lr, sv.s[i]]);
    }
    if (surv.length) {
      writeCsv(join(dir, `data/exit-survival-${k}.csv`), ["method", "time", "iterations", "survival"], surv);
      files.push(`data/exit-survival-${k}.csv`);
    }
  });
  if (r.longTime.entropy) {
    const en = r.longTime.entropy;
    writeCsv(
      join(dir, "data/entropy.csv"),
      ["time", "relative_entropy"],
      en.t.map((t, i) => [t, en.H[i]]),
    );
    files.push("data/entropy.csv");
  }
  // particle clouds (Arrow): snapshot index, time, coordinates shown
  const c = r.fields.clouds;
  const dimShown = r.problem.dim > 2 ? 1 : r.problem.dim;
  const total = c.particles.reduce((a, p) => a + p.length / dimShown, 0);
  if (total > 0) {
    const snap = new Int32Array(total);
    const time = new Float64Array(total);
    const cols = Array.from({ length: dimShown }, () => new Float64Array(total));
    let q = 0;
    c.particles.forEach((p, s) => {
      const m = p.length / dimShown;
      for (let j = 0; j < m; j++, q++) {
        snap[q] = s;
        time[q] = c.t[s];
        for (let i = 0; i < dimShown; i++) cols[i][q] = p[j * dimShown + i];
      }
    });
    const names = r.problem.dim > 2 ? ["projection"] : r.problem.variables.slice(0, dimShown);
    writeArrow(join(dir, "data/particles.arrow"), {
      snapshot: snap,
      time,
      ...Object.fromEntries(names.map((n, i) => [n, cols[i]])),
    });
    files.push("data/particles.arrow");
  }
  if (c.pde && r.fields.pdeGrid) {
    const axes = r.fields.pdeGrid.axes;
    const n = c.pde[0].length;
    const total2 = n * c.pde.length;
    const snap = new Int32Array(total2);
    const time = new Float64Array(total2);
    const xs = axes.map(() => new Float64Array(total2));
    const dens = new Float64Array(total2);
    c.pde.forEach((p, s) => {
      for (let i = 0; i < n; i++) {
        const q = s * n + i;
        snap[q] = s;
        time[q] = c.t[s];
        xs[0][q] = axes[0][i % axes[0].length];
        if (axes.length > 1) xs[1][q] = axes[1][Math.floor(i / axes[0].length)];
        dens[q] = p[i];
      }
    });
    writeArrow(join(dir, "data/pde-density.arrow"), {
      snapshot: snap,
      time,
      ...Object.fromEntries(r.problem.variables.slice(0, axes.length).map((v, i) => [v, xs[i]])),
      density: dens,
    });
    files.push("data/pde-density.arrow");
  }
  return files;
}

/** Renders the figures and writes every file; returns the paths (relative to outDir) written. */
export async function writeReport(r: AnalysisResult, o: WriteReportOptions): Promise<WrittenReport> {
  const dir = o.outDir;
  const files: string[] = [];
  const figs = reportFigures(r);
  const svgs = new Map<string, string>();
  // PNGs rasterise off the main thread (one at a time: several at once cost ~40% more CPU) while the next
  // figures are laid out with vega
  let pngs: Promise<void> = Promise.resolve();
  for (const fig of figs) {
    const svg = await renderSvg(fig.spec);
    svgs.set(fig.name, svg);
    writeFileAtomic(join(dir, `figures/${fig.name}.svg`), svg);
    files.push(`figures/${fig.name}.svg`);
    writeFileAtomic(join(dir, `figures/${fig.name}.vl.json`), JSON.stringify(fig.spec));
    files.push(`figures/${fig.name}.vl.json`);
    if (o.png ?? true) {
      const file = join(dir, `figures/${fig.name}.png`);
      pngs = pngs.then(async () => writeFileAtomic(file, await svgToPngAsync(svg)));
      files.push(`figures/${fig.name}.png`);
    }
  }
  await pngs;
  files.push(...dataFiles(r, dir));
  files.push("summary.json", "report.html");
  const summaryObject = buildSummary(r, {
    command: o.command,
    problemFile: o.problemFile,
    problemText: o.problemText,
    files,
  });
  const summary = `${JSON.stringify(summaryObject, null, 2)}\n`;
  writeFileAtomic(join(dir, "summary.json"), summary);
  const html = buildHtml(r, figs, svgs, {
    command: o.command,
    problemFile: o.problemFile,
    problemText: o.problemText,
    files,
  });
  writeFileAtomic(join(dir, "report.html"), html);
  return { html: join(dir, "report.html"), summary: join(dir, "summary.json"), files, summaryObject };
}
