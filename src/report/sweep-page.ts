/**
 * sweep.html: one self-contained page (inline CSS and SVG, no scripts) with the laws a sweep tests — log T
 * against 1/ε with the Arrhenius fit, log T against B/η, the power law for loss-proportional noise, the SGD/SDE
 * ratio against η·λ_max — each with the fit's reading in words, and the whole table. The page depends only on
 * the rows, the plan and the context, so sharded and unsharded runs write the same bytes.
 */
import { formatNumber } from "../analysis/format.js";
import { isParticleMethod } from "../exit/index.js";
import type { SweepAnalysis, SweepContext, SweepPlan, SweepRow } from "../sweep/index.js";
import { VERSION } from "../version.js";
import { esc } from "./html.js";
import { renderSvg } from "./render.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const f = (v: number, p = 4) =>
  Number.isFinite(v) ? formatNumber(v, p) : Number.isNaN(v) ? "—" : formatNumber(v, p);
const r6 = (v: number) => Number(v.toPrecision(6));

interface SweepFigure {
  title: string;
  caption: string;
  spec: Record<string, unknown>;
}

function lawFigure(
  a: SweepAnalysis,
  rows: readonly SweepRow[],
  law: "arrhenius" | "batch-over-lr" | "power",
  xTitle: string,
  xOf: (r: SweepRow) => number,
  title: string,
  caption: string,
): SweepFigure | null {
  const laws = a.laws.filter((l) => l.law === law);
  if (laws.length === 0) return null;
  const pts: Record<string, unknown>[] = [];
  const lines: Record<string, unknown>[] = [];
  for (const l of laws) {
    for (const r of rows.filter((q) => q.method === l.method && q.status === "estimate" && q.time > 0)) {
      const x = xOf(r);
      if (!Number.isFinite(x)) continue;
      pts.push({
        x: r6(x),
        T: r6(r.time),
        lo: r6(Number.isFinite(r.low) && r.low > 0 ? r.low : r.time),
        hi: r6(Number.isFinite(r.high) ? r.high : r.time),
        method: l.method,
      });
    }
    const fit = l.fit.chosen === "curved" && l.fit.curved ? l.fit.curved : l.fit.line;
    const xs = [...l.x].sort((p, q) => p - q);
    const lo = xs[0];
    const hi = xs[xs.length - 1];
    for (let i = 0; i <= 40; i++) {
      const x = lo + ((hi - lo) * i) / 40;
      const g = law === "arrhenius" ? 1 / x : x * x;
      const y = fit.coef[0] + fit.coef[1] * x + (fit.coef.length > 2 ? fit.coef[2] * g : 0);
      const xp = law === "power" ? Math.exp(x) : x;
      lines.push({ x: r6(xp), T: r6(Math.exp(y)), method: `${l.method} fit` });
    }
  }
  const xScale = law === "power" ? { type: "log" } : { zero: false };
  return {
    title,
    caption,
    spec: {
      $schema: SCHEMA,
      title: { text: title, fontSize: 14 },
      config: { font: "DejaVu Sans", axis: { labelFontSize: 11, titleFontSize: 12 } },
      background: "white",
      width: 520,
      height: 300,
      layer: [
        {
          data: { values: pts },
          mark: { type: "rule" },
          encoding: {
            x: { field: "x", type: "quantitative", title: xTitle, scale: xScale },
            y: { field: "lo", type: "quantitative", scale: { type: "log" } },
            y2: { field: "hi" },
            color: { field: "method", type: "nominal", title: "method", scale: { scheme: "tableau10" } },
          },
        },
        {
          data: { values: pts },
          mark: { type: "point", filled: true },
          encoding: {
            x: { field: "x", type: "quantitative", title: xTitle, scale: xScale },
            y: {
              field: "T",
              type: "quantitative",
              title: "mean exit time T (SDE time)",
              scale: { type: "log" },
            },
            color: { field: "method", type: "nominal", title: "method", scale: { scheme: "tableau10" } },
          },
        },
        {
          data: { values: lines },
          mark: { type: "line", strokeDash: [5, 3] },
          encoding: {
            x: { field: "x", type: "quantitative", scale: xScale },
            y: { field: "T", type: "quantitative", scale: { type: "log" } },
            detail: { field: "method", type: "nominal" },
            color: { value: "#555" },
          },
        },
      ],
    },
  };
}

