/**
 * `analyze`: the three questions of the paper answered for one problem, by running the landscape,
 * particles and the PDE generator together and putting their answers side by side.
 *
 *   landscape → drift regime (mass split, concentration times, OU spread vs particles and PDE)
 *   → escape from every non-global minimum (escape.ts) → long-time verdict (limit, rate, entropy).
 *
 * Pure and isomorphic: plain inputs in, one plain `AnalysisResult` out (typed arrays only in
 * `fields`, the bulk data for figures). Times are SDE time t (iterations = t/η), DESIGN.md §1.
 * Defaults (particles, grids, horizons) are chosen from the problem and recorded in `settings`.
 */

import type { InitialLaw as ParticleLaw } from "../dynamics/initial.js";
import { simulate } from "../dynamics/simulate.js";
import { UserError } from "../errors.js";
import { defaultSdeStep, type EnsembleRunner } from "../exit/index.js";
import {
  type CriticalPoint,
  driftRegime,
  exitTimeFromMinimum,
  findMinima,
  findSaddles,
  labelGrid,
  labelSamples,
  ouCovariance,
  type SaddlePoint,
  symmetryClasses,
  type Verdict,
  verdictFromLandscape,
} from "../landscape/index.js";
import {
  autoGridShape,
  buildGenerator,
  entropyDecay,
  fokkerPlanck,
  type Grid,
  initialDistribution,
  makeGrid,
  nodeCoords,
  spectralGap,
  stationary,
} from "../pde/index.js";
import type { Problem } from "../problem/types.js";
import { analyseEscape, type EscapeResult, type EscapeSetup } from "./escape.js";

export interface AnalyzeOptions {
  /** Small settings so that every gallery example runs in a few seconds (CI). */
  quick?: boolean;
  seed?: number;
  /** Monte Carlo ensemble size per escape method (default 300 quick / 2000 full). */
  particles?: number;
  /** PDE points per axis (default: automatic, capped in quick mode). */
  grid?: number;
  /** Called at the start of each stage (for progress display). */
  onStage?: (stage: string) => void;
  /** Ensemble runner for the escape stage's Monte Carlo (default in-process; the CLI passes worker threads). */
  runner?: EnsembleRunner;
  /** Progress of long Monte Carlo runs: `done` of `total` particles under a label. */
  onProgress?: (label: string, done: number, total: number) => void;
}

export interface MinimumInfo {
  index: number;
  x: number[];
  value: number;
  /** Hessian eigenvalues (smallest, largest) and the number of ≈ 0 ones (flat directions). */
  lambdaMin: number;
  lambdaMax: number;
  flatDirections: number;
  interpolating: boolean;
  noiseTrace: number;
  noiseRank: number;
  multiplicity: number;
  global: boolean;
  /** Eyring–Kramers exit time out of this minimum (SDE time), NaN when none. */
  kramers: { time: number; iterations: number; applicable: boolean; why: string; barrier: number };
  /** OU spreads √tr S (parameter units): order-1 SDE and discrete SGD. */
  ou: { sde: number; sgd: number; sgdStable: boolean; collapses: boolean; why: string };
}

export interface AnalysisResult {
  problem: {
    name: string;
    description?: string;
    dim: number;
    variables: string[];
    lr: number;
    batch: number;
    batchScale: number;
    replacement: boolean;
    delta: number;
    noise: string;
    samples: number | null;
    domain: [number, number][];
  };
  mode: "quick" | "full";
  settings: {
    seed: number;
    particles: number;
    driftParticles: number;
    sdeDtOverEta: number;
    stepBudget: number;
    grid: { shape: number[]; reason: string } | null;
    escapeGrid: number | "auto" | null;
    initialLaw: string;
    captureRadius: number;
    driftHorizon: number;
    longHorizon: number;
    reasons: string[];
  };
  notes: string[];
  landscape: {
    minima: MinimumInfo[];
    saddles: {
      x: number[];
      value: number;
      lambda1: number;
      connects: [number, number];
      path: { points: number[][]; values: number[]; arcLength: number[] };
    }[];
    barriers: { from: number; to: number; saddle: number; height: number }[];
    continuum: string | null;
    log: string[];
  };
  drift: {
    times: number[];
    iterations: number[];
    /** Basin masses over time (rows: times; columns: minima + "unlabelled"). */
    particleMass: number[][];
    /** Half-width of the 95% interval of each particle basin mass (binomial). */
    particleMassHalfWidth: number[][];
    pdeMass: number[][] | null;
    /** Per basin: gradient-flow mass split and concentration time. */
    basins: {
      minimum: number;
      mass: number;
      time: number;
      iterations: number;
      radius: number;
      radiusBelowSpread: boolean;
    }[];
    /** Spread at each minimum at the end of the run: OU predictions vs particles and PDE. */
    spread: {
      minimum: number;
      ouSde: number;
      ouSgd: number;
      particles: { value: number; ci95: [number, number]; count: number } | null;
      pde: number | null;
      kurtosis: { value: number; se: number; heavyTails: boolean } | null;
    }[];
    sentence: string;
  };
  escapes: EscapeResult[];
  longTime: {
    verdict: Verdict;
    stationary: {
      normalisable: boolean;
      message: string;
      pointMasses: { x: number[]; fraction: number }[];
    } | null;
    spectral: {
      gap: number | null;
      relaxationTime: number | null;
      eigenvalues: number[];
      converged: boolean;
    } | null;
    entropy: {
      t: number[];
      H: number[];
      fittedRate: number | null;
      bakryEmeryRate: number | null;
      lambdaMin: number;
    } | null;
    /** Particle basin masses at the last time. */
    finalMass: number[];
    sentence: string;
  };
  answers: { drift: string; escape: string; convergence: string };
  timings: Record<string, number>;
  /** Bulk arrays for figures and files (not part of summary.json). */
  fields: AnalysisFields;
}

