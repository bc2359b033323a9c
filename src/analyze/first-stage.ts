/**
 * analyze, stage 2 — the first stage of training (the paper's drift regime) and the run that carries on into the
 * long-time regime: from an initial law spread over the basins, the gradient-flow mass split and concentration
 * times, one SGD ensemble with snapshots (basin masses with binomial intervals, divergence), the spread at each
 * minimum against the OU predictions — only once the horizon is past that basin's concentration time — and the
 * Fokker–Planck law at the same times on the grid (d ≤ 2).
 */

import { formatNumber as fmt, formatPoint as fmtPt } from "../analysis/format.js";
import { projectOnto, spreadAround } from "../analysis/moments.js";
import type { InitialLaw as ParticleLaw } from "../dynamics/initial.js";
import { simulate } from "../dynamics/simulate.js";
import { basinLabelAt, driftRegime, labelSamples } from "../landscape/index.js";
import {
  type EntropyReport,
  entropyDecay,
  fokkerPlanck,
  initialDistribution,
  nodeCoords,
  type StationaryResult,
} from "../pde/index.js";
import type { Problem } from "../problem/types.js";
import { Interrupted } from "../stop.js";
import type { GridStage } from "./grid-stage.js";
import type { LandscapeStage } from "./landscape-stage.js";
import { type AnalyzePolicy, longHorizon, type TimeScale } from "./policy.js";

export interface SpreadAtMinimum {
  minimum: number;
  ouSde: number;
  ouSgd: number;
  /** RMS distance of the SGD particles near the minimum at the last snapshot, with its 95% interval. */
  particles: { value: number; ci95: [number, number]; count: number } | null;
  /** The same from the Fokker–Planck law at that time. */
  pde: number | null;
  kurtosis: { value: number; se: number; heavyTails: boolean } | null;
  /** The last snapshot is past this basin's concentration time: the spread is the equilibrium fluctuation. */
  equilibrium: boolean;
  /** Why not, when it is not. */
  why: string | null;
}

export interface FirstStage {
  initialLaw: string;
  captureRadius: number;
  driftHorizon: number;
  longHorizon: number;
  longScale: TimeScale;
  /** Snapshot times (SDE time). */
  times: number[];
  /** Basin masses over time (rows: times; columns: minima + "unlabelled"), with binomial 95% half-widths. */
  particleMass: number[][];
  particleMassHalfWidth: number[][];
  pdeMass: number[][] | null;
  basins: {
    minimum: number;
    mass: number;
    time: number;
    iterations: number;
    radius: number;
    radiusBelowSpread: boolean;
  }[];
  /** Mass of the gradient-flow split that reached no known minimum. */
  unlabelled: number;
  spread: SpreadAtMinimum[];
  /** SGD particles that diverged (|x_i| beyond `bound` or non-finite) by the last snapshot. */
  diverged: { count: number; of: number; bound: number };
  /** One connected valley of minima: the excess-loss threshold for "in the valley" and when 95% got there. */
  valley: { tolerance: number; reachedAt: number | null; finalFraction: number } | null;
  entropy: EntropyReport | null;
  /** Particle snapshots shown as clouds (first ≤ 2 coordinates, or the projection for d > 2) and PDE densities. */
  clouds: { t: number[]; particles: Float64Array[]; pde: Float64Array[] | null; dimShown: number };
  projection: { direction: number[]; origin: number[]; label: string } | null;
  reasons: string[];
  notes: string[];
}

function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

