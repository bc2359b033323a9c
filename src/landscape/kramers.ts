/**
 * Eyring–Kramers predictions of the mean exit time from a minimum m over an index-1 saddle z,
 * for the order-1 SDE dX = −∇L dt + A^{1/2} dW with A = η Σ_B + 2δ I (DESIGN.md §1). All times
 * are SDE time t; iterations = t/η.
 *
 * Cases, each with the assumptions stated in the output:
 * - isotropic constant noise A = 2εI:  E τ ≈ (2π/|λ₁(z)|) √(|det H_z| / det H_m) · exp((L(z)−L(m))/ε);
 * - constant anisotropic A: the generator −∇L·∇ + ½A:∇² is reversible iff A⁻¹∇L is a gradient,
 *   i.e. iff ∇²L(x) commutes with A at every x. Then, with y = (A/2)^{-1/2}x, the process is an
 *   isotropic Langevin diffusion (ε = 1) in the potential U with ∇U = 2A⁻¹∇L, and ∇²_yU is similar to
 *   ∇²L (C^{-1/2} H C^{1/2} with C = A/2), so  E τ ≈ (2π/|λ₁(z)|) √(|det H_z|/det H_m) · exp(ΔU),
 *   ΔU = ∫_m^z 2A⁻¹∇L·dx (path independent). When the commutator does not vanish the drift is
 *   not reversible: no closed formula, reported "not applicable";
 * - state-dependent noise in 1-D: scale density s = exp(ψ), ψ = ∫2L'/A (DESIGN.md §1); Laplace's
 *   method on the exact double integral gives E τ ≈ 2π/√(L''(m)|L''(z)|) · √(A(z)/A(m)) · exp(Φ) with
 *   the quasi-potential exponent Φ = ∫_m^z 2L'/A dx;
 * - A(m) = 0 (an interpolating minimum without Noisy-SGD δ): for smooth Σ ≥ 0 it vanishes at least
 *   quadratically, the speed measure is not integrable at m and the MET is infinite;
 * - A(m) singular but ≠ 0 (rank-deficient noise), or state-dependent noise for d > 1: not applicable.
 * "Over the saddle" is the transition time to the other basin; first hitting the saddle takes
 * about half of it (the outer Laplace integral is cut at its centre).
 */

import { solveDense, symmetricEigen } from "../linalg/dense.js";
import type { CriticalPoint } from "./critical-points.js";
import { diffusionAt, type LandscapeProblem } from "./util.js";

export interface KramersPrediction {
  method: "kramers";
  /** Mean time (SDE time) to cross the saddle into the next basin; Infinity or NaN when it does not apply. */
  time: number;
  /** time / η. */
  iterations: number;
  /** Mean time to first hit the saddle: ≈ time/2. */
  toSaddle: { time: number; iterations: number };
  applicable: boolean;
  why: string;
  /** The regime used. */
  regime:
    | "isotropic"
    | "anisotropic-reversible"
    | "anisotropic-nonreversible"
    | "quasi-potential-1d"
    | "degenerate"
    | "state-dependent";
  /** Arrhenius exponent: ΔL/ε, ΔU or Φ (dimensionless). */
  exponent: number;
  /** Prefactor (SDE time) multiplying exp(exponent). */
  prefactor: number;
  /** ε with A = 2εI (isotropic case). */
  epsilon?: number;
  /** L(z) − L(m). */
  barrier: number;
  /** True when the mean exit time is +∞ (degenerate noise at the minimum). */
  infinite?: boolean;
}

const TWO_PI = 2 * Math.PI;

function relOffScalar(A: Float64Array, d: number): number {
  let tr = 0;
  for (let i = 0; i < d; i++) tr += A[i * d + i];
  const c = tr / d;
  let off = 0;
  let nrm = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = A[i * d + j] - (i === j ? c : 0);
      off += v * v;
      nrm += A[i * d + j] ** 2;
    }
  }
  return Math.sqrt(off / Math.max(nrm, 1e-300));
}

