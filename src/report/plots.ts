/**
 * Vega-Lite specifications of the report's figures, built from an `AnalysisResult`. Each spec is
 * self-contained (inline data), so it renders to SVG/PNG in Node and can be embedded in a browser
 * later. Axes carry units: parameters in the problem's coordinates, time in SDE time t (= η·iterations).
 */

import type { AnalysisResult } from "../analyze/index.js";
import type { ExitEstimate } from "../exit/index.js";
import { hasValue, survivalOf } from "./estimates.js";

export interface Figure {
  /** File stem, e.g. "landscape". */
  name: string;
  title: string;
  caption: string;
  spec: Record<string, unknown>;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const W = 520;
const H = 300;
const fin = (v: number) => Number.isFinite(v);
const r4 = (v: number) => Number(v.toPrecision(5));

function base(title: string): Record<string, unknown> {
  return {
    $schema: SCHEMA,
    title: { text: title, fontSize: 14 },
    config: {
      font: "DejaVu Sans",
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11, labelLimit: 420, titleLimit: 420 },
    },
    background: "white",
  };
}

function every(n: number, max: number): number {
  return Math.max(1, Math.ceil(n / max));
}

export function landscapeFigure(r: AnalysisResult): Figure | null {
  const d = r.problem.dim;
  const v = r.problem.variables;
  const L = r.fields.loss;
  const mins = r.landscape.minima.map((m) => ({
    kind: "minimum",
    label: `min ${m.index}`,
    x: r4(m.x[0]),
    y: d > 1 ? r4(m.x[1]) : r4(m.value),
    L: r4(m.value),
  }));
  const sads = r.landscape.saddles.map((s, i) => ({
    kind: "saddle",
    label: `saddle ${i}`,
    x: r4(s.x[0]),
    y: d > 1 ? r4(s.x[1]) : r4(s.value),
    L: r4(s.value),
  }));
  const pointsLayer = (yField: string) => ({
    data: { values: [...mins, ...sads] },
    mark: { type: "point", filled: true, size: 90, stroke: "black", strokeWidth: 1 },
    encoding: {
      x: { field: "x", type: "quantitative" },
      y: { field: yField, type: "quantitative" },
      shape: {
        field: "kind",
        type: "nominal",
        title: "critical point",
        scale: { domain: ["minimum", "saddle"], range: ["circle", "triangle-up"] },
      },
      color: { value: "#d62728" },
      tooltip: [{ field: "label" }, { field: "L" }],
    },
  });
  if (d === 1 && L) {
    const rows = L.axes[0].map((x, i) => ({ x: r4(x), L: r4(L.values[i]) })).filter((q) => fin(q.L));
    return {
      name: "landscape",
      title: "Landscape",
      caption: `The loss L(${v[0]}) over the domain with its minima (circles) and saddles (triangles).`,
      spec: {
        ...base("Loss and critical points"),
        width: W,
        height: H,
        layer: [
          {
            data: { values: rows },
            mark: { type: "line", color: "#1f77b4" },
            encoding: {
              x: { field: "x", type: "quantitative", title: `${v[0]} (parameter)` },
              y: { field: "L", type: "quantitative", title: "loss L" },
            },
          },
          pointsLayer("y"),
        ],
      },
    };
  }
  if (d === 2 && L) {
    const n = L.axes[0].length;
    const k = every(n, 41);
    const rows: { x: number; y: number; L: number }[] = [];
    const dx = (L.axes[0][1] - L.axes[0][0]) * k;
    const dy = (L.axes[1][1] - L.axes[1][0]) * k;
    for (let j = 0; j < L.axes[1].length; j += k)
      for (let i = 0; i < n; i += k)
        rows.push({ x: r4(L.axes[0][i]), y: r4(L.axes[1][j]), L: r4(L.values[j * n + i]) });
    const paths = r.landscape.saddles.flatMap((s, si) =>
      s.path.points.map((q, pi) => ({
        saddle: `path via saddle ${si}`,
        order: pi,
        x: r4(q[0]),
        y: r4(q[1]),
      })),
    );
    return {
      name: "landscape",
      title: "Landscape",
      caption: `Contours of L(${v[0]}, ${v[1]}) (colour), minima (circles), index-1 saddles (triangles) and the minimum energy paths through them (white lines).`,
      spec: {
        ...base("Loss, critical points and transition paths"),
        width: W,
        height: Math.round(
          (W * (L.axes[1][L.axes[1].length - 1] - L.axes[1][0])) / (L.axes[0][n - 1] - L.axes[0][0]),
        ),
        layer: [
          {
            data: { values: rows },
            transform: [
              { calculate: `datum.x - ${dx / 2}`, as: "x0" },
              { calculate: `datum.x + ${dx / 2}`, as: "x1" },
              { calculate: `datum.y - ${dy / 2}`, as: "y0" },
              { calculate: `datum.y + ${dy / 2}`, as: "y1" },
            ],
            mark: { type: "rect" },
            encoding: {
              x: {
                field: "x0",
                type: "quantitative",
                title: `${v[0]} (parameter)`,
                scale: { zero: false, nice: false },
              },
              x2: { field: "x1" },
              y: {
                field: "y0",
                type: "quantitative",
                title: `${v[1]} (parameter)`,
                scale: { zero: false, nice: false },
              },
              y2: { field: "y1" },
              color: { field: "L", type: "quantitative", title: "loss L", scale: { scheme: "viridis" } },
            },
          },
          ...(paths.length
            ? [
                {
                  data: { values: paths },
                  mark: { type: "line", color: "white", strokeWidth: 2 },
                  encoding: {
                    x: { field: "x", type: "quantitative" },
                    y: { field: "y", type: "quantitative" },
                    detail: { field: "saddle" },
                    order: { field: "order" },
                  },
                },
              ]
            : []),
          pointsLayer("y"),
        ],
      },
    };
  }
  // d > 2: loss profile along the minimum energy paths
  // at most 8 paths (the lowest saddles), to keep the figure readable and small
  const shown = r.landscape.saddles
    .map((s, si) => ({ s, si }))
    .sort((a, b) => a.s.value - b.s.value)
    .slice(0, 8);
  const prof = shown.flatMap(({ s, si }) =>
    s.path.arcLength.map((a, k) => ({
      path: `saddle ${si} (minima ${s.connects.join("–")})`,
      s: r4(a),
      L: r4(s.path.values[k]),
    })),
  );
  if (prof.length === 0) {
    const rows = r.landscape.minima.map((m) => ({ label: `min ${m.index}`, L: r4(m.value) }));
    return {
      name: "landscape",
      title: "Landscape",
      caption: `d = ${d}: no transition path was computed; the loss at each minimum found.`,
      spec: {
        ...base("Loss at the minima"),
        width: W,
        height: Math.max(60, 24 * rows.length),
        data: { values: rows },
        mark: { type: "bar" },
        encoding: {
          y: { field: "label", type: "nominal", title: "minimum", sort: null },
          x: { field: "L", type: "quantitative", title: "loss L", scale: { zero: false } },
        },
      },
    };
  }
  return {
    name: "landscape",
    title: "Landscape",
    caption: `d = ${d}: the loss along ${shown.length < r.landscape.saddles.length ? `the ${shown.length} lowest of the ${r.landscape.saddles.length} minimum energy paths` : "each minimum energy path"} (arc length from the first minimum), the 1-D picture of each transition.`,
    spec: {
      ...base("Loss along the transition paths"),
      width: W,
      height: H,
      data: { values: prof },
      mark: { type: "line" },
      encoding: {
        x: { field: "s", type: "quantitative", title: "arc length along the path (parameter units)" },
        y: { field: "L", type: "quantitative", title: "loss L", scale: { zero: false } },
        color: { field: "path", type: "nominal", title: "path" },
      },
    },
  };
}