export interface AnalysisFields {
  /** Loss on a grid (1-D: n; 2-D: nx×ny, x fastest) for landscape plots; null for d > 2. */
  loss: { axes: number[][]; values: Float64Array } | null;
  /** Snapshots shown as clouds: times, particle coordinates (first ≤ 2 coordinates or the projection `projection`). */
  clouds: { t: number[]; particles: Float64Array[]; pde: Float64Array[] | null; dimShown: number };
  /** Projection used for d > 2 (unit vector), null otherwise. */
  projection: { direction: number[]; origin: number[]; label: string } | null;
  /** PDE grid used for densities. */
  pdeGrid: { axes: number[][] } | null;
  /** Exit times of particles per escape and method (for files). */
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
const fmt = (v: number | null | undefined, p = 3) =>
  v === null || v === undefined ? "—" : Number.isFinite(v) ? Number(v.toPrecision(p)).toString() : String(v);
const fmtPt = (x: readonly number[]) =>
  x.length <= 4
    ? `(${x.map((v) => fmt(v, 4)).join(", ")})`
    : `(${x
        .slice(0, 3)
        .map((v) => fmt(v, 3))
        .join(", ")}, …)`;

function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** A number written so the expression compiler reads it back exactly. */
const num = (v: number) => (v < 0 ? `(${v.toPrecision(15)})` : v.toPrecision(15));

/** "|x − c|² < r²" in the problem's variables. */
function ballExpr(vars: readonly string[], c: readonly number[], r: number): string {
  return `${vars.map((v, i) => `(${v} - ${num(c[i])})^2`).join(" + ")} < ${num(r * r)}`;
}

export async function analyze(problem: Problem, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const p = problem;
  if (p.momentum > 0)
    throw new UserError(
      "analyze compares particles with the grid and landscape methods, which model plain SGD; heavy-ball momentum is supported by the particle methods only",
      { where: "momentum", hint: "momentum 0, or `simulate` / `exit-time --method sgd,sde`" },
    );
  const d = p.dim;
  const eta = p.lr;
  const quick = options.quick ?? false;
  const seed = options.seed ?? 1;
  const big = d > 10;
  // Large d: fewer particles so that the step budget buys longer horizons.
  const M = options.particles ?? (quick ? (big ? 100 : 200) : big ? 300 : 2000);
  const Md = quick ? (big ? 100 : 400) : big ? 1000 : 4000;
  // Particle-step budget per Monte Carlo run, scaled down by the cost of one step (d and, for finite sums, B).
  // (deterministic cost model, so that results do not depend on the machine: ~0.1 µs per analytic 1-D step).
  const stepCost = p.loss.finiteSum ? Math.max(1, 2.5 * p.batch * d) : Math.max(1, d / 4);
  const budget = (quick ? 1e7 : 2e8) / stepCost;
  const dtFraction = defaultSdeStep(eta) / eta;
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  const reasons: string[] = [];
  const stage = (name: string) => {
    options.onStage?.(name);
    return now();
  };
  const bounded = p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
  const gridOk = d <= 2 && bounded;
  if (!gridOk) {
    notes.push(
      d > 2
        ? `d = ${d} > 2: grid methods (PDE exit times, Fokker–Planck densities, stationary law, spectral gap, entropy) are replaced by particles, the landscape (Kramers along the transition paths) and the 1-D exact analysis is not available; the report says which numbers are missing.`
        : "the domain is unbounded: grid methods need a finite box (give `domain` in the problem file).",
    );
  }

  // ── 1. Landscape ──────────────────────────────────────────────────────────
  let t0 = stage("landscape");
  const starts = quick ? Math.min(60, 10 * d + 20) : Math.min(400, 20 * d + 20);
  const mr = findMinima(p, { seed, starts });
  let minima = mr.minima;
  const log = [`${mr.minima.length} minima from ${mr.starts} starts (${mr.failed} failed)`];
  // A continuum of minima (flat directions, same value): keep one representative.
  let continuum: string | null = null;
  const flatCount = (m: CriticalPoint) => {
    const lmax = Math.max(...m.eigenvalues.map(Math.abs), 1e-300);
    return m.eigenvalues.filter((v) => Math.abs(v) <= 1e-8 * lmax).length;
  };
  if (minima.length > 1) {
    const v0 = minima[0].value;
    const tol = 1e-8 * Math.max(1, Math.abs(v0));
    const same = minima.filter((m) => Math.abs(m.value - v0) <= tol && flatCount(m) > 0);
    if (same.length === minima.length) {
      continuum = `the ${minima.length} minima found all have L = ${fmt(v0, 6)} and ${flatCount(minima[0])} flat Hessian direction(s): they are points of one connected set of minima (a ${flatCount(minima[0])}-dimensional valley), shown by one representative`;
      minima = [minima[0]];
      notes.push(continuum);
    }
  }
  const skipSaddles = minima.length < 2 || (quick && d > 10);
  if (minima.length >= 2 && skipSaddles)
    notes.push(
      `saddle search skipped in --quick mode for d = ${d} > 10 (run without --quick for transition paths and Kramers times)`,
    );
  const sr = skipSaddles ? null : findSaddles(p, minima, d > 10 ? { neighbours: 2 } : {});
  if (sr) for (const l of sr.log) log.push(`pair ${l.pair.join("-")}: ${l.status}`);
  const saddles: SaddlePoint[] = sr?.saddles ?? [];
  const classes = symmetryClasses(minima);
  const vmin = minima[0].value;
  const gtol = 1e-6 * Math.max(1, Math.abs(vmin));
  const minimaInfo: MinimumInfo[] = minima.map((m, i) => {
    const k = exitTimeFromMinimum(p, minima, i, saddles);
    const ou = ouCovariance(p, m);
    const cls = classes.find((c) => c.members.includes(i));
    const pos = m.eigenvalues.filter((v) => v > 1e-8 * Math.max(...m.eigenvalues.map(Math.abs), 1e-300));
    return {
      index: i,
      x: m.x,
      value: m.value,
      lambdaMin: pos.length ? pos[0] : m.eigenvalues[0],
      lambdaMax: m.eigenvalues[m.eigenvalues.length - 1],
      flatDirections: flatCount(m),
      interpolating: m.noise?.interpolating ?? false,
      noiseTrace: m.noise?.traceSigma ?? Number.NaN,
      noiseRank: m.noise?.rank ?? 0,
      multiplicity: cls?.multiplicity ?? 1,
      global: m.value <= vmin + gtol,
      kramers: {
        time: k.infinite ? Number.POSITIVE_INFINITY : k.time,
        iterations: k.infinite ? Number.POSITIVE_INFINITY : k.iterations,
        applicable: k.applicable,
        why: k.why,
        barrier: k.barrier,
      },
      ou: {
        sde: Math.sqrt(Math.max(0, ou.sde.trace)),
        sgd: ou.sgd.stable ? Math.sqrt(Math.max(0, ou.sgd.trace)) : Number.POSITIVE_INFINITY,
        sgdStable: ou.sgd.stable,
        collapses: ou.collapses,
        why: ou.why,
      },
    };
  });
  const basinGrid = gridOk ? labelGrid(p, minima, { n: d === 1 ? 801 : 101, saddles }) : null;
  const labelOf = (x: ArrayLike<number>): number => {
    if (!basinGrid) return -1;
    let idx = 0;
    let stride = 1;
    for (let k = 0; k < d; k++) {
      const n = basinGrid.n[k];
      const f = (x[k] - basinGrid.lo[k]) / (basinGrid.hi[k] - basinGrid.lo[k]);
      const i = Math.min(n - 1, Math.max(0, Math.round(f * (n - 1))));
      idx += i * stride;
      stride *= n;
    }
    return basinGrid.labels[idx];
  };
  timings.landscape = now() - t0;

  // ── 2. Grid, stationary law, spectral gap (d ≤ 2) ─────────────────────────
  t0 = stage("pde setup");
  let grid: Grid | null = null;
  let gridInfo: { shape: number[]; reason: string } | null = null;
  let st: ReturnType<typeof stationary> | null = null;
  let sp: ReturnType<typeof spectralGap> | null = null;
  let gen0: ReturnType<typeof buildGenerator> | null = null;
  if (gridOk) {
    const auto = autoGridShape(p);
    const cap = quick ? (d === 1 ? 401 : 61) : d === 1 ? 2001 : 161;
    const shape = options.grid
      ? auto.shape.map(() => options.grid as number)
      : auto.shape.map((n) => Math.min(n, cap));
    gridInfo = {
      shape,
      reason: options.grid
        ? `--grid ${options.grid}`
        : `${auto.reason}${shape.some((n, k) => n < auto.shape[k]) ? `; capped at ${cap} per axis (${quick ? "--quick" : "time"})` : ""}`,
    };
    grid = makeGrid(p.domain, shape);
    try {
      gen0 = buildGenerator(p, grid);
      try {
        sp = spectralGap(gen0, { k: 4 });
      } catch (e) {
        notes.push(`spectral gap not computed: ${(e as Error).message}`);
      }
    } catch (e) {
      notes.push(`the generator could not be built: ${(e as Error).message}`);
      gen0 = null;
    }
  }
  timings.pdeSetup = now() - t0;

  // ── 3. Drift regime ───────────────────────────────────────────────────────
  t0 = stage("drift regime");
  let law: ParticleLaw;
  let lawText: string;
  if (bounded) {
    law = { kind: "uniform", box: p.domain.map(([lo, hi]) => [lo, hi] as const) };
    lawText = `uniform on the domain ${p.domain.map(([lo, hi]) => `[${lo}, ${hi}]`).join("×")}`;
  } else {
    const c = p.start ? Array.from(p.start) : new Array(d).fill(0);
    const sd = 0.5;
    law = { kind: "gaussian", mean: c, std: new Array(d).fill(sd) };
    lawText = `Gaussian around the model's initial point ${fmtPt(c)} with standard deviation ${sd} per coordinate`;
  }
  reasons.push(`initial law: ${lawText} (spreads mass over the basins so the drift regime shows the split)`);
  const init0 = simulate(p, {
    dynamics: "gd",
    particles: Md,
    steps: 0,
    seed: seed + 7,
    init: law,
    snapshotSteps: [0],
  });
  const rowMajor = (snap: Float64Array, m: number, s: number): Float64Array => {
    const out = new Float64Array(m * d);
    for (let j = 0; j < m; j++) for (let i = 0; i < d; i++) out[j * d + i] = snap[(s * d + i) * m + j];
    return out;
  };
  const samples0 = rowMajor(init0.snapshots, Md, 0);
  const nFlow = Math.min(Md, quick ? (d > 2 ? 10 : 200) : d > 2 ? 100 : 1000);
  if (d > 2)
    reasons.push(
      `gradient-flow mass split from ${nFlow} samples of the initial law (each flow is a stiff ODE solve in d = ${d})`,
    );
  const seps: number[] = [];
  for (let i = 0; i < minima.length; i++) {
    for (let j = i + 1; j < minima.length; j++) seps.push(dist(minima[i].x, minima[j].x));
    for (const s of saddles) seps.push(dist(minima[i].x, s.x));
  }
  const minSep = seps.length ? Math.min(...seps) : Number.NaN;
  const maxOu = Math.max(0, ...minimaInfo.map((m) => (Number.isFinite(m.ou.sgd) ? m.ou.sgd : m.ou.sde)));
  const scaleBox = bounded ? Math.max(...p.domain.map(([lo, hi]) => hi - lo)) : 1;
  let radius = Number.isFinite(minSep)
    ? Math.min(0.45 * minSep, Math.max(2 * maxOu, 0.15 * minSep))
    : Math.max(2 * maxOu, 0.05 * scaleBox);
  if (!(radius > 0)) radius = 0.05 * scaleBox;
  reasons.push(
    `capture radius r = ${fmt(radius)}: ${Number.isFinite(minSep) ? "between 2× the largest OU spread and 0.45× the smallest minimum–minimum/saddle distance" : "2× the largest OU spread (one minimum)"}`,
  );
  const dr = driftRegime(p, samples0.subarray(0, nFlow * d), minima, { radius, saddles });
  const T1raw = Math.max(...dr.basins.map((b) => (Number.isFinite(b.time) ? b.time : 0)));
  const cap = ((quick ? 4e6 : 8e7) / stepCost / Md) * eta;
  let T1 = Math.max(T1raw > 0 ? 1.5 * T1raw : 20 * eta, 10 * eta);
  if (T1 > cap / 2) {
    reasons.push(`drift horizon ${fmt(T1)} cut to ${fmt(cap / 2)} by the particle-step budget`);
    T1 = Math.max(cap / 2, 4 * eta);
  }
  // Long horizon: a few relaxation times (spectral gap), else the slowest finite Kramers time, capped by the budget.
  const gap = sp?.gap ?? null;
  const kr = minimaInfo.map((m) => m.kramers.time).filter((t) => Number.isFinite(t) && t > 0);
  let Tlong = gap && gap > 0 ? 3 / gap : kr.length ? 2 * Math.max(...kr) : 10 * T1;
  if (Tlong > cap) {
    reasons.push(`long horizon ${fmt(Tlong)} cut to ${fmt(cap)} by the particle-step budget`);
    Tlong = cap;
  }
  Tlong = Math.max(Tlong, 2 * T1);
  reasons.push(
    `drift horizon ${fmt(T1)} (1.5× the gradient-flow concentration time); long horizon ${fmt(Tlong)} (${gap ? "3 relaxation times 3/gap" : kr.length ? "2× the slowest Kramers time" : "10× the drift horizon"})`,
  );
  const times = [0, T1 / 8, T1 / 4, T1 / 2, T1];
  const nLong = 6;
  for (let k = 1; k <= nLong; k++) times.push(T1 * (Tlong / T1) ** (k / nLong));
  const steps = times.map((t) => Math.round(t / eta));
  const uniqSteps = [...new Set(steps)].sort((a, b) => a - b);
  const tt = uniqSteps.map((s) => s * eta);
  const run = simulate(p, {
    dynamics: "sgd",
    particles: Md,
    steps: uniqSteps[uniqSteps.length - 1],
    seed: seed + 11,
    init: law,
    snapshotSteps: uniqSteps,
  });
  const nb = minima.length;
  const localR = minimaInfo.map((m) => {
    const ds = [
      ...minimaInfo.filter((o) => o.index !== m.index).map((o) => dist(o.x, m.x)),
      ...saddles.map((z) => dist(z.x, m.x)),
    ];
    return ds.length ? 0.9 * Math.min(...ds) : Number.POSITIVE_INFINITY;
  });
  const particleMass: number[][] = [];
  let valleyTol = 0;
  if (continuum) {
    const x = new Float64Array(d);
    const ex: number[] = [];
    for (let j = 0; j < Math.min(Md, 200); j++) {
      for (let i = 0; i < d; i++) x[i] = samples0[j * d + i];
      ex.push(p.loss.value(x) - vmin);
    }
    ex.sort((a, b) => a - b);
    valleyTol = 1e-3 * Math.max(ex[ex.length >> 1], 1e-300);
  }
  const halfWidth: number[][] = [];
  const snapLabels: Int32Array[] = [];
  const nLab = d > 2 ? Math.min(Md, quick ? 60 : 400) : Md;
  for (let s = 0; s < uniqSteps.length; s++) {
    const rm = rowMajor(run.snapshots, Md, s);
    let labels: Int32Array;
    if (continuum) {
      // One connected set of minima: "in the valley" = L within 1e-3 of the initial excess loss.
      labels = new Int32Array(Md);
      const x = new Float64Array(d);
      for (let j = 0; j < Md; j++) {
        for (let i = 0; i < d; i++) x[i] = rm[j * d + i];
        const v = p.loss.value(x);
        labels[j] = v - vmin <= valleyTol ? 0 : -1;
      }
    } else if (basinGrid) {
      labels = new Int32Array(Md);
      const x = new Float64Array(d);
      for (let j = 0; j < Md; j++) {
        for (let i = 0; i < d; i++) x[i] = rm[j * d + i];
        labels[j] = x.every(Number.isFinite) ? labelOf(x) : -1;
      }
    } else if (d <= 2) {
      labels = labelSamples(p, rm.subarray(0, nLab * d), minima, { saddles }).labels;
    } else {
      // d > 2: the nearest minimum when within half its distance to the nearest other critical point, else "in transit".
      labels = new Int32Array(Md);
      for (let j = 0; j < Md; j++) {
        const x = rm.subarray(j * d, (j + 1) * d);
        let best = -1;
        let bd = Number.POSITIVE_INFINITY;
        for (let k = 0; k < minima.length; k++) {
          const dk = dist(x, minima[k].x);
          if (dk < bd) {
            bd = dk;
            best = k;
          }
        }
        labels[j] = best >= 0 && bd <= localR[best] ? best : -1;
      }
    }
    snapLabels.push(labels);
    const counts = new Array(nb + 1).fill(0);
    for (const l of labels) counts[l >= 0 && l < nb ? l : nb]++;
    const n = labels.length;
    particleMass.push(counts.map((c) => c / n));
    halfWidth.push(counts.map((c) => 1.96 * Math.sqrt(((c / n) * (1 - c / n) + 1 / n) / n)));
  }
  let nDiv = 0;
  for (let j = 0; j < Md; j++) if (run.divergedStep[j] >= 0) nDiv++;
  const divergedText = nDiv
    ? ` ${fmt((100 * nDiv) / Md)}% of the SGD particles diverged (|x| beyond ${fmt(run.bound)}) by t = ${fmt(tt[tt.length - 1])}: SGD is unstable or heavy-tailed at this learning rate.`
    : "";
  if (nDiv)
    notes.push(
      `${nDiv} of ${Md} SGD particles of the drift run diverged (counted as "unlabelled" in the basin masses)`,
    );
  // Spread at each minimum at the last time, vs OU.
  const last = uniqSteps.length - 1;
  const rmLast = rowMajor(run.snapshots, Md, last);
  const spread = minimaInfo.map((m, k) => {
    const r2: number[] = [];
    const devs: number[][] = [];
    const labels = snapLabels[last];
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== k) continue;
      const x = rmLast.subarray(j * d, (j + 1) * d);
      if (dist(x, m.x) > localR[k]) continue; // in transit or elsewhere in the basin
      r2.push(dist(x, m.x) ** 2);
      devs.push(Array.from(x, (v, i) => v - m.x[i]));
    }
    let particles: { value: number; ci95: [number, number]; count: number } | null = null;
    let kurtosis: { value: number; se: number; heavyTails: boolean } | null = null;
    if (r2.length >= 10) {
      const n = r2.length;
      const mean = r2.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(r2.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      const se = sd / Math.sqrt(n);
      particles = {
        value: Math.sqrt(mean),
        ci95: [Math.sqrt(Math.max(0, mean - 1.96 * se)), Math.sqrt(mean + 1.96 * se)],
        count: n,
      };
      // excess kurtosis along the coordinate of largest variance
      let best = 0;
      let bestVar = -1;
      for (let i = 0; i < d; i++) {
        const v = devs.reduce((a, q) => a + q[i] * q[i], 0);
        if (v > bestVar) {
          bestVar = v;
          best = i;
        }
      }
      const z = devs.map((q) => q[best]);
      const mu = z.reduce((a, b) => a + b, 0) / n;
      const m2 = z.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
      const m4 = z.reduce((a, b) => a + (b - mu) ** 4, 0) / n;
      if (m2 > 0) {
        const ex = m4 / (m2 * m2) - 3;
        const seK = Math.sqrt(24 / n);
        kurtosis = { value: ex, se: seK, heavyTails: ex > 1 + 3 * seK };
      }
    }
    return { minimum: k, ouSde: m.ou.sde, ouSgd: m.ou.sgd, particles, pde: null as number | null, kurtosis };
  });
  timings.particlesDrift = now() - t0;

