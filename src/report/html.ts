/**
 * report.html: one self-contained file (inline CSS and inline SVG figures, no scripts, no fonts or
 * images fetched from anywhere) that a researcher reads without the code.
 */
import { formatNumber, formatPoint, readableText } from "../analysis/format.js";
import type { AnalysisResult } from "../analyze/index.js";
import type { ExitEstimate } from "../exit/index.js";
import { VERSION } from "../version.js";
import { hasValue } from "./estimates.js";
import type { Figure } from "./plots.js";
import { comparisonText, describeAnalysis, escapeSentence } from "./prose.js";

/** Text for the HTML page: escaped, and any raw NaN/Infinity/undefined written as words (readableText). */
export function esc(s: string): string {
  return readableText(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const f = (v: number | null | undefined, p = 3) =>
  v === null || v === undefined || Number.isNaN(v) ? "—" : formatNumber(v, p);
const pt = (x: readonly number[]) => formatPoint(x);

const CSS = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.5em}
.answers{background:#f4f8fc;border-left:5px solid #1f77b4;padding:.6em 1.2em;margin:1em 0}
.answers dt{font-weight:bold;margin-top:.6em}.answers dd{margin-left:0}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bad{background:#fde8e8}.good{background:#eaf7ea}.na{color:#888}
figure{margin:1em 0}figcaption{font-size:.9em;color:#444;max-width:900px}
.note{background:#fff8e1;border-left:4px solid #f0ad4e;padding:.4em 1em;margin:.5em 0}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}
svg{max-width:100%;height:auto}
`;

function figureHtml(fig: Figure | undefined, svgs: Map<string, string>): string {
  if (!fig) return "";
  const svg = svgs.get(fig.name);
  if (!svg) return "";
  return `<figure id="fig-${esc(fig.name)}">${svg}<figcaption><b>${esc(fig.title)}.</b> ${esc(fig.caption)} (files: figures/${esc(fig.name)}.svg, .png)</figcaption></figure>`;
}

function estimateRow(e: ExitEstimate, eta: number): string {
  const name: Record<string, string> = {
    sgd: "SGD (Monte Carlo)",
    sde: "SDE (Monte Carlo)",
    sde2: "order-2 SDE (Monte Carlo)",
    "noisy-sgd": "Noisy SGD (Monte Carlo)",
    gd: "gradient descent",
    pde: "PDE generator (grid)",
    exact: "exact 1-D formula",
    kramers: "Eyring–Kramers",
    bounds: "bounds",
    "path-1d": "1-D along the transition path",
  };
  if (!hasValue(e)) {
    const label =
      e.status === "infinite"
        ? "infinite"
        : e.status === "failed"
          ? "failed"
          : e.time !== null
            ? `${f(e.time)} (not used: not applicable)`
            : "not available";
    return `<tr class="na"><td>${name[e.method]}</td><td colspan="4">${label}</td><td>${esc(e.how)}.${e.reason ? ` ${esc(e.reason)}.` : ""}</td></tr>`;
  }
  const lb = e.status === "lower-bound" ? "≥ " : "";
  const iv = e.interval ? `[${f(e.interval[0])}, ${f(e.interval[1])}]` : "—";
  const time = e.status === "bracket" ? "—" : `${lb}${f(e.time)}`;
  const it =
    e.status === "bracket" && e.interval
      ? `[${f(e.interval[0] / eta)}, ${f(e.interval[1] / eta)}]`
      : `${lb}${f(e.iterations)}`;
  const d = e.detail;
  const extra =
    d?.kind === "monte-carlo"
      ? ` ${d.exited}/${d.particles} runs exited; median ${f(d.median.time)}; exponential-fit mean ${f(d.exponentialFit.time)}${d.exponentiality ? `; exponentiality: ${esc(d.exponentiality.verdict)} (p = ${f(d.exponentiality.pValue, 2)})` : ""}.`
      : e.reason
        ? ` ${e.reason}.`
        : "";
  return `<tr><td>${name[e.method]}</td><td class="num">${time}</td><td class="num">${it}</td><td class="num">${iv}</td><td>${esc(e.uncertainty)}</td><td>${esc(e.how)}.${esc(extra)}</td></tr>`;
}

export interface HtmlMeta {
  command: string;
  problemFile: string;
  problemText: string;
  files: string[];
}

export function buildHtml(
  r: AnalysisResult,
  figs: Figure[],
  svgs: Map<string, string>,
  meta: HtmlMeta,
): string {
  const eta = r.problem.lr;
  const answers = describeAnalysis(r);
  const fig = (name: string) =>
    figureHtml(
      figs.find((q) => q.name === name),
      svgs,
    );
  const P = r.problem;
  const out: string[] = [];
  out.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>sgdscope report: ${esc(P.name)}</title><style>${CSS}</style></head><body>`,
  );
  out.push(`<h1>${esc(P.name)}</h1>`);
  if (P.description) out.push(`<p>${esc(P.description)}</p>`);
  out.push(
    `<p>d = ${P.dim} (${esc(P.variables.slice(0, 8).join(", "))}${P.dim > 8 ? ", …" : ""}); learning rate η = ${P.lr}; batch B = ${P.batch} (${P.replacement ? "with" : "without"} replacement, Σ_B = ${f(P.batchScale)}·Σ); noise model: ${esc(P.noise)}${P.samples ? ` from N = ${P.samples} samples` : ""}${P.delta > 0 ? `; Noisy SGD δ = ${P.delta}` : ""}. Times are in SDE time t = η × iterations, and also given in iterations. Mode: ${r.mode}.</p>`,
  );
  out.push(`<div class="answers"><dl>`);
  out.push(
    `<dt>1. How do the parameters evolve in the first stage of training?</dt><dd>${esc(answers.drift)}</dd>`,
  );
  out.push(`<dt>2. How long does SGD take to escape a bad minimum?</dt><dd>${esc(answers.escape)}</dd>`);
  out.push(`<dt>3. Do the parameters converge?</dt><dd>${esc(answers.convergence)}</dd>`);
  out.push(`</dl></div>`);
  for (const n of r.notes) out.push(`<p class="note">${esc(n)}</p>`);

  // 1. Landscape
  out.push(`<h2>1. Landscape</h2>`);
  out.push(fig("landscape"));
  if (r.landscape.continuum) out.push(`<p class="note">${esc(r.landscape.continuum)}</p>`);
  out.push(
    `<table><tr><th>minimum</th><th>location</th><th>L</th><th>Hessian eigenvalues (min, max)</th><th>noise at the minimum</th><th>OU spread √tr S: SDE / SGD</th><th>Eyring–Kramers exit time</th></tr>`,
  );
  // many minima: one row per equivalence class (its representative), with the members listed compactly
  const many = r.landscape.minima.length > 12;
  for (const m of r.landscape.minima) {
    if (many && m.equivalent[0] !== m.index) continue;
    const copies =
      m.multiplicity > 1
        ? many
          ? ` and ${m.multiplicity - 1} equivalent (${m.equivalent.filter((j) => j !== m.index).join(", ")})`
          : ` (×${m.multiplicity} equivalent)`
        : "";
    const kr = m.kramers.applicable
      ? `${f(m.kramers.time)} (${f(m.kramers.iterations)} it.): ${esc(m.kramers.why)}`
      : `not applicable: ${esc(m.kramers.why)}`;
    out.push(
      `<tr><td>${m.index}${m.global ? " (global)" : ""}${copies}</td><td>${pt(m.x)}</td><td class="num">${f(m.value, 5)}</td><td class="num">${f(m.lambdaMin)}, ${f(m.lambdaMax)}${m.flatDirections ? ` (${m.flatDirections} flat)` : ""}</td><td>${m.interpolating ? "Σ = 0 (interpolating)" : `tr Σ = ${f(m.noiseTrace)}, rank ${m.noiseRank}`}</td><td class="num">${m.ou.collapses ? "0 (collapses)" : `${f(m.ou.sde)} / ${m.ou.sgdStable ? f(m.ou.sgd) : "unstable"}`}</td><td>${kr}</td></tr>`,
    );
  }
  out.push(`</table>`);
  if (r.landscape.minima.some((m) => m.multiplicity > 1))
    out.push(
      "<p>Equivalent minima have the same depth, Hessian spectrum and noise at the minimum; how the mass splits between them also depends on the paths between them (see the basin masses below).</p>",
    );
  if (r.landscape.saddles.length) {
    out.push(
      `<table><tr><th>saddle</th><th>location</th><th>L</th><th>λ₁ (unstable)</th><th>joins minima</th><th>path points</th></tr>`,
    );
    r.landscape.saddles.forEach((s, i) => {
      out.push(
        `<tr><td>${i}</td><td>${pt(s.x)}</td><td class="num">${f(s.value, 5)}</td><td class="num">${f(s.lambda1)}</td><td>${s.connects.join(" – ")}</td><td class="num">${s.path.points.length}</td></tr>`,
      );
    });
    out.push(`</table>`);
    out.push(
      `<p>Barriers L(z) − L(m): ${r.landscape.barriers.map((b) => `${b.from} → ${b.to} over saddle ${b.saddle}: ${f(b.height, 4)}`).join("; ") || "—"}.</p>`,
    );
  } else if (r.landscape.minima.length > 1)
    out.push(`<p class="note">No index-1 saddle was found (or the search was skipped).</p>`);

  // 2. Drift regime
  out.push(`<h2>2. First stage: the drift regime</h2>`);
  out.push(`<p>${esc(answers.drift)}</p>`);
  out.push(fig("clouds"));
  out.push(fig("basin-mass"));
  out.push(
    `<table><tr><th>basin</th><th>mass (gradient flow of the initial law)</th><th>time for 95% of it to be within r = ${f(r.settings.captureRadius)}</th><th>iterations</th></tr>`,
  );
  for (const b of r.drift.basins) {
    out.push(
      `<tr><td>${b.minimum}</td><td class="num">${f(b.mass)}</td><td class="num">${f(b.time)}</td><td class="num">${f(b.iterations)}</td></tr>`,
    );
  }
  out.push(`</table>`);
  out.push(
    `<table><tr><th>minimum</th><th>OU prediction (SDE)</th><th>OU prediction (discrete SGD)</th><th>SGD particles (95% CI, count)</th><th>Fokker–Planck</th><th>excess kurtosis of SGD iterates (± s.e.)</th></tr>`,
  );
  for (const s of r.drift.spread) {
    const k = s.kurtosis;
    out.push(
      `<tr><td>${s.minimum}</td><td class="num">${f(s.ouSde)}</td><td class="num">${f(s.ouSgd)}</td><td class="num">${s.particles ? `${f(s.particles.value)} [${f(s.particles.ci95[0])}, ${f(s.particles.ci95[1])}], n = ${s.particles.count}${s.equilibrium ? "" : " (transient: before the concentration time)"}` : "—"}</td><td class="num">${f(s.pde)}</td><td class="num ${k?.heavyTails ? "bad" : ""}">${k ? `${f(k.value)} ± ${f(k.se, 2)}${k.heavyTails ? " heavy tails" : ""}` : "—"}</td></tr>`,
    );
  }
  out.push(`</table>`);
  out.push(
    `<p>Spread = root-mean-square distance to the minimum of the particles (or PDE mass) within 0.9× the distance to the nearest other critical point, at t = ${f(r.settings.longHorizon)}. The OU predictions solve HS + SH = ηΣ_B (SDE) and S = (I − ηH)S(I − ηH)ᵀ + η²Σ_B (SGD) at the minimum; a Gaussian has excess kurtosis 0.</p>`,
  );

  // 3. Escapes
  out.push(`<h2>3. Escape from bad minima</h2>`);
  if (!r.escapes.length) out.push(`<p>${esc(answers.escape)}</p>`);
  r.escapes.forEach((e, k) => {
    out.push(`<h3>From ${esc(e.label)} ${pt(e.from)} to ${esc(e.targetWhy)}</h3>`);
    out.push(`<p>${esc(escapeSentence(e, r))}</p>`);
    out.push(
      `<p>Target region: <code>${esc(e.target.length > 400 ? `${e.target.slice(0, 400)} …` : e.target)}</code>${e.target.length > 400 ? " (full expression in summary.json)" : ""}</p>`,
    );
    out.push(
      `<table><tr><th>method</th><th>mean exit time (SDE time)</th><th>iterations</th><th>interval</th><th>uncertainty</th><th>how it was obtained</th></tr>`,
    );
    for (const est of e.estimates) out.push(estimateRow(est, eta));
    out.push(`</table>`);
    if (e.comparisons.length) {
      out.push(
        `<table><tr><th>comparison</th><th>ratio</th><th>relation (tolerance)</th><th>verdict</th></tr>`,
      );
      for (const c of e.comparisons) {
        const cls = c.relation === "disagree" ? "bad" : c.relation === "agree" ? "good" : "na";
        const tol = c.tolerance !== null ? ` (±${f(100 * c.tolerance)}%)` : "";
        out.push(
          `<tr class="${cls}"><td>${esc(c.a)} vs ${esc(c.b)}</td><td class="num">${f(c.ratio)}</td><td>${esc(c.relation)}${tol}</td><td>${esc(comparisonText(c))}</td></tr>`,
        );
      }
      out.push(`</table>`);
    }
    out.push(fig(`exit-methods-${k}`));
    out.push(fig(`exit-survival-${k}`));
  });

  // 4. Long time
  const v = r.longTime.verdict;
  out.push(`<h2>4. Long time: does it converge?</h2>`);
  out.push(`<p><b>Verdict:</b> ${esc(v.sentence)}</p>`);
  out.push(
    `<p>Limit: <b>${esc(v.limit)}</b>; converges: ${esc(String(v.converges))}; asymptotic rate ${f(v.rate.value)} per unit SDE time (source: ${esc(v.rate.source)})${v.metastableTime ? `; metastable time scale ${f(v.metastableTime)} (${f(v.metastableTime / eta)} iterations)` : ""}.</p>`,
  );
  if (r.longTime.stationary)
    out.push(`<p>Stationary law of the discrete generator: ${esc(r.longTime.stationary.message)}.</p>`);
  if (r.longTime.spectral)
    out.push(
      `<p>Spectral gap of −𝓛 on the grid: ${f(r.longTime.spectral.gap)} (relaxation time ${f(r.longTime.spectral.relaxationTime)} = ${f((r.longTime.spectral.relaxationTime ?? Number.NaN) / eta)} iterations); eigenvalues nearest 0: ${r.longTime.spectral.eigenvalues.map((x) => f(x)).join(", ")}${r.longTime.spectral.converged ? "" : " (eigensolver not converged)"}.</p>`,
    );
  if (r.longTime.entropy)
    out.push(
      `<p>Relative entropy: fitted decay rate ${f(r.longTime.entropy.fittedRate)}; Bakry–Émery rate ${r.longTime.entropy.bakryEmeryRate ? f(r.longTime.entropy.bakryEmeryRate) : `not applicable (needs isotropic constant noise and ∇²L ≥ λI with λ > 0; min Hessian eigenvalue on the grid ${f(r.longTime.entropy.lambdaMin)})`}.</p>`,
    );
  out.push(fig("entropy"));
  out.push(`<p>Noisy SGD (δ → 0): ${esc(v.noisySgd)}</p>`);
  if (v.assumptions.length) out.push(`<p>Assumptions: ${v.assumptions.map(esc).join("; ")}.</p>`);
  out.push(`<p>${esc(answers.convergence)}</p>`);

  // 5. Provenance
  out.push(`<h2>5. How this report was produced</h2>`);
  out.push(`<p>Command:</p><pre>${esc(meta.command)}</pre>`);
  out.push(`<p>Problem file <code>${esc(meta.problemFile)}</code>:</p><pre>${esc(meta.problemText)}</pre>`);
  out.push(`<table><tr><th>setting</th><th>value</th></tr>`);
  const s = r.settings;
  const rows: [string, string][] = [
    ["sgdscope version", VERSION],
    ["mode", r.mode],
    ["seed", String(s.seed)],
    ["Monte Carlo runs per escape method", String(s.particles)],
    ["particles in the drift regime", String(s.driftParticles)],
    ["SDE step dt", `${s.sdeDtOverEta}·η`],
    ["particle-step budget per Monte Carlo run", String(s.stepBudget)],
    ["Fokker–Planck grid", s.grid ? `${s.grid.shape.join("×")} (${s.grid.reason})` : "none"],
    ["exit-time grid", s.escapeGrid === null ? "none" : String(s.escapeGrid)],
    ["initial law", s.initialLaw],
    ["drift / long horizon (SDE time)", `${f(s.driftHorizon)} / ${f(s.longHorizon)}`],
  ];
  for (const [a, b] of rows) out.push(`<tr><td>${esc(a)}</td><td>${esc(b)}</td></tr>`);
  out.push(`</table>`);
  out.push(`<p>Choices: ${s.reasons.map(esc).join("; ")}.</p>`);
  out.push(
    `<p>Landscape search: ${esc(r.landscape.search.sentence)}. Log: ${esc(r.landscape.log.slice(0, 12).join("; "))}${r.landscape.log.length > 12 ? " …" : ""}.</p>`,
  );
  out.push(
    `<p>Wall-clock time per stage (ms): ${Object.entries(r.timings)
      .map(([k, t]) => `${esc(k)} ${Math.round(t)}`)
      .join(", ")}.</p>`,
  );
  out.push(
    `<p>Files written next to this report: ${meta.files.map((x) => `<code>${esc(x)}</code>`).join(", ")}.</p>`,
  );
  out.push(`</body></html>`);
  return out.join("\n");
}
