/**
 * The drift regime (DESIGN.md, paper's first regime): for an initial law given as samples, the
 * noise-free gradient flow ẋ = −∇L carries each sample to a minimum. Reported per basin:
 * the mass, the SDE time by which a fraction 1 − δ of the basin's mass lies within distance r of
 * its minimum (the gradient-flow entry time, last entry into the ball), in iterations t/η as well,
 * and the OU spread predicted there (ou.ts) — the size the noise will keep the cloud at.
 */
import type { CriticalPoint } from "./critical-points.js";
import { captureRadii, gradientFlow } from "./flow.js";
import { type OuCovariance, ouCovariance } from "./ou.js";
import { boxScale, type LandscapeProblem, pointsScale } from "./util.js";

export interface DriftRegimeOptions {
  /** Radius r of the ball around each minimum (parameter units). */
  radius: number;
  /** Fraction δ of a basin's mass allowed outside the ball (default 0.05). */
  fraction?: number;
  /** Sample weights (default equal). */
  weights?: ArrayLike<number>;
  /** Saddles, to keep capture balls off them. */
  saddles?: { x: ArrayLike<number> }[];
  /** Flow integration tolerance (relative; absolute in units of the domain diameter). Default 1e-8. */
  rtol?: number;
}

export interface BasinDrift {
  minimum: number;
  /** Weighted mass fraction of the samples flowing to this minimum. */
  mass: number;
  count: number;
  /** SDE time by which a fraction 1 − δ of this basin's mass is within r of the minimum (NaN if empty). */
  time: number;
  iterations: number;
  /** OU prediction at this minimum; `spread` = √tr S (SDE), `spreadSgd` = √tr S (discrete SGD). */
  ou: OuCovariance;
  spread: number;
  spreadSgd: number;
  /** True when the predicted spread √tr S exceeds r: the ball is too small to ever hold 1 − δ of the mass once noise acts. */
  radiusBelowSpread: boolean;
}

export interface DriftRegime {
  basins: BasinDrift[];
  /** Mass that reached no known minimum (stalled on a saddle's stable manifold or ran out of steps). */
  unlabelled: number;
  radius: number;
  fraction: number;
  /** Per-sample labels and entry times (SDE time). */
  labels: Int32Array;
  entryTimes: Float64Array;
}

/** Weighted quantile q of values (with weights), NaN for an empty set. */
function weightedQuantile(values: number[], weights: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const idx = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (const i of idx) {
    acc += weights[i];
    if (acc >= q * total * (1 - 1e-12)) return values[i];
  }
  return values[idx[idx.length - 1]];
}

/** Drift-regime summary for samples (row-major count × d) and minima from findMinima. */
export function driftRegime(
  p: LandscapeProblem,
  samples: ArrayLike<number>,
  minima: CriticalPoint[],
  opts: DriftRegimeOptions,
): DriftRegime {
  const d = p.dim;
  const eta = p.lr;
  const fraction = opts.fraction ?? 0.05;
  const count = Math.floor(samples.length / d);
  const centres = minima.map((m) => m.x);
  const radii = captureRadii(
    centres,
    (opts.saddles ?? []).map((s) => s.x),
  );
  const scale = boxScale(p.domain, pointsScale(centres));
  const labels = new Int32Array(count);
  const entryTimes = new Float64Array(count);
  const x = new Float64Array(d);
  const perBasin: { t: number[]; w: number[] }[] = minima.map(() => ({ t: [], w: [] }));
  let wsum = 0;
  let lost = 0;
  for (let j = 0; j < count; j++) {
    for (let i = 0; i < d; i++) x[i] = samples[j * d + i];
    const r = gradientFlow(
      p.loss,
      x,
      { centres, radii },
      { lengthScale: scale, untilRadius: opts.radius, rtol: opts.rtol ?? 1e-8, maxSteps: 200000 },
    );
    labels[j] = r.label;
    // Step budget exhausted (L-BFGS finished the descent): the entry time is only known to be late.
    entryTimes[j] = r.descentFallback ? Number.POSITIVE_INFINITY : r.entryTime;
    const w = opts.weights ? opts.weights[j] : 1;
    wsum += w;
    if (r.label >= 0) {
      perBasin[r.label].t.push(entryTimes[j]);
      perBasin[r.label].w.push(w);
    } else lost += w;
  }
  const basins: BasinDrift[] = minima.map((m, k) => {
    const mass = perBasin[k].w.reduce((a, b) => a + b, 0) / (wsum || 1);
    const time = weightedQuantile(perBasin[k].t, perBasin[k].w, 1 - fraction);
    const ou = ouCovariance(p, m.x);
    const spread = Math.sqrt(Math.max(0, ou.sde.trace));
    return {
      minimum: k,
      mass,
      count: perBasin[k].t.length,
      time,
      iterations: time / eta,
      ou,
      spread,
      spreadSgd: Math.sqrt(Math.max(0, ou.sgd.trace)),
      radiusBelowSpread: spread > opts.radius,
    };
  });
  return { basins, unlabelled: lost / (wsum || 1), radius: opts.radius, fraction, labels, entryTimes };
}

/**
 * Mass per basin of a nodal law (e.g. Fokker–Planck probabilities on the PDE grid) given the basin
 * label of each node (labelGrid on the same nodes). Returns fractions; last entry: unlabelled nodes.
 */
export function massByBasin(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  basins: number,
): number[] {
  const m = new Array<number>(basins + 1).fill(0);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = probabilities[i];
    total += w;
    const l = labels[i];
    m[l >= 0 && l < basins ? l : basins] += w;
  }
  return m.map((v) => v / (total || 1));
}

/**
 * Sample covariance (row-major d×d, divisor n − 1) of the samples (count × d) that lie in one
 * basin (labels[j] === basin), about their own mean — to put beside the OU prediction S.
 */
export function basinCovariance(
  samples: ArrayLike<number>,
  d: number,
  labels: ArrayLike<number>,
  basin: number,
): { count: number; mean: number[]; covariance: number[] } {
  const count = Math.floor(samples.length / d);
  const mean = new Array<number>(d).fill(0);
  let n = 0;
  for (let j = 0; j < count; j++) {
    if (labels[j] !== basin) continue;
    n++;
    for (let i = 0; i < d; i++) mean[i] += samples[j * d + i];
  }
  for (let i = 0; i < d; i++) mean[i] /= n || 1;
  const cov = new Array<number>(d * d).fill(0);
  for (let j = 0; j < count; j++) {
    if (labels[j] !== basin) continue;
    for (let a = 0; a < d; a++) {
      const da = samples[j * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += da * (samples[j * d + b] - mean[b]);
    }
  }
  for (let k = 0; k < d * d; k++) cov[k] /= Math.max(1, n - 1);
  return { count: n, mean, covariance: cov };
}