  // Fokker–Planck on the same times.
  t0 = stage("fokker-planck");
  let pdeMass: number[][] | null = null;
  let entropy: AnalysisResult["longTime"]["entropy"] = null;
  let cloudsPde: Float64Array[] | null = null;
  const cloudIdx = [0, Math.min(2, last), Math.min(4, last), last].filter((v, i, a) => a.indexOf(v) === i);
  if (grid && gen0) {
    try {
      const g = grid;
      const nodeLabels = new Int32Array(g.size);
      const x = new Float64Array(d);
      for (let i = 0; i < g.size; i++) nodeLabels[i] = labelOf(nodeCoords(g, i, x));
      const p0 = initialDistribution(g, bounded ? { kind: "uniform" } : { kind: "point", x: p.start ?? [] });
      st = stationary(p, gen0, { init: p0 });
      let lam = 0;
      const Q = gen0.Q;
      for (let i = 0; i < Q.n; i++)
        for (let q = Q.rowPtr[i]; q < Q.rowPtr[i + 1]; q++)
          if (Q.colIdx[q] === i) lam = Math.max(lam, -Q.values[q]);
      const work = lam * tt[last] * Q.values.length;
      const useUnif = work < (quick ? 1e8 : 4e9);
      const fp = fokkerPlanck(gen0, p0, tt, {
        method: useUnif ? "uniformization" : "implicit-euler",
        dt: useUnif ? undefined : tt[last] / (quick ? (d === 1 ? 200 : 60) : d === 1 ? 1000 : 400),
        stationary: st.normalisable ? st.probabilities : null,
      });
      reasons.push(
        `Fokker–Planck: ${fp.method}${fp.dt ? `, step ${fmt(fp.dt)}` : ""} (${fp.matvecs} steps/mat-vecs)`,
      );
      pdeMass = fp.snapshots.map((snap) => {
        const m = new Array(nb + 1).fill(0);
        for (let i = 0; i < g.size; i++) {
          const l = nodeLabels[i];
          m[l >= 0 && l < nb ? l : nb] += snap.p[i];
        }
        return m;
      });
      const fin = fp.snapshots[fp.snapshots.length - 1];
      for (const s of spread) {
        const m = minimaInfo[s.minimum];
        let w = 0;
        let acc = 0;
        for (let i = 0; i < g.size; i++) {
          if (nodeLabels[i] !== s.minimum) continue;
          nodeCoords(g, i, x);
          const r = dist(x, m.x);
          if (r > localR[s.minimum]) continue;
          w += fin.p[i];
          acc += fin.p[i] * r * r;
        }
        s.pde = w > 1e-9 ? Math.sqrt(acc / w) : null;
      }
      cloudsPde = cloudIdx.map((s) => {
        const dens = new Float64Array(g.size);
        for (let i = 0; i < g.size; i++) dens[i] = fp.snapshots[s].p[i] / g.volume[i];
        return dens;
      });
      if (st.normalisable && st.probabilities) {
        const er = entropyDecay(p, g, gen0.Q, fp.snapshots, st.probabilities);
        entropy = {
          t: er.t,
          H: er.H,
          fittedRate: er.fittedRate,
          bakryEmeryRate: er.bakryEmeryRate,
          lambdaMin: er.lambdaMin,
        };
      }
    } catch (e) {
      notes.push(`Fokker–Planck / stationary law failed: ${(e as Error).message}`);
    }
  }
  timings.fokkerPlanck = now() - t0;