function tLabel(t: number, eta: number): string {
  return `t = ${Number(t.toPrecision(3))} (${Number((t / eta).toPrecision(3))} it.)`;
}

export function cloudsFigure(r: AnalysisResult): Figure | null {
  const c = r.fields.clouds;
  const eta = r.problem.lr;
  const d = r.problem.dim;
  if (!c.particles.length) return null;
  const labels = c.t.map((t) => tLabel(t, eta));
  if (d === 1 || d > 2) {
    // histograms of the particles (density) vs the Fokker–Planck density
    const rows: { time: string; x: number; density: number; source: string }[] = [];
    const all = c.particles.flatMap((a) => Array.from(a).filter(fin));
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    if (d === 1 && r.fields.pdeGrid) {
      lo = r.fields.pdeGrid.axes[0][0];
      hi = r.fields.pdeGrid.axes[0][r.fields.pdeGrid.axes[0].length - 1];
    }
    if (!(hi > lo)) hi = lo + 1;
    const nb = 60;
    const w = (hi - lo) / nb;
    c.particles.forEach((a, s) => {
      const cnt = new Array(nb).fill(0);
      let n = 0;
      for (const x of a) {
        if (!fin(x)) continue;
        n++;
        const b = Math.floor((x - lo) / w);
        if (b >= 0 && b < nb) cnt[b]++;
        else if (b === nb) cnt[nb - 1]++;
      }
      for (let b = 0; b < nb; b++)
        rows.push({
          time: labels[s],
          x: r4(lo + (b + 0.5) * w),
          density: r4(cnt[b] / (n * w)),
          source: "SGD particles (histogram)",
        });
    });
    if (d === 1 && c.pde && r.fields.pdeGrid) {
      const ax = r.fields.pdeGrid.axes[0];
      const k = every(ax.length, 300);
      c.pde.forEach((dens, s) => {
        for (let i = 0; i < ax.length; i += k)
          rows.push({ time: labels[s], x: r4(ax[i]), density: r4(dens[i]), source: "Fokker–Planck (PDE)" });
      });
    }
    // short: the title repeats under every panel (the caption says what the projection is)
    const xTitle = d === 1 ? r.problem.variables[0] : "projection (see caption)";
    return {
      name: "clouds",
      title: "Particles vs Fokker–Planck",
      caption:
        d === 1
          ? `Histogram of the SGD particles${c.pde ? " against the Fokker–Planck density of the SDE" : " (no Fokker–Planck density: the grid methods did not run)"} at several times, from the same initial law.`
          : `d = ${d}: histograms of the SGD particles projected on the ${r.fields.projection?.label ?? "projection"} (no grid density in d > 2).`,
      spec: {
        ...base("Law of the parameters over time"),
        data: { values: rows },
        facet: { column: { field: "time", type: "nominal", title: null, sort: labels } },
        spec: {
          width: 200,
          height: 180,
          mark: { type: "line", interpolate: "step", clip: true },
          encoding: {
            x: { field: "x", type: "quantitative", title: xTitle },
            y: { field: "density", type: "quantitative", title: "density (1/parameter unit)" },
            color: {
              field: "source",
              type: "nominal",
              title: "law",
              scale: { range: ["#ff7f0e", "#1f77b4"] },
            },
          },
        },
        resolve: { scale: { y: "independent" } },
      },
    };
  }
  // 2-D: density heatmap + particle points
  const rows: Record<string, unknown>[] = [];
  if (c.pde && r.fields.pdeGrid) {
    const [ax, ay] = r.fields.pdeGrid.axes;
    const k = every(ax.length, 41);
    const dx = (ax[1] - ax[0]) * k;
    const dy = (ay[1] - ay[0]) * k;
    c.pde.forEach((dens, s) => {
      for (let j = 0; j < ay.length; j += k)
        for (let i = 0; i < ax.length; i += k)
          rows.push({
            time: labels[s],
            kind: "pde",
            x0: r4(ax[i] - dx / 2),
            x1: r4(ax[i] + dx / 2),
            y0: r4(ay[j] - dy / 2),
            y1: r4(ay[j] + dy / 2),
            density: r4(dens[j * ax.length + i]),
          });
    });
  }
  c.particles.forEach((a, s) => {
    const m = a.length / 2;
    const k = every(m, 250);
    for (let j = 0; j < m; j += k)
      if (fin(a[2 * j]) && fin(a[2 * j + 1]))
        rows.push({ time: labels[s], kind: "particle", x: r4(a[2 * j]), y: r4(a[2 * j + 1]) });
  });
  const [lox, hix] = r.problem.domain[0];
  const [loy, hiy] = r.problem.domain[1];
  return {
    name: "clouds",
    title: "Particles vs Fokker–Planck",
    caption:
      "Fokker–Planck density of the SDE (blue shades; each panel has its own colour scale starting at 0) with SGD particles (red dots) from the same initial law, at several times.",
    spec: {
      ...base("Law of the parameters over time"),
      data: { values: rows },
      facet: { column: { field: "time", type: "nominal", title: null, sort: labels } },
      spec: {
        width: 190,
        height: Math.round((190 * (hiy - loy)) / (hix - lox)),
        layer: [
          {
            transform: [{ filter: "datum.kind === 'pde'" }],
            mark: { type: "rect" },
            encoding: {
              x: {
                field: "x0",
                type: "quantitative",
                title: `${r.problem.variables[0]}`,
                scale: { domain: [lox, hix], nice: false },
              },
              x2: { field: "x1" },
              y: {
                field: "y0",
                type: "quantitative",
                title: `${r.problem.variables[1]}`,
                scale: { domain: [loy, hiy], nice: false },
              },
              y2: { field: "y1" },
              color: {
                field: "density",
                type: "quantitative",
                title: "PDE density",
                scale: { scheme: "blues", domainMin: 0 },
              },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'particle'" }],
            mark: { type: "circle", size: 6, color: "#d62728", opacity: 0.8, clip: true },
            encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
          },
        ],
      },
      resolve: { scale: { color: "independent" } },
    },
  };
}

export function massFigure(r: AnalysisResult): Figure {
  const nb = r.landscape.minima.length;
  const D = r.drift;
  // Basins shown one by one: those that ever hold ≥ 2% of the mass (at most 8, largest first); the rest are
  // summed as "other basins", so every colour means one thing (tableau10 has 10 distinct colours).
  const peak = Array.from({ length: nb }, (_, k) =>
    Math.max(...D.particleMass.map((m) => m[k]), ...(D.pdeMass ?? []).map((m) => m[k])),
  );
  const shown = peak
    .map((v, k) => ({ v, k }))
    .filter((b) => b.v >= 0.02)
    .sort((a, b) => b.v - a.v)
    .slice(0, 8)
    .map((b) => b.k)
    .sort((a, b) => a - b);
  const others = nb > shown.length;
  const name = (k: number) =>
    k === nb ? "unlabelled / in transit" : shown.includes(k) ? `basin ${k}` : "other basins";
  const order = [
    ...shown.map((k) => `basin ${k}`),
    ...(others ? ["other basins"] : []),
    "unlabelled / in transit",
  ];
  const group = (m: number[]) => {
    const g = new Map<string, number>();
    m.forEach((v, k) => {
      g.set(name(k), (g.get(name(k)) ?? 0) + v);
    });
    return g;
  };
  const rows: Record<string, unknown>[] = [];
  D.times.forEach((t, s) => {
    const n = r.settings.driftParticles;
    for (const [b, m] of group(D.particleMass[s])) {
      if (b === "unlabelled / in transit" && m === 0) continue;
      const h = 1.96 * Math.sqrt((m * (1 - m) + 1 / n) / n); // binomial 95% half-width of the grouped mass
      rows.push({
        t: r4(t),
        basin: b,
        source: "SGD particles (95% CI)",
        mass: r4(m),
        lo: r4(Math.max(0, m - h)),
        hi: r4(Math.min(1, m + h)),
      });
    }
    if (D.pdeMass)
      for (const [b, m] of group(D.pdeMass[s])) {
        if (b === "unlabelled / in transit" && m < 1e-6) continue;
        rows.push({ t: r4(t), basin: b, source: "Fokker–Planck (PDE)", mass: r4(m) });
      }
  });
  const color = {
    field: "basin",
    type: "nominal",
    title: "basin",
    scale: { domain: order, scheme: "tableau10" },
  };
  // 1-2-5 ticks from the first snapshot after 0 to the last: every decade labelled on the symmetric-log axis
  const tMax = D.times[D.times.length - 1] || 1;
  const tMin = D.times.find((t) => t > 0) ?? tMax;
  const ticks = [0];
  for (let e = Math.floor(Math.log10(tMin)); 10 ** e <= tMax * 1.0001; e++)
    for (const m of [1, 2, 5])
      if (m * 10 ** e >= tMin * 0.999 && m * 10 ** e <= tMax * 1.0001) ticks.push(r4(m * 10 ** e));
  const x = {
    field: "t",
    type: "quantitative",
    title: "time t (SDE time = η × iterations; symmetric-log scale: linear near 0, logarithmic later)",
    scale: { type: "symlog" },
    axis: { values: ticks },
  };
  return {
    name: "basin-mass",
    title: "Basin masses over time",
    caption: `Fraction of the law in each basin of attraction over time: SGD particles (points with 95% intervals)${D.pdeMass ? " and the Fokker–Planck solution of the SDE (lines)" : ""}.${others ? ` Basins that never hold 2% of the mass are summed as "other basins".` : ""} The time axis is linear near 0 and logarithmic at late times, so the first stage and the long-time regime both show.`,
    spec: {
      ...base("Mass in each basin"),
      width: W,
      height: H,
      data: { values: rows },
      layer: [
        ...(D.pdeMass
          ? [
              {
                transform: [{ filter: "datum.source === 'Fokker–Planck (PDE)'" }],
                mark: { type: "line" },
                encoding: {
                  x,
                  y: {
                    field: "mass",
                    type: "quantitative",
                    title: "mass fraction",
                    scale: { domain: [0, 1] },
                  },
                  color,
                },
              },
            ]
          : []),
        {
          transform: [{ filter: "datum.source !== 'Fokker–Planck (PDE)'" }],
          mark: { type: "rule" },
          encoding: {
            x,
            y: { field: "lo", type: "quantitative", title: "mass fraction", scale: { domain: [0, 1] } },
            y2: { field: "hi" },
            color,
          },
        },
        {
          transform: [{ filter: "datum.source !== 'Fokker–Planck (PDE)'" }],
          mark: { type: "point", filled: true },
          encoding: { x, y: { field: "mass", type: "quantitative" }, color },
        },
      ],
    },
  };
}

export function survivalFigure(r: AnalysisResult, k: number): Figure | null {
  const e = r.escapes[k];
  const rows: Record<string, unknown>[] = [];
  for (const est of e.estimates) {
    const sv = hasValue(est) ? survivalOf(est) : null;
    if (!sv || est.detail?.kind !== "monte-carlo") continue;
    const lab = est.method === "sgd" ? "SGD" : est.method.toUpperCase();
    sv.t.forEach((t, i) => {
      const s = sv.s[i];
      if (s > 0 && fin(t)) rows.push({ t: r4(t), S: r4(s), method: lab, curve: "empirical" });
    });
    // the exponential fit, drawn only as far as the sample can see: down to P = 1/(2n)
    const mu = est.detail.exponentialFit.time;
    const n = est.detail.particles;
    if (mu && fin(mu) && mu > 0 && n > 0) {
      const tMax = Math.min(est.detail.horizon, mu * Math.log(2 * n));
      for (let i = 0; i <= 40; i++) {
        const t = (tMax * i) / 40;
        rows.push({ t: r4(t), S: r4(Math.exp(-t / mu)), method: lab, curve: "exponential fit" });
      }
    }
  }
  if (!rows.length) return null;
  return {
    name: `exit-survival-${k}`,
    title: `Exit-time distribution (${e.label})`,
    caption: `P(τ > t) for the escape from ${e.label} to ${e.targetWhy}: empirical survival of the SGD and SDE runs (steps) against the exponential law with each one's fitted mean (dashed, drawn down to 1/(2n), the smallest probability n runs resolve). A straight line on this log scale means an exponential (memoryless, metastable) escape.`,
    spec: {
      ...base("Exit-time survival function"),
      width: W,
      height: H,
      data: { values: rows },
      encoding: {
        x: { field: "t", type: "quantitative", title: "exit time t (SDE time = η × iterations)" },
        y: { field: "S", type: "quantitative", title: "P(τ > t)", scale: { type: "log" } },
        color: { field: "method", type: "nominal", title: "method", scale: { scheme: "tableau10" } },
        strokeDash: {
          field: "curve",
          type: "nominal",
          title: null,
          scale: {
            domain: ["empirical", "exponential fit"],
            range: [
              [1, 0],
              [5, 3],
            ],
          },
        },
      },
      layer: [
        {
          transform: [{ filter: "datum.curve === 'empirical'" }],
          mark: { type: "line", interpolate: "step-after", clip: true },
        },
        { transform: [{ filter: "datum.curve !== 'empirical'" }], mark: { type: "line", clip: true } },
      ],
    },
  };
}

export function methodsFigure(r: AnalysisResult, k: number): Figure | null {
  const e = r.escapes[k];
  return methodsSpec(e.estimates, e.label, `exit-methods-${k}`);
}

/**
 * The exit-time-by-method figure of a list of estimates (the report's, and the browser page's live chart):
 * each method's mean with its interval, log scale.
 */
export function methodsSpec(
  estimates: readonly ExitEstimate[],
  label: string,
  name = "exit-methods",
): Figure | null {
  const rows: Record<string, unknown>[] = [];
  for (const est of estimates) {
    if (!hasValue(est)) continue;
    const lo = est.interval?.[0];
    const hi = est.interval?.[1];
    const t = est.time ?? (lo !== undefined && hi !== undefined ? Math.sqrt(lo * hi) : null);
    if (t === null || !fin(t) || t <= 0) continue;
    rows.push({
      method: est.method,
      t: r4(t),
      lo: lo !== undefined && fin(lo) && lo > 0 ? r4(lo) : r4(t),
      hi: hi !== undefined && fin(hi) ? r4(hi) : r4(t * 3),
      kind:
        est.status === "bracket"
          ? "interval only"
          : est.status === "lower-bound"
            ? est.intervalKind === "discrete-lower-bound"
              ? "lower bound (discrete chain)"
              : "lower bound (censored)"
            : "estimate",
    });
  }
  if (!rows.length) return null;
  return {
    name,
    title: `Exit time by method (${label})`,
    caption:
      "Mean exit time by each method with its interval (95% CI for Monte Carlo, ± error estimate for grid and quadrature, rigorous enclosure for bounds, asymptotic band for Kramers).",
    spec: {
      ...base("Mean exit time by method"),
      width: W,
      height: Math.max(120, 34 * rows.length),
      data: { values: rows },
      layer: [
        {
          mark: { type: "rule", strokeWidth: 2 },
          encoding: {
            y: { field: "method", type: "nominal", title: "method", sort: null },
            x: {
              field: "lo",
              type: "quantitative",
              title: "mean exit time (SDE time)",
              scale: { type: "log" },
            },
            x2: { field: "hi" },
          },
        },
        {
          mark: { type: "point", filled: true, size: 80 },
          encoding: {
            y: { field: "method", type: "nominal", sort: null },
            x: { field: "t", type: "quantitative" },
            shape: { field: "kind", type: "nominal", title: null },
            color: { field: "kind", type: "nominal", title: null },
          },
        },
      ],
    },
  };
}

export function entropyFigure(r: AnalysisResult): Figure | null {
  const en = r.longTime.entropy;
  if (!en) return null;
  const rows: Record<string, unknown>[] = [];
  const pts = en.t.map((t, i) => ({ t, H: en.H[i] })).filter((q) => q.H > 1e-14 && fin(q.H));
  if (pts.length < 2) return null;
  for (const q of pts) rows.push({ t: r4(q.t), H: r4(q.H), curve: "H(ρ_t | ρ_∞), Fokker–Planck" });
  const t0 = pts[0].t;
  const H0 = pts[0].H;
  const tEnd = pts[pts.length - 1].t;
  const line = (rate: number, name: string, anchorT: number, anchorH: number) => {
    for (let i = 0; i <= 30; i++) {
      const t = t0 + ((tEnd - t0) * i) / 30;
      const h = anchorH * Math.exp(-rate * (t - anchorT));
      if (h > 1e-14) rows.push({ t: r4(t), H: r4(h), curve: name });
    }
  };
  if (en.bakryEmeryRate)
    line(
      en.bakryEmeryRate,
      `Bakry–Émery bound H₀·e^{−2λt}, λ = ${Number(en.lambdaMin.toPrecision(3))}`,
      t0,
      H0,
    );
  const gap = r.longTime.spectral?.describesWholeLaw ? r.longTime.spectral.gap : null;
  const lastP = pts[pts.length - 1];
  if (gap) line(2 * gap, `rate 2·(spectral gap) = ${Number((2 * gap).toPrecision(3))}`, lastP.t, lastP.H);
  if (en.fittedRate)
    line(en.fittedRate, `fitted rate ${Number(en.fittedRate.toPrecision(3))}`, lastP.t, lastP.H);
  return {
    name: "entropy",
    title: "Entropy decay",
    caption: `Relative entropy of the Fokker–Planck law with respect to the stationary law${[
      en.bakryEmeryRate
        ? "the Bakry–Émery bound (the loss is uniformly convex and the noise isotropic)"
        : null,
      gap ? "the rate 2·(spectral gap)" : null,
      en.fittedRate ? "the fitted exponential rate (fitted above the round-off floor)" : null,
    ]
      .filter((x) => x !== null)
      .join(", ")
      .replace(/^(.)/, ", against $1")}.`,
    spec: {
      ...base("Relative entropy to the stationary law"),
      width: W,
      height: H,
      data: { values: rows },
      mark: { type: "line", point: false, clip: true },
      encoding: {
        x: { field: "t", type: "quantitative", title: "time t (SDE time = η × iterations)" },
        y: { field: "H", type: "quantitative", title: "relative entropy (nats)", scale: { type: "log" } },
        color: { field: "curve", type: "nominal", title: null },
      },
    },
  };
}

/** All figures of the report, in order. */
export function reportFigures(r: AnalysisResult): Figure[] {
  const out: (Figure | null)[] = [landscapeFigure(r), cloudsFigure(r), massFigure(r)];
  r.escapes.forEach((_, k) => {
    out.push(methodsFigure(r, k));
    out.push(survivalFigure(r, k));
  });
  out.push(entropyFigure(r));
  return out.filter((f): f is Figure => f !== null);
}