/** ‖HA − AH‖_F / (‖H‖_F ‖A‖_F). */
function commutator(H: Float64Array, A: Float64Array, d: number): number {
  let c = 0;
  let nh = 0;
  let na = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += H[i * d + k] * A[k * d + j] - A[i * d + k] * H[k * d + j];
      c += s * s;
      nh += H[i * d + j] ** 2;
      na += A[i * d + j] ** 2;
    }
  }
  return Math.sqrt(c / Math.max(nh * na, 1e-300));
}

// 5-point Gauss–Legendre on [0,1].
const GL_X = [0.04691007703066802, 0.23076534494715845, 0.5, 0.7692346550528415, 0.9530899229693319];
const GL_W = [
  0.11846344252809454, 0.23931433524968324, 0.28444444444444444, 0.23931433524968324, 0.11846344252809454,
];

/**
 * ∫ f(x(s))·ẋ(s) ds along the straight segment a → b with composite Gauss–Legendre (panels × 5
 * nodes), where f(x, out) writes a vector field into out.
 */
function lineIntegral(
  d: number,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  field: (x: Float64Array, out: Float64Array) => void,
  panels = 200,
): number {
  const x = new Float64Array(d);
  const v = new Float64Array(d);
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    for (let q = 0; q < 5; q++) {
      const s = (p + GL_X[q]) / panels;
      for (let i = 0; i < d; i++) x[i] = a[i] + s * (b[i] - a[i]);
      field(x, v);
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * (b[i] - a[i]);
      sum += (GL_W[q] / panels) * dot;
    }
  }
  return sum;
}