  const driftSentence = (() => {
    if (continuum) {
      const k = particleMass.findIndex((m) => m[0] >= 0.95);
      return `Starting ${lawText}, every point flows into one connected valley of minima (L = ${fmt(vmin, 4)}, ${minimaInfo[0].flatDirections} flat directions): ${
        k >= 0
          ? `95% of the SGD particles have excess loss below ${fmt(valleyTol)} by t = ${fmt(tt[k])} (${fmt(tt[k] / eta)} iterations)`
          : `after t = ${fmt(tt[last])} only ${fmt(100 * particleMass[last][0])}% of the SGD particles have excess loss below ${fmt(valleyTol)}`
      }. Which point of the valley is reached depends on the start: SGD does not move along the flat directions where every sample is already fitted.`;
    }
    const parts = dr.basins
      .filter((b) => b.mass > 0)
      .map(
        (b) =>
          `${fmt(100 * b.mass, 3)}% to minimum ${b.minimum} ${fmtPt(minima[b.minimum].x)}${Number.isFinite(b.time) ? ` (95% of it within r = ${fmt(radius)} by t = ${fmt(b.time)}, ${fmt(b.iterations)} iterations)` : ""}`,
      );
    const sp2 = spread
      .filter((s) => s.particles)
      .map(
        (s) =>
          `At minimum ${s.minimum} SGD fluctuates with spread ${fmt(s.particles?.value)} (OU: SGD ${fmt(s.ouSgd)}, SDE ${fmt(s.ouSde)}${s.pde !== null ? `; PDE ${fmt(s.pde)}` : ""})${s.kurtosis?.heavyTails ? ` — heavy tails (excess kurtosis ${fmt(s.kurtosis.value)})` : ""}`,
      );
    return `Starting ${lawText}, gradient flow sends ${parts.join(", ")}${dr.unlabelled > 0 ? ` and ${fmt(100 * dr.unlabelled)}% nowhere known` : ""}. ${sp2.length ? `${sp2.join("; ")}.` : ""}${divergedText}`;
  })();
  timings.drift = (timings.particlesDrift ?? 0) + (timings.fokkerPlanck ?? 0);

