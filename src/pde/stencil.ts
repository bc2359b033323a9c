/**
 * Monotone, CONSISTENT second-difference stencils for any positive semi-definite diffusion tensor (2-D, 3-D).
 *
 * Input: D̃ = H⁻¹DH⁻¹, the tensor D = A/2 in grid units (H = diag h). Output: weights ρ_t ≥ 0 on integer
 * offsets e_t with Σ ρ_t e_t e_tᵀ = D̃ + μI exactly, so tr(D∇²u) ≈ Σ ρ_t (u(x + He_t) + u(x − He_t) − 2u(x))
 * (rates ρ_t ≥ 0: monotone). Two cases:
 * - exact: Selling's reduction of D̃ itself closes with superbase components and offsets ≤ R (every
 *   well-conditioned D̃ and every degenerate D̃ along a short lattice direction): μ = 0, O(h²) consistency;
 * - relaxed (Bonnans–Bonnet–Mirebeau 2022): otherwise D̃ is raised to D̃ + μI with
 *   μ = max(ε·tr D̃ − λ_min(D̃), 0) (doubled until the reduction closes within R) — rank-1 noise at any angle,
 *   turning with the state, on cells of any aspect ratio. The relaxation error is μ/tr D̃ relative, the stencil
 *   width error (R·h)². Two lattice offsets e₁, e₂ bracketing a direction (|det| = 1) leave a smallest
 *   eigenvalue ≈ 1/(|e₁|²|e₂|²), so a relaxation ε needs offsets of length ≈ ε^{−1/4} only: balancing
 *   ε against (R·h)² ≈ h²ε^{−1/2} gives ε = C·h̃^{4/3}, R = ⌈1.1·ε^{−1/4}⌉ (`stencilPolicy`, C = 3,
 *   h̃ = 1/(min points per axis − 1); the relaxed reduction may use 2R, the exact one R, so that an exact but
 *   long stencil — e.g. the lattice direction (8, 5) — does not replace a short relaxed one: its Péclet number
 *   along the offset, hence its Scharfetter–Gummel diffusion error, grows with the length): consistency order
 *   4/3 where the relaxation is active (measured 1.2–1.4, test/pde/stencil.test.ts), 2 elsewhere.
 *   Measured: the reduction closed at μ = ε·tr (no doubling) on 300 random tensors of every rank in 2-D and in
 *   3-D at 201 points per axis; `relaxation` reports what was used.
 * Where D̃ = 0 there are no terms (and no relaxation). Allocation-free after `stencilWork`.
 */
import { selling } from "./selling.js";

/** Relative relaxation ε and stencil radius R (largest superbase component, in cells) for a grid. */
export interface StencilPolicy {
  /** Target relative relaxation μ/tr D̃ for tensors the exact reduction cannot decompose within R. */
  eps: number;
  /** Largest superbase component (cells) of an exact reduction; a relaxed one may use twice as much. */
  radius: number;
}

/** ε = C·h̃^{4/3} (see the module comment). */
export const RELAX_C = 3;

/** ε and R for a grid with `shape` points per axis (see the module comment). */
export function stencilPolicy(shape: readonly number[]): StencilPolicy {
  const nmin = Math.min(...shape);
  const ht = 1 / (nmin - 1);
  const maxR = Math.max(1, Math.floor((nmin - 1) / 2));
  const eps = Math.min(0.25, RELAX_C * ht ** (4 / 3));
  return { eps, radius: Math.max(2, Math.min(maxR, Math.ceil(1.1 * eps ** -0.25))) };
}

/** Scratch and output of `diffusionStencil` (one per thread; no allocation per node). */
export interface StencilWork {
  readonly d: number;
  /** Weights ρ_t (first `count`). */
  readonly w: Float64Array;
  /** Offsets e_t, d integers each. */
  readonly off: Int32Array;
  /** The decomposed tensor D̃ + μI (grid units, row-major). */
  readonly Dr: Float64Array;
  /** μ/tr D̃ of the last call (0 when exact). */
  relaxation: number;
  count: number;
  readonly sb: Int32Array;
  readonly st: Int32Array;
}