function product(values: number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

export interface KramersOptions {
  /** Relative tolerance for "A is scalar" and for the commutator test (default 1e-8). */
  tol?: number;
  /** Below this exponent the asymptotic formula is flagged not applicable (default 1). */
  minExponent?: number;
}

/**
 * Eyring–Kramers mean exit time from minimum m over saddle z (critical points from findMinima /
 * findSaddles). The SDE's diffusion is A = η·batchScale·Σ + 2δI read from the problem.
 */
export function eyringKramers(
  p: LandscapeProblem,
  m: CriticalPoint,
  z: CriticalPoint & { path?: { points: number[][] } },
  opts: KramersOptions = {},
): KramersPrediction {
  const d = p.dim;
  const eta = p.lr;
  const tol = opts.tol ?? 1e-8;
  const minExp = opts.minExponent ?? 1;
  const barrier = z.value - m.value;
  const xm = Float64Array.from(m.x);
  const xz = Float64Array.from(z.x);
  const Am = diffusionAt(p, xm);
  const Az = diffusionAt(p, xz);
  const base = { method: "kramers" as const, barrier };
  const out = (
    regime: KramersPrediction["regime"],
    time: number,
    exponent: number,
    prefactor: number,
    applicable: boolean,
    why: string,
    extra: Partial<KramersPrediction> = {},
  ): KramersPrediction => ({
    ...base,
    regime,
    time,
    iterations: time / eta,
    toSaddle: { time: time / 2, iterations: time / 2 / eta },
    applicable,
    why,
    exponent,
    prefactor,
    ...extra,
  });
  // Geometry: nondegenerate minimum and index-1 saddle.
  const lm = m.eigenvalues;
  const lz = z.eigenvalues;
  const hs = Math.max(...lm.map(Math.abs), ...lz.map(Math.abs), 1e-300);
  if (lm[0] <= 1e-8 * hs) {
    return out(
      "isotropic",
      Number.NaN,
      Number.NaN,
      Number.NaN,
      false,
      "minimum is degenerate (zero Hessian eigenvalue): Eyring–Kramers needs det ∇²L(m) > 0",
    );
  }
  if (!(lz[0] < -1e-8 * hs) || (d > 1 && lz[1] <= 1e-8 * hs)) {
    return out(
      "isotropic",
      Number.NaN,
      Number.NaN,
      Number.NaN,
      false,
      "z is not a nondegenerate index-1 saddle",
    );
  }
  const prefGeo = (TWO_PI / Math.abs(lz[0])) * Math.sqrt(Math.abs(product(lz)) / product(lm));
  // Noise at the minimum.
  const em = Array.from(symmetricEigen(Am, d).values);
  const amax = Math.max(...em.map(Math.abs));
  if (amax <= 1e-14 * (1 + Math.abs(m.value))) {
    return out(
      "degenerate",
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      false,
      "the diffusion A = ηΣ_B + 2δI vanishes at the minimum (interpolating, δ = 0): a smooth Σ ≥ 0 vanishes at least quadratically there, so the speed measure is not integrable and the mean exit time is infinite; Eyring–Kramers does not apply",
      { infinite: true },
    );
  }
  if (em[0] <= 1e-10 * amax) {
    return out(
      "degenerate",
      Number.NaN,
      Number.NaN,
      Number.NaN,
      false,
      `the diffusion at the minimum is rank-deficient (eigenvalues ${em.map((v) => v.toPrecision(3)).join(", ")}): Eyring–Kramers needs a non-degenerate diffusion; use the PDE or particles`,
    );
  }
  const constant = p.noise ? p.noise.constant || p.noise.kind === "none" : true;
  if (constant) {
    if (relOffScalar(Am, d) <= tol) {
      const eps = Am[0] / 2;
      const exponent = barrier / eps;
      const time = prefGeo * Math.exp(exponent);
      const ok = exponent >= minExp;
      return out(
        "isotropic",
        time,
        exponent,
        prefGeo,
        ok,
        ok
          ? `isotropic constant noise A = 2εI, ε = ${eps.toPrecision(4)}; barrier/ε = ${exponent.toPrecision(4)}; relative error O(ε/ΔL) = O(${(1 / exponent).toPrecision(2)})`
          : `barrier/ε = ${exponent.toPrecision(3)} < ${minExp}: the noise is not small against the barrier, the asymptotic formula is unreliable`,
        { epsilon: eps },
      );
    }
    // Anisotropic constant: reversible iff ∇²L commutes with A along the way.
    const pts: ArrayLike<number>[] = [m.x, z.x, ...(z.path?.points ?? [])];
    const nLine = 20;
    for (let k = 1; k < nLine; k++) pts.push(m.x.map((v, i) => v + ((z.x[i] - v) * k) / nLine));
    let worst = 0;
    const H = new Float64Array(d * d);
    const x = new Float64Array(d);
    for (const q of pts) {
      x.set(q);
      p.loss.hessian(x, H);
      worst = Math.max(worst, commutator(H, Am, d));
    }
    if (worst > 1e-6) {
      return out(
        "anisotropic-nonreversible",
        Number.NaN,
        Number.NaN,
        Number.NaN,
        false,
        `constant anisotropic noise whose matrix does not commute with ∇²L (relative commutator ${worst.toExponential(2)}): the drift −∇L is not a gradient in the metric A⁻¹, the process is not reversible and no Eyring–Kramers formula applies (use the PDE or particles)`,
      );
    }
    const g = new Float64Array(d);
    const exponent = lineIntegral(d, m.x, z.x, (y, o) => {
      p.loss.gradient(y, g);
      const s = solveDense(Am, d, g);
      for (let i = 0; i < d; i++) o[i] = 2 * s[i];
    });
    const time = prefGeo * Math.exp(exponent);
    const ok = exponent >= minExp;
    return out(
      "anisotropic-reversible",
      time,
      exponent,
      prefGeo,
      ok,
      ok
        ? `constant anisotropic noise commuting with ∇²L (reversible; checked at ${pts.length} points): ΔU = ∫2A⁻¹∇L·dx = ${exponent.toPrecision(4)}`
        : `ΔU = ${exponent.toPrecision(3)} < ${minExp}: noise not small against the barrier`,
    );
  }
  if (d === 1) {
    // Quasi-potential Φ = ∫_m^z 2L'/A.
    const g = new Float64Array(1);
    let hitZero = false;
    const phi = lineIntegral(
      1,
      m.x,
      z.x,
      (y, o) => {
        p.loss.gradient(y, g);
        const a = diffusionAt(p, y)[0];
        if (!(a > 0)) hitZero = true;
        o[0] = (2 * g[0]) / a;
      },
      400,
    );
    if (hitZero || !Number.isFinite(phi)) {
      return out(
        "quasi-potential-1d",
        Number.POSITIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        Number.NaN,
        false,
        "the diffusion vanishes between the minimum and the saddle: the quasi-potential is infinite and the saddle is never reached",
      );
    }
    const pref = (TWO_PI / Math.sqrt(lm[0] * Math.abs(lz[0]))) * Math.sqrt(Az[0] / Am[0]);
    const time = pref * Math.exp(phi);
    const ok = phi >= minExp;
    return out(
      "quasi-potential-1d",
      time,
      phi,
      pref,
      ok,
      ok
        ? `state-dependent noise in 1-D: quasi-potential exponent Φ = ∫2L'/A = ${phi.toPrecision(4)}; A(m) = ${Am[0].toPrecision(3)}, A(z) = ${Az[0].toPrecision(3)}; Laplace asymptotics of the exact double integral`
        : `Φ = ${phi.toPrecision(3)} < ${minExp}: noise not small against the barrier`,
    );
  }
  return out(
    "state-dependent",
    Number.NaN,
    Number.NaN,
    Number.NaN,
    false,
    "state-dependent noise in d > 1: the quasi-potential is not computed here; use the PDE or particles",
  );
}

/**
 * Exit time from a minimum over all its saddles: rates add, 1/T = Σ_z 1/T_z (the lowest saddle
 * dominates as noise → 0). Saddles are those whose `connects` include minimum index `mi`.
 */
export function exitTimeFromMinimum(
  p: LandscapeProblem,
  minima: CriticalPoint[],
  mi: number,
  saddles: (CriticalPoint & { connects: [number, number]; path?: { points: number[][] } })[],
  opts: KramersOptions = {},
): KramersPrediction & { channels: { saddle: number; time: number }[] } {
  const preds = saddles
    .map((s, si) => ({ si, s }))
    .filter(({ s }) => s.connects.includes(mi) && s.connects[0] !== s.connects[1])
    .map(({ si, s }) => ({ si, k: eyringKramers(p, minima[mi], s, opts) }));
  if (preds.length === 0) {
    const eta = p.lr;
    return {
      method: "kramers",
      time: Number.NaN,
      iterations: Number.NaN / eta,
      toSaddle: { time: Number.NaN, iterations: Number.NaN },
      applicable: false,
      why: "no saddle connects this minimum to another one",
      regime: "isotropic",
      exponent: Number.NaN,
      prefactor: Number.NaN,
      barrier: Number.NaN,
      channels: [],
    };
  }
  preds.sort((a, b) => a.k.barrier - b.k.barrier);
  const lowest = preds[0].k;
  let rate = 0;
  for (const q of preds) rate += 1 / q.k.time;
  const time = preds.every((q) => Number.isFinite(q.k.time) || q.k.time === Infinity)
    ? 1 / rate
    : lowest.time;
  const eta = p.lr;
  return {
    ...lowest,
    time,
    iterations: time / eta,
    toSaddle: { time: time / 2, iterations: time / 2 / eta },
    why: preds.length > 1 ? `${lowest.why}; rates of ${preds.length} saddles added` : lowest.why,
    channels: preds.map((q) => ({ saddle: q.si, time: q.k.time })),
  };
}