  // ── 4. Escapes ────────────────────────────────────────────────────────────
  t0 = stage("escapes");
  const setups: EscapeSetup[] = [];
  const repOf = new Set(classes.map((c) => c.representative));
  const nonGlobal = minimaInfo.filter((m) => !m.global && repOf.has(m.index));
  for (const m of minimaInfo)
    if (m.interpolating && m.global && minima.length > 1)
      notes.push(
        `minimum ${m.index} is interpolating (Σ = 0 there): SGD started at it never leaves, so no escape from it is simulated`,
      );
  let escapeFrom = nonGlobal.map((m) => m.index);
  if (
    escapeFrom.length === 0 &&
    minima.length > 1 &&
    saddles.length > 0 &&
    !(p.start && p.target) &&
    !minimaInfo[0].interpolating
  ) {
    escapeFrom = [0];
    notes.push("every minimum is global (equally deep): escape is analysed from minimum 0");
  }
  const maxEsc = quick ? 2 : 6;
  if (escapeFrom.length > maxEsc) {
    notes.push(`${escapeFrom.length} non-global minima; escapes analysed from the ${maxEsc} lowest`);
    escapeFrom = escapeFrom.slice(0, maxEsc);
  }
  if (p.start && p.target) {
    // The problem's own question first.
    const mi = minima.findIndex((m) => dist(m.x, p.start as number[]) <= 1e-3 * Math.max(1, radius));
    setups.push({
      label: "problem start",
      from: Array.from(p.start),
      fromMinimum: mi >= 0 ? mi : null,
      target: p.target,
      targetWhy: `the problem's target "${p.target}"`,
      etaLambdaMax: mi >= 0 ? eta * minimaInfo[mi].lambdaMax : Number.NaN,
    });
  }
  /** The MEP through the lowest saddle of minimum i, oriented to start at i (null when none). */
  const pathFrom = (i: number): EscapeSetup["path"] => {
    const cands = saddles.filter((z) => z.connects.includes(i) && z.connects[0] !== z.connects[1]);
    if (!cands.length) return null;
    const z = cands.reduce((b, c) => (c.value < b.value ? c : b));
    let pts = z.path.points;
    let vals = z.path.values;
    let si = z.path.saddleIndex;
    if (dist(pts[0], minima[i].x) > dist(pts[pts.length - 1], minima[i].x)) {
      pts = [...pts].reverse();
      vals = [...vals].reverse();
      si = pts.length - 1 - si;
    }
    return { points: pts, values: vals, saddleIndex: si };
  };
  for (const i of escapeFrom) {
    if (setups.some((s) => s.fromMinimum === i)) continue;
    const connected = saddles
      .filter((s) => s.connects.includes(i))
      .flatMap((s) => s.connects)
      .filter((j) => j !== i && j >= 0);
    const others = (
      connected.length ? [...new Set(connected)] : minima.map((_, j) => j).filter((j) => j !== i)
    ).sort((a, b) => a - b);
    if (others.length === 0) continue;
    const balls = others.map((j) => {
      const ds = [dist(minima[j].x, minima[i].x), ...saddles.map((s) => dist(minima[j].x, s.x))];
      const r = 0.5 * Math.min(...ds);
      return { j, r, expr: ballExpr(p.varNames, minima[j].x, r) };
    });
    setups.push({
      label: `minimum ${i}`,
      from: minima[i].x,
      fromMinimum: i,
      target: balls.map((b) => (balls.length > 1 ? `(${b.expr})` : b.expr)).join(" || "),
      targetWhy:
        balls.length <= 4
          ? `a ball of radius ${balls.map((b) => fmt(b.r)).join("/")} around ${balls.length > 1 ? "minima" : "minimum"} ${balls.map((b) => b.j).join(", ")}`
          : `balls around ${balls.length} other minima (radii ${fmt(Math.min(...balls.map((b) => b.r)))}–${fmt(Math.max(...balls.map((b) => b.r)))}, half the distance to the nearest other critical point)`,
      etaLambdaMax: eta * minimaInfo[i].lambdaMax,
      path: pathFrom(i),
    });
  }
  const escGrid = options.grid ?? (quick ? (d === 1 ? 401 : 81) : undefined);
  const escapes: EscapeResult[] = [];
  for (const [k, s] of setups.entries())
    escapes.push(
      await analyseEscape(p, s, {
        particles: M,
        seed: seed + 100 + k,
        budget,
        grid: escGrid,
        pde: gridOk,
        fallbackHorizon: Tlong,
        landscape: { minima, saddles },
        runner: options.runner,
        onProgress: options.onProgress
          ? (label, done, total) => options.onProgress?.(`${s.label}: ${label}`, done, total)
          : undefined,
      }),
    );
  timings.escapes = now() - t0;