function ratioFigure(a: SweepAnalysis): SweepFigure | null {
  if (a.ratio.length === 0) return null;
  const pts = a.ratio.map((p) => ({
    x: r6(p.x),
    r: r6(p.ratio),
    lo: r6(p.ci[0]),
    hi: r6(p.ci[1]),
    B: p.batch,
  }));
  return {
    title: "SGD against its SDE",
    caption:
      "Mean exit time of SGD divided by that of its SDE in each cell, against η·λ_max (λ_max the largest Hessian eigenvalue at the start's minimum), with 95% intervals; the line at 1 is where the SDE describes SGD.",
    spec: {
      $schema: SCHEMA,
      title: { text: "SGD/SDE exit-time ratio", fontSize: 14 },
      config: { font: "DejaVu Sans", axis: { labelFontSize: 11, titleFontSize: 12 } },
      background: "white",
      width: 520,
      height: 300,
      layer: [
        {
          data: { values: pts },
          mark: "rule",
          encoding: {
            x: { field: "x", type: "quantitative", title: "η·λ_max", scale: { type: "log" } },
            y: { field: "lo", type: "quantitative", scale: { type: "log" } },
            y2: { field: "hi" },
            color: { field: "B", type: "ordinal", title: "batch B" },
          },
        },
        {
          data: { values: pts },
          mark: { type: "point", filled: true },
          encoding: {
            x: { field: "x", type: "quantitative", scale: { type: "log" } },
            y: { field: "r", type: "quantitative", title: "T_SGD / T_SDE", scale: { type: "log" } },
            color: { field: "B", type: "ordinal", title: "batch B" },
          },
        },
        {
          data: { values: [{ y: 1 }] },
          mark: { type: "rule", strokeDash: [4, 4] },
          encoding: { y: { field: "y", type: "quantitative" } },
        },
      ],
    },
  };
}

/** The figures of a sweep (only those with something to draw). */
export function sweepFigures(a: SweepAnalysis, rows: readonly SweepRow[], ctx: SweepContext): SweepFigure[] {
  const figs = [
    lawFigure(
      a,
      rows,
      "arrhenius",
      "1/ε (A = 2εI)",
      (r) => 1 / r.epsilon,
      "Arrhenius: log T against 1/ε",
      `Mean exit time (log scale) against the inverse noise scale, with 95% intervals; dashed: the fitted law (slope = barrier${ctx.barrier !== null ? `; the landscape's barrier is ΔL = ${f(ctx.barrier)}` : ""}).`,
    ),
    lawFigure(
      a,
      rows,
      "batch-over-lr",
      "B/η",
      (r) => r.batch / r.lr,
      "log T against B/η",
      "Mean exit time (log scale) against batch size over learning rate, with 95% intervals; dashed: the fitted law.",
    ),
    lawFigure(
      a,
      rows,
      "power",
      "B/η (log scale)",
      (r) => r.batch / r.lr,
      "Power law: log T against log(B/η)",
      "Loss-proportional noise: mean exit time against B/η, both on log scales; a straight dashed line is a power law.",
    ),
    ratioFigure(a),
  ];
  return figs.filter((x): x is SweepFigure => x !== null);
}

const CSS = `body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:.2em .45em;text-align:left}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{background:#fff8e1;border-left:4px solid #f0ad4e;padding:.4em 1em;margin:.5em 0}
.law{background:#f4f8fc;border-left:5px solid #1f77b4;padding:.4em 1em;margin:.6em 0}
figure{margin:1em 0}figcaption{font-size:.9em;color:#444;max-width:900px}svg{max-width:100%;height:auto}`;