export function firstStage(
  p: Problem,
  pol: AnalyzePolicy,
  land: LandscapeStage,
  gs: GridStage | null,
  stationaryLaw: StationaryResult | null,
): FirstStage {
  const d = p.dim;
  const eta = p.lr;
  const Md = pol.driftParticles;
  const { minima, saddles, info } = land;
  const reasons: string[] = [];
  const notes: string[] = [];
  const bounded = p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
  let law: ParticleLaw;
  let lawText: string;
  if (bounded) {
    law = { kind: "uniform", box: p.domain.map(([lo, hi]) => [lo, hi] as const) };
    lawText = `uniform on the domain ${p.domain.map(([lo, hi]) => `[${lo}, ${hi}]`).join("×")}`;
  } else {
    const c = p.start ? Array.from(p.start) : new Array(d).fill(0);
    law = { kind: "gaussian", mean: c, std: new Array(d).fill(0.5) };
    lawText = `Gaussian around the model's initial point ${fmtPt(c)} with standard deviation 0.5 per coordinate`;
  }
  reasons.push(`initial law: ${lawText} (spreads mass over the basins so the first stage shows the split)`);
  const init0 = simulate(p, {
    dynamics: "gd",
    particles: Md,
    steps: 0,
    seed: pol.seed + 7,
    init: law,
    snapshotSteps: [0],
  });
  const rowMajor = (snap: Float64Array, m: number, s: number): Float64Array => {
    const out = new Float64Array(m * d);
    for (let j = 0; j < m; j++) for (let i = 0; i < d; i++) out[j * d + i] = snap[(s * d + i) * m + j];
    return out;
  };
  const samples0 = rowMajor(init0.snapshots, Md, 0);
  const nFlow = pol.flowSamples;
  if (d > 2)
    reasons.push(
      `gradient-flow mass split from ${nFlow} samples of the initial law (each flow is a stiff ODE solve in d = ${d})`,
    );
  // capture radius: between 2× the largest OU spread and 0.45× the smallest minimum–minimum/saddle distance
  const seps: number[] = [];
  for (let i = 0; i < minima.length; i++) {
    for (let j = i + 1; j < minima.length; j++) seps.push(dist(minima[i].x, minima[j].x));
    for (const s of saddles) seps.push(dist(minima[i].x, s.x));
  }
  const minSep = seps.length ? Math.min(...seps) : Number.NaN;
  const maxOu = Math.max(0, ...info.map((m) => (Number.isFinite(m.ou.sgd) ? m.ou.sgd : m.ou.sde)));
  const scaleBox = bounded ? Math.max(...p.domain.map(([lo, hi]) => hi - lo)) : 1;
  let radius = Number.isFinite(minSep)
    ? Math.min(0.45 * minSep, Math.max(2 * maxOu, 0.15 * minSep))
    : Math.max(2 * maxOu, 0.05 * scaleBox);
  if (!(radius > 0)) radius = 0.05 * scaleBox;
  reasons.push(
    `capture radius r = ${fmt(radius)}: ${Number.isFinite(minSep) ? "between 2× the largest OU spread and 0.45× the smallest minimum–minimum/saddle distance" : "2× the largest OU spread (one minimum)"}`,
  );
  const dr = driftRegime(p, samples0.subarray(0, nFlow * d), minima, { radius, saddles });
  // horizons: the drift horizon from the concentration times; the long one from a trustworthy time scale
  const T1raw = Math.max(...dr.basins.map((b) => (Number.isFinite(b.time) ? b.time : 0)));
  const cap = (pol.driftBudget / Md) * eta;
  let T1 = Math.max(T1raw > 0 ? 1.5 * T1raw : 20 * eta, 10 * eta);
  if (T1 > cap / 2) {
    reasons.push(`drift horizon ${fmt(T1)} cut to ${fmt(cap / 2)} by the particle-step budget`);
    T1 = Math.max(cap / 2, 4 * eta);
  }
  const sp = gs?.spectral ?? null;
  const lh = longHorizon(
    sp?.gap ? { value: sp.gap, unique: gs?.gapIsRelaxationRate ?? false } : null,
    info.map((m) => m.kramers.time),
    T1,
    cap,
  );
  const Tlong = lh.horizon;
  if (lh.capped) reasons.push(`long horizon cut to ${fmt(cap)} by the particle-step budget`);
  reasons.push(
    `drift horizon ${fmt(T1)} (1.5× the gradient-flow concentration time); long horizon ${fmt(Tlong)} (${lh.scale.why})`,
  );
  if (!lh.scale.trusted)
    notes.push(
      `the long-time horizon ${fmt(Tlong)} (SDE time) does not come from a measured relaxation time of the whole law (${lh.scale.why}); the final basin masses are what SGD does by then, not necessarily its limit`,
    );
  const times = [0, T1 / 8, T1 / 4, T1 / 2, T1];
  for (let k = 1; k <= 6; k++) times.push(T1 * (Tlong / T1) ** (k / 6));
  const uniqSteps = [...new Set(times.map((t) => Math.round(t / eta)))].sort((a, b) => a - b);
  const tt = uniqSteps.map((s) => s * eta);
  const run = simulate(p, {
    dynamics: "sgd",
    particles: Md,
    steps: uniqSteps[uniqSteps.length - 1],
    seed: pol.seed + 11,
    init: law,
    snapshotSteps: uniqSteps,
  });
  const nb = minima.length;
  const localR = info.map((m) => {
    const ds = [
      ...info.filter((o) => o.index !== m.index).map((o) => dist(o.x, m.x)),
      ...saddles.map((z) => dist(z.x, m.x)),
    ];
    return ds.length ? 0.9 * Math.min(...ds) : Number.POSITIVE_INFINITY;
  });
  const vmin = minima[0].value;
  let valleyTol = 0;
  if (land.continuum) {
    const x = new Float64Array(d);
    const ex: number[] = [];
    for (let j = 0; j < Math.min(Md, 200); j++) {
      for (let i = 0; i < d; i++) x[i] = samples0[j * d + i];
      ex.push(p.loss.value(x) - vmin);
    }
    ex.sort((a, b) => a - b);
    valleyTol = 1e-3 * Math.max(ex[ex.length >> 1], 1e-300);
  }
  const particleMass: number[][] = [];
  const halfWidth: number[][] = [];
  const snapLabels: Int32Array[] = [];
  const x = new Float64Array(d);
  for (let s = 0; s < uniqSteps.length; s++) {
    const rm = rowMajor(run.snapshots, Md, s);
    let labels: Int32Array;
    if (land.continuum) {
      // one connected set of minima: "in the valley" = L within the tolerance of the minimum value
      labels = new Int32Array(Md);
      for (let j = 0; j < Md; j++) {
        for (let i = 0; i < d; i++) x[i] = rm[j * d + i];
        labels[j] = p.loss.value(x) - vmin <= valleyTol ? 0 : -1;
      }
    } else if (land.basinGrid) {
      labels = new Int32Array(Md);
      for (let j = 0; j < Md; j++) {
        for (let i = 0; i < d; i++) x[i] = rm[j * d + i];
        labels[j] = x.every(Number.isFinite) ? basinLabelAt(land.basinGrid, x) : -1;
      }
    } else if (d <= 2) {
      // diverged particles (beyond the divergence bound or non-finite) are in no basin: following the
      // gradient flow from x = 1e100 would never end
      const n = Math.min(pol.labelSamples, Md);
      const keep: number[] = [];
      for (let j = 0; j < n; j++) {
        let ok = true;
        for (let i = 0; i < d; i++) {
          const v = rm[j * d + i];
          if (!(Math.abs(v) <= run.bound)) ok = false;
        }
        if (ok) keep.push(j);
      }
      labels = new Int32Array(n).fill(-1);
      if (keep.length > 0) {
        const pts = new Float64Array(keep.length * d);
        keep.forEach((j, q) => {
          for (let i = 0; i < d; i++) pts[q * d + i] = rm[j * d + i];
        });
        const got = labelSamples(p, pts, minima, { saddles }).labels;
        keep.forEach((j, q) => {
          labels[j] = got[q];
        });
      }
    } else {
      // d > 2: the nearest minimum when within 0.9× its distance to the nearest other critical point, else "in transit"
      labels = new Int32Array(Md);
      for (let j = 0; j < Md; j++) {
        const xj = rm.subarray(j * d, (j + 1) * d);
        let best = -1;
        let bd = Number.POSITIVE_INFINITY;
        for (let k = 0; k < minima.length; k++) {
          const dk = dist(xj, minima[k].x);
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
  if (nDiv)
    notes.push(
      `${nDiv} of ${Md} SGD particles of the first-stage run diverged (counted as "unlabelled" in the basin masses)`,
    );
  // spread at each minimum at the last time, vs OU — an equilibrium fluctuation only after the concentration time
  const last = uniqSteps.length - 1;
  const rmLast = rowMajor(run.snapshots, Md, last);
  const tLast = tt[last];
  const spread: SpreadAtMinimum[] = info.map((m, k) => {
    const near: number[] = [];
    const labels = snapLabels[last];
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== k) continue;
      const xj = rmLast.subarray(j * d, (j + 1) * d);
      if (dist(xj, m.x) > localR[k]) continue; // in transit or elsewhere in the basin
      for (let i = 0; i < d; i++) near.push(xj[i]);
    }
    const sp2 = spreadAround(near, d, m.x);
    const conc = dr.basins.find((b) => b.minimum === k)?.time ?? Number.NaN;
    const equilibrium = !(Number.isFinite(conc) && tLast < conc);
    return {
      minimum: k,
      ouSde: m.ou.sde,
      ouSgd: m.ou.sgd,
      particles: sp2 ? { value: sp2.rms, ci95: sp2.ci95, count: sp2.count } : null,
      pde: null,
      kurtosis: sp2?.kurtosis ?? null,
      equilibrium,
      why: equilibrium
        ? null
        : `the horizon ${fmt(tLast)} is shorter than the concentration time ${fmt(conc)} of this basin: a transient spread, not the equilibrium fluctuation`,
    };
  });
  // Fokker–Planck on the same times (d ≤ 2)
  let pdeMass: number[][] | null = null;
  let entropy: EntropyReport | null = null;
  let cloudsPde: Float64Array[] | null = null;
  const cloudIdx = [0, Math.min(2, last), Math.min(4, last), last].filter((v, i, a) => a.indexOf(v) === i);
  if (gs?.generator) {
    try {
      const g = gs.grid;
      const gen = gs.generator;
      const nodeLabels = new Int32Array(g.size);
      for (let i = 0; i < g.size; i++)
        nodeLabels[i] = land.basinGrid ? basinLabelAt(land.basinGrid, nodeCoords(g, i, x)) : -1;
      const p0 = initialDistribution(g, { kind: "uniform" });
      let lam = 0;
      const Q = gen.Q;
      for (let i = 0; i < Q.n; i++)
        for (let q = Q.rowPtr[i]; q < Q.rowPtr[i + 1]; q++)
          if (Q.colIdx[q] === i) lam = Math.max(lam, -Q.values[q]);
      const useUnif = lam * tLast * Q.values.length < pol.uniformizationWork;
      const fp = fokkerPlanck(gen, p0, tt, {
        method: useUnif ? "uniformization" : "implicit-euler",
        dt: useUnif ? undefined : tLast / pol.implicitSteps,
        stationary: stationaryLaw?.normalisable ? stationaryLaw.probabilities : null,
      });
      // Ctrl-C during the evolution: the curves would stop part-way, so none are shown
      if (fp.interrupted) throw new Interrupted("the Fokker–Planck evolution of the first stage");
      reasons.push(
        `Fokker–Planck: ${fp.method}${fp.dt ? `, step ${fmt(fp.dt)}` : ""} (${fp.matvecs} steps/mat-vecs)`,
      );
      pdeMass = fp.snapshots.map((snap) => {
        const mm = new Array(nb + 1).fill(0);
        for (let i = 0; i < g.size; i++) {
          const l = nodeLabels[i];
          mm[l >= 0 && l < nb ? l : nb] += snap.p[i];
        }
        return mm;
      });
      const fin = fp.snapshots[fp.snapshots.length - 1];
      for (const s of spread) {
        const m = info[s.minimum];
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
      if (stationaryLaw?.normalisable && stationaryLaw.probabilities)
        entropy = entropyDecay(p, g, gen.Q, fp.snapshots, stationaryLaw.probabilities);
    } catch (e) {
      notes.push(
        e instanceof Interrupted
          ? `${e.message} (Ctrl-C): the Fokker–Planck curves and densities are left out`
          : `Fokker–Planck / stationary law failed: ${(e as Error).message}`,
      );
    }
  }
  // clouds: the first ≤ 2 coordinates, or d > 2 the coordinate along the line from minimum 0 to minimum 1
  let projection: FirstStage["projection"] = null;
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
    const pr = projection;
    clouds = cloudIdx.map((s) => projectOnto(rowMajor(run.snapshots, Md, s), d, pr.origin, pr.direction));
  } else clouds = cloudIdx.map((s) => rowMajor(run.snapshots, Md, s));
  const reached = land.continuum ? particleMass.findIndex((mm) => mm[0] >= 0.95) : -1;
  return {
    initialLaw: lawText,
    captureRadius: radius,
    driftHorizon: T1,
    longHorizon: tLast,
    longScale: lh.scale,
    times: tt,
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
    unlabelled: dr.unlabelled,
    spread,
    diverged: { count: nDiv, of: Md, bound: run.bound },
    valley: land.continuum
      ? {
          tolerance: valleyTol,
          reachedAt: reached >= 0 ? tt[reached] : null,
          finalFraction: particleMass[last][0],
        }
      : null,
    entropy,
    clouds: { t: cloudIdx.map((s) => tt[s]), particles: clouds, pde: cloudsPde, dimShown: Math.min(d, 2) },
    projection,
    reasons,
    notes,
  };
}