export function stencilWork(d: number): StencilWork {
  return {
    d,
    w: new Float64Array(6),
    off: new Int32Array(18),
    Dr: new Float64Array(d * d),
    relaxation: 0,
    count: 0,
    sb: new Int32Array(12),
    st: new Int32Array(1),
  };
}

/**
 * Decomposes the PSD tensor Dt (grid units, d×d row-major, d = 2 or 3) into monotone terms (see the module
 * comment). Writes `work.w`, `work.off`, `work.Dr`, `work.relaxation`; returns the number of terms.
 */
export function diffusionStencil(Dt: Float64Array, policy: StencilPolicy, work: StencilWork): number {
  const d = work.d;
  const Dr = work.Dr;
  let tr = 0;
  for (let k = 0; k < d; k++) tr += Dt[k * d + k];
  work.relaxation = 0;
  for (let k = 0; k < d * d; k++) Dr[k] = Dt[k];
  if (!(tr > 0)) {
    work.count = 0;
    return 0;
  }
  let n = selling(d, Dr, work.w, work.off, work.sb, work.st, policy.radius);
  // exact only with offsets within R too (in 3-D offsets are cross products of superbase vectors: longer)
  if (work.st[0] === 0 && maxComponent(d, n, work.off) <= policy.radius) {
    work.count = n;
    return n;
  }
  const lmin = minEigenvalue(d, Dt);
  let mu = Math.max(policy.eps * tr - Math.max(lmin, 0), 0);
  if (!(mu > 0)) {
    // well-conditioned (λ_min ≥ ε·tr) but beyond R: exact within 2R, as a relaxed one would be allowed
    n = selling(d, Dr, work.w, work.off, work.sb, work.st, 2 * policy.radius);
    if (work.st[0] === 0 && maxComponent(d, n, work.off) <= 2 * policy.radius) {
      work.count = n;
      return n;
    }
    mu = policy.eps * tr;
  }
  for (let r = 0; r < 60; r++, mu *= 2) {
    for (let k = 0; k < d * d; k++) Dr[k] = Dt[k];
    for (let k = 0; k < d; k++) Dr[k * d + k] += mu;
    n = selling(d, Dr, work.w, work.off, work.sb, work.st, 2 * policy.radius);
    if (work.st[0] === 0) break;
  }
  // μ ≥ tr D̃ makes D̃ + μI of condition ≤ 2·d: the reduction always closes long before r = 60.
  work.relaxation = mu / tr;
  work.count = n;
  return n;
}

/** Largest |component| of the first n offsets. */
function maxComponent(d: number, n: number, off: Int32Array): number {
  let m = 0;
  for (let k = 0; k < n * d; k++) m = Math.max(m, Math.abs(off[k]));
  return m;
}

/** Smallest eigenvalue of a symmetric 2×2 or 3×3 matrix (row-major), closed form. */
export function minEigenvalue(d: number, M: Float64Array): number {
  if (d === 2) {
    const a = M[0];
    const b = M[1];
    const c = M[3];
    return 0.5 * (a + c) - Math.sqrt(0.25 * (a - c) * (a - c) + b * b);
  }
  // 3×3: trigonometric solution of the characteristic cubic.
  const a = M[0];
  const b = M[4];
  const c = M[8];
  const p1 = M[1] * M[1] + M[2] * M[2] + M[5] * M[5];
  const q = (a + b + c) / 3;
  if (p1 === 0) return Math.min(a, b, c);
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  // B = (M − qI)/p, r = det(B)/2
  const b00 = (a - q) / p;
  const b11 = (b - q) / p;
  const b22 = (c - q) / p;
  const b01 = M[1] / p;
  const b02 = M[2] / p;
  const b12 = M[5] / p;
  const det = b00 * (b11 * b22 - b12 * b12) - b01 * (b01 * b22 - b12 * b02) + b02 * (b01 * b12 - b11 * b02);
  const r = Math.max(-1, Math.min(1, det / 2));
  const phi = Math.acos(r) / 3;
  return q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
}