  // ── 5. Long-time verdict ──────────────────────────────────────────────────
  t0 = stage("long-time verdict");
  const exitTimes = minimaInfo.map((m) => {
    const e = escapes.find((x) => x.fromMinimum === m.index && x.label !== "problem start");
    if (e?.best.time !== null && e?.best.time !== undefined) return e.best.time;
    return m.kramers.time;
  });
  const forVerdict = minima.map((m, i) => ({
    ...m,
    eigenvalues: [minimaInfo[i].lambdaMin, ...m.eigenvalues.slice(1)],
  }));
  const verdict = verdictFromLandscape(p, forVerdict, {
    exitTimes,
    spectralGap: sp?.gap ?? undefined,
    entropyRate: entropy?.fittedRate ?? undefined,
    horizon: Tlong,
    confining: bounded ? true : undefined,
  });
  if (!bounded)
    verdict.assumptions.push("the state space is unbounded: confinement assumed from the loss's growth");
  const finalMass = particleMass[particleMass.length - 1];
  let longSentence = verdict.sentence;
  if (nDiv > 0.05 * Md)
    longSentence = `Discrete SGD does not converge here: ${fmt((100 * nDiv) / Md)}% of the SGD particles diverged within t = ${fmt(tt[last])} (${fmt(tt[last] / eta)} iterations), a failure the SDE cannot show. For the SDE: ${verdict.sentence}`;
  if (st) longSentence += ` The stationary law of the PDE generator: ${st.message}.`;
  if (sp?.gap)
    longSentence += ` Spectral gap ${fmt(sp.gap)} per unit SDE time (relaxation time ${fmt(1 / sp.gap)} = ${fmt(1 / sp.gap / eta)} iterations).`;
  if (entropy?.fittedRate)
    longSentence += ` Relative entropy decays at the fitted rate ${fmt(entropy.fittedRate)}${entropy.bakryEmeryRate ? ` (Bakry–Émery bound 2λ = ${fmt(entropy.bakryEmeryRate)})` : ""}.`;
  longSentence += ` After t = ${fmt(tt[last])} (${fmt(tt[last] / eta)} iterations) the SGD particles sit ${finalMass
    .slice(0, nb)
    .map((f, k) => `${fmt(100 * f, 3)}% in basin ${k}`)
    .join(", ")}.`;
  timings.verdict = now() - t0;