/** The whole page. */
export async function sweepHtml(
  rows: readonly SweepRow[],
  plan: SweepPlan,
  ctx: SweepContext,
  a: SweepAnalysis,
  problemFile: string,
): Promise<string> {
  const figs = sweepFigures(a, rows, ctx);
  const svgs: string[] = [];
  for (const fig of figs) svgs.push(await renderSvg(fig.spec));
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sgdscope sweep: ${esc(ctx.problem)}</title><style>${CSS}</style></head><body>`;
  const intro =
    `<h1>Sweep: ${esc(ctx.problem)}</h1><p>Problem file ${esc(problemFile)}; mean exit time from (${plan.from.map((v) => f(v)).join(", ")}) into {${esc(plan.to)}} ` +
    `over η ∈ {${plan.lr.map((v) => f(v)).join(", ")}}, B ∈ {${plan.batch.join(", ")}}${plan.delta ? `, δ ∈ {${plan.delta.map((v) => f(v)).join(", ")}}` : ""}, ` +
    `seeds {${plan.seeds.join(", ")}}, methods ${esc(plan.methods.join(", "))}; ` +
    (plan.methods.some(isParticleMethod)
      ? `${plan.particles} particles per Monte Carlo method and cell, horizon ${plan.horizon === "auto" ? `16× the cell's first deterministic prediction (else ${f(plan.fallbackHorizon)})` : f(plan.horizon)} in SDE time. `
      : "") +
    `All times are SDE time t = η × iterations.</p>` +
    `<p>Landscape: ${ctx.barrier !== null ? `barrier ΔL = ${f(ctx.barrier)} from the start's minimum into the target` : esc(ctx.barrierWhy)}` +
    `${ctx.ekPrefactor !== null ? `; Eyring–Kramers prefactor K = ${f(ctx.ekPrefactor)} (T ≈ K·exp(ΔL/ε))` : ""}; λ_max = ${f(ctx.lambdaMax)} at (${ctx.lambdaAt.map((v) => f(v)).join(", ")}).</p>`;
  const laws =
    `<h2>Laws</h2>` +
    (a.laws.length === 0
      ? `<p class="note">No law could be fitted (fewer than 3 cells with an estimate per method).</p>`
      : "") +
    a.laws.map((l) => `<div class="law">${esc(l.text)}</div>`).join("") +
    (a.ratioText ? `<div class="law">${esc(a.ratioText)}</div>` : "") +
    a.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("") +
    `<p>Intervals of fitted coefficients are Student-t 95% intervals from the residual scatter; with deterministic methods (exact, pde) they measure how closely the points follow the law. The curvature test adds the law's first correction (c·ε for Arrhenius, a quadratic term otherwise); when it is significant (p &lt; 0.05) the straight law does not hold over the range and the corrected fit's slope is reported.</p>`;
  const figHtml = figs
    .map(
      (fig, i) =>
        `<figure>${svgs[i]}<figcaption><b>${esc(fig.title)}.</b> ${esc(fig.caption)}</figcaption></figure>`,
    )
    .join("");
  const th = [
    "cell",
    "η",
    "B",
    "δ",
    "seed",
    "method",
    "status",
    "T",
    "interval",
    "n",
    "exited",
    "censored",
    "ε",
    "note",
  ];
  const table =
    `<h2>Table</h2><table><tr>${th.map((h) => `<th>${h}</th>`).join("")}</tr>` +
    rows
      .map(
        (r) =>
          `<tr><td class="num">${r.cell}</td><td class="num">${f(r.lr)}</td><td class="num">${r.batch}</td><td class="num">${f(r.delta)}</td>` +
          `<td class="num">${Number.isNaN(r.seed) ? "—" : r.seed}</td><td>${esc(r.method)}</td><td>${esc(r.status)}</td>` +
          `<td class="num">${r.status === "lower-bound" ? "≥ " : ""}${f(r.time)}</td><td class="num">${Number.isFinite(r.low) ? `[${f(r.low)}, ${f(r.high)}] ${esc(r.intervalKind)}` : "—"}</td>` +
          `<td class="num">${f(r.n)}</td><td class="num">${f(r.exited)}</td><td class="num">${f(r.censored)}</td><td class="num">${f(r.epsilon)}</td><td>${esc(r.reason)}</td></tr>`,
      )
      .join("") +
    "</table><p>Files: sweep.csv and sweep.arrow (this table, full precision), sweep-fits.json (the fits), timings.csv (wall time per cell and method).</p>";
  return `${head}${intro}${laws}${figHtml}${table}<p style="color:#888">sgdscope ${esc(VERSION)}</p></body></html>\n`;
}