  // Fields for figures.
  let lossField: AnalysisFields["loss"] = null;
  if (gridOk) {
    const n = d === 1 ? 401 : 81;
    const axes = p.domain.map(([lo, hi]) =>
      Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)),
    );
    const vals = new Float64Array(d === 1 ? n : n * n);
    const x = new Float64Array(d);
    for (let q = 0; q < vals.length; q++) {
      x[0] = axes[0][q % n];
      if (d === 2) x[1] = axes[1][Math.floor(q / n)];
      vals[q] = p.loss.value(x);
    }
    lossField = { axes, values: vals };
  }
  let projection: AnalysisFields["projection"] = null;
  const dimShown = Math.min(d, 2);
  let clouds: Float64Array[];
  if (d > 2) {
    const a = minima[0].x;
    const b = minima.length > 1 ? minima[1].x : a.map((v) => v + 1);
    const dir = b.map((v, i) => v - a[i]);
    const nd = Math.hypot(...dir) || 1;
    projection = {
      direction: dir.map((v) => v / nd),
      origin: a,
      label:
        minima.length > 1
          ? "coordinate along the line from minimum 0 to minimum 1"
          : "coordinate along a fixed direction",
    };
    clouds = cloudIdx.map((s) => {
      const rm = rowMajor(run.snapshots, Md, s);
      const out = new Float64Array(Md);
      for (let j = 0; j < Md; j++) {
        let v = 0;
        for (let i = 0; i < d; i++)
          v += (rm[j * d + i] - a[i]) * (projection as { direction: number[] }).direction[i];
        out[j] = v;
      }
      return out;
    });
  } else {
    clouds = cloudIdx.map((s) => {
      const rm = rowMajor(run.snapshots, Md, s);
      return rm;
    });
  }

  const escapeAnswer = escapes.length
    ? escapes.map((e) => e.sentence).join(" ")
    : minima.length < 2
      ? "There is a single minimum (or one connected set of minima): there is no bad minimum to escape from."
      : "No saddle between the minima was found, so no escape was analysed.";
  return {
    problem: {
      name: p.name,
      description: p.description,
      dim: d,
      variables: [...p.varNames],
      lr: eta,
      batch: p.batch,
      batchScale: p.batchScale,
      replacement: p.replacement,
      delta: p.delta,
      noise: p.noise.kind,
      samples: p.loss.finiteSum?.n ?? null,
      domain: p.domain.map(([lo, hi]) => [lo, hi]),
    },
    mode: quick ? "quick" : "full",
    settings: {
      seed,
      particles: M,
      driftParticles: Md,
      sdeDtOverEta: dtFraction,
      stepBudget: budget,
      grid: gridInfo,
      escapeGrid: gridOk ? (escGrid ?? "auto") : null,
      initialLaw: lawText,
      captureRadius: radius,
      driftHorizon: T1,
      longHorizon: tt[last],
      reasons,
    },
    notes,
    landscape: {
      minima: minimaInfo,
      saddles: saddles.map((s) => ({
        x: s.x,
        value: s.value,
        lambda1: s.eigenvalues[0],
        connects: s.connects,
        path: { points: s.path.points, values: s.path.values, arcLength: s.path.arcLength },
      })),
      barriers: (sr?.barriers ?? []).map((b) => ({
        from: b.from,
        to: b.to,
        saddle: b.saddle,
        height: b.height,
      })),
      continuum,
      log,
    },
    drift: {
      times: tt,
      iterations: tt.map((t) => t / eta),
      particleMass,
      particleMassHalfWidth: halfWidth,
      pdeMass,
      basins: dr.basins.map((b) => ({
        minimum: b.minimum,
        mass: b.mass,
        time: b.time,
        iterations: b.iterations,
        radius,
        radiusBelowSpread: b.radiusBelowSpread,
      })),
      spread,
      sentence: driftSentence,
    },
    escapes,
    longTime: {
      verdict,
      stationary: st
        ? {
            normalisable: st.normalisable,
            message: st.message,
            pointMasses: st.pointMasses.map((m) => ({ x: m.x, fraction: m.fraction })),
          }
        : null,
      spectral: sp
        ? {
            gap: sp.gap,
            relaxationTime: sp.gap ? 1 / sp.gap : null,
            eigenvalues: sp.re,
            converged: sp.converged,
          }
        : null,
      entropy,
      finalMass,
      sentence: longSentence,
    },
    answers: { drift: driftSentence, escape: escapeAnswer, convergence: longSentence },
    timings,
    fields: {
      loss: lossField,
      clouds: { t: cloudIdx.map((s) => tt[s]), particles: clouds, pde: cloudsPde, dimShown },
      projection,
      pdeGrid: grid
        ? {
            axes: Array.from({ length: d }, (_, k) =>
              Array.from({ length: grid!.shape[k] }, (_, i) => grid!.lo[k] + i * grid!.h[k]),
            ),
          }
        : null,
    },
  };
}
