/**
 * Two-sided bounds on the mean exit time (MET) of the 1-D order-1 SDE
 * dX = −L'(X) dt + √A(X) dW, A = η·batchScale·Σ + 2δ (DESIGN.md §1), SDE time units.
 *
 * The argument. With α reflecting, β absorbing and α < x₀ < β (the case β < x₀ is mirrored),
 *   E_{x₀}τ = ∫_{x₀}^{β} s(z) F(z) dz,   F(z) = ∫_α^z m(y) dy,   s = e^{ψ},  m = 2/(A e^{ψ}),  ψ' = 2L'/A
 * (DESIGN.md §1). Every factor is positive, F is increasing. Split [α, β] into cells (x₀ is a node).
 * On each cell we compute an enclosure [ψ⁻, ψ⁺] ∋ ψ(x) and [A⁻, A⁺] ∋ A(x) valid for all x in the cell;
 * then m ∈ [2/(A⁺e^{ψ⁺}), 2/(A⁻e^{ψ⁻})] and s ∈ [e^{ψ⁻}, e^{ψ⁺}] on the cell, and
 *   F⁻(x_k) = Σ_{j<k} h_j m⁻_j ≤ F(x_k) ≤ F⁺(x_k) = Σ_{j<k} h_j m⁺_j + tail⁺,
 *   lower = Σ_j h_j s⁻_j F⁻(x_j) ≤ E τ ≤ Σ_j h_j s⁺_j F⁺(x_{j+1}) = upper
 * (F(z) ∈ [F(x_j), F(x_{j+1})] on cell j by monotonicity). These are exact inequalities, so
 * the bracket is rigorous as soon as the enclosures are.
 *
 * Enclosures.
 * - Constant A: ψ = 2L/A exactly; L on a cell lies between its values at the two ends and at the
 *   interior zero of L' when L' changes sign across the cell (located by bisection on L').
 * - State-dependent A: ψ(x_{j+1}) − ψ(x_j) = ∫ 2L'/A ∈ h·[g⁻, g⁺] where [g⁻, g⁺] encloses 2L'/A on the
 *   cell from enclosures of L' (ends + the interior zero of L'' if L'' changes sign, by bisection)
 *   and of A (ends + the extremum found by golden section where consecutive differences of A change
 *   sign); inside the cell ψ ∈ [ψ⁻(x_j) + h·min(0, g⁻), ψ⁺(x_j) + h·max(0, g⁺)].
 * Assumption (the only one, stated in the output): the grid resolves the turning points — L'
 * (constant case) or L'' and A′ (state-dependent case) change sign at most once per cell (per two
 * adjacent cells for A). Refining the grid keeps the bracket nested, which the caller can check.
 * - Reflection "at −∞" (α = −∞) is allowed for constant A when L is convex on (−∞, α₀] with
 *   L'(α₀) < 0 (checked at sampled points): then L(y) ≥ L(α₀) + L'(α₀)(y − α₀) there, and
 *   ∫_{−∞}^{α₀} m ≤ e^{−ψ(α₀)}/|L'(α₀)|, which is added to F⁺.
 *
 * In d > 1 the bound needs the discrete generator of the PDE engine (Dirichlet/Thomson principles
 * for the capacity, or comparison along the escape coordinate); `exitTimeBounds` reports "not
 * applicable" there (hook: `generatorBounds`).
 */
import { formatNumber } from "../analysis/format.js";
import { NumericalError, UserError } from "../errors.js";
import { diffusionOfVariance } from "../problem/diffusion.js";
import type { LandscapeProblem } from "./util.js";

export interface ExitTimeBounds {
  method: "bounds";
  /** Rigorous lower and upper bounds on E_{x₀}τ (SDE time); NaN with `applicable: false` when no useful bound. */
  lower: number;
  upper: number;
  /** The same in SGD iterations (t/η). */
  iterations: { lower: number; upper: number };
  applicable: boolean;
  why: string;
  /** Reflecting end, absorbing end, start. */
  reflect: number;
  absorb: number;
  start: number;
  cells: number;
  /** Relative width (upper − lower)/lower. */
  relativeGap: number;
  assumptions: string[];
}

export interface BoundsOptions {
  /** Start point x₀ (default problem.start or error). */
  start: number;
  /** Absorbing point β: the process is stopped when it reaches β. */
  absorb: number;
  /** Reflecting point α on the other side of x₀ (default: the problem.domain edge; ±Infinity allowed for constant A). */
  reflect?: number;
  /** Cells on [α, β] (default 20000, doubled until relativeGap ≤ targetGap (default 1e-2) or maxCells
   * (default 1e6)). The gap shrinks like 1/cells (first-order enclosures). */
  cells?: number;
  targetGap?: number;
  maxCells?: number;
}

interface Fn1d {
  /** L(x); also stores L'(x) in `d` (no allocation per call). */
  grad(x: number): number;
  /** L' at the last `grad` point. */
  d: number;
  /** L''(x). */
  hess(x: number): number;
  /** A(x). */
  A(x: number): number;
}

function bisect(f: (x: number) => number, a: number, b: number): number {
  let fa = f(a);
  for (let k = 0; k < 80; k++) {
    const c = 0.5 * (a + b);
    if (c === a || c === b) break;
    const fc = f(c);
    if (fc === 0) return c;
    if (fc > 0 === fa > 0) {
      a = c;
      fa = fc;
    } else b = c;
  }
  return 0.5 * (a + b);
}

/** Golden-section search for the extremum of f on [a, b]; sign = +1 for a maximum, −1 minimum. */
function golden(f: (x: number) => number, a: number, b: number, sign: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = sign * f(c);
  let fd = sign * f(d);
  for (let k = 0; k < 100 && b - a > 1e-14 * (1 + Math.abs(a)); k++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = sign * f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = sign * f(d);
    }
  }
  return sign * Math.max(fc, fd, sign * f(a), sign * f(b));
}

/** The bracket for escape to the right (α < x₀ < β), on a given grid. */
function bracketRight(fn: Fn1d, alpha: number, x0: number, beta: number, n: number, constA: number | null) {
  const tailLeft = !Number.isFinite(alpha);
  const a0 = tailLeft ? Math.min(x0 - 1, x0 - 4 * (beta - x0)) : alpha;
  // Grid: cells split proportionally between [a0, x0] and [x0, β], x0 a node.
  const nL = Math.max(1, Math.round((n * (x0 - a0)) / (beta - a0)));
  const nR = Math.max(1, n - nL);
  const N = nL + nR;
  const xs = new Float64Array(N + 1);
  for (let i = 0; i <= nL; i++) xs[i] = a0 + ((x0 - a0) * i) / nL;
  for (let i = 1; i <= nR; i++) xs[nL + i] = x0 + ((beta - x0) * i) / nR;
  xs[nL] = x0;
  xs[N] = beta;
  const L = new Float64Array(N + 1);
  const D = new Float64Array(N + 1);
  for (let i = 0; i <= N; i++) {
    L[i] = fn.grad(xs[i]);
    D[i] = fn.d;
  }
  const psiLo = new Float64Array(N); // cell enclosures of ψ
  const psiHi = new Float64Array(N);
  const aLo = new Float64Array(N);
  const aHi = new Float64Array(N);
  let psiA = 0; // ψ at the left end (lower/upper coincide in the constant case)
  if (constA !== null) {
    const c = 2 / constA;
    for (let j = 0; j < N; j++) {
      let lo = Math.min(L[j], L[j + 1]);
      let hi = Math.max(L[j], L[j + 1]);
      if (D[j] * D[j + 1] < 0) {
        const z = bisect(
          (x) => {
            fn.grad(x);
            return fn.d;
          },
          xs[j],
          xs[j + 1],
        );
        const lz = fn.grad(z);
        lo = Math.min(lo, lz);
        hi = Math.max(hi, lz);
      }
      psiLo[j] = c * lo;
      psiHi[j] = c * hi;
      aLo[j] = constA;
      aHi[j] = constA;
    }
    psiA = c * L[0];
  } else {
    const A = new Float64Array(N + 1);
    const H = new Float64Array(N + 1);
    for (let i = 0; i <= N; i++) {
      A[i] = fn.A(xs[i]);
      H[i] = fn.hess(xs[i]);
    }
    for (let j = 0; j < N; j++) {
      aLo[j] = Math.min(A[j], A[j + 1]);
      aHi[j] = Math.max(A[j], A[j + 1]);
    }
    for (let i = 1; i < N; i++) {
      const s1 = A[i] - A[i - 1];
      const s2 = A[i + 1] - A[i];
      if (s1 * s2 < 0 || (s1 === 0) !== (s2 === 0)) {
        const sign = s1 > 0 || s2 < 0 ? 1 : -1;
        const ext = golden(fn.A, xs[i - 1], xs[i + 1], sign);
        for (const j of [i - 1, i]) {
          aLo[j] = Math.min(aLo[j], ext);
          aHi[j] = Math.max(aHi[j], ext);
        }
      }
    }
    let pLo = 0;
    let pHi = 0;
    for (let j = 0; j < N; j++) {
      let dLo = Math.min(D[j], D[j + 1]);
      let dHi = Math.max(D[j], D[j + 1]);
      if (H[j] * H[j + 1] < 0) {
        const z = bisect(fn.hess, xs[j], xs[j + 1]);
        fn.grad(z);
        const dz = fn.d;
        dLo = Math.min(dLo, dz);
        dHi = Math.max(dHi, dz);
      }
      if (!(aLo[j] > 0)) {
        throw new NumericalError(
          `exitTimeBounds: A vanishes near x = ${xs[j]} (between reflecting and absorbing ends): the MET may be infinite`,
        );
      }
      const cand = [(2 * dLo) / aLo[j], (2 * dLo) / aHi[j], (2 * dHi) / aLo[j], (2 * dHi) / aHi[j]];
      const gLo = Math.min(...cand);
      const gHi = Math.max(...cand);
      const h = xs[j + 1] - xs[j];
      psiLo[j] = pLo + h * Math.min(0, gLo);
      psiHi[j] = pHi + h * Math.max(0, gHi);
      pLo += h * gLo;
      pHi += h * gHi;
    }
  }
  // Shift by the smallest ψ to keep exponentials in range (the shift cancels in s·m).
  let shift = Number.POSITIVE_INFINITY;
  for (let j = 0; j < N; j++) shift = Math.min(shift, psiLo[j]);
  let tail = 0;
  if (tailLeft) tail = Math.exp(-(psiA - shift)) / Math.abs(D[0]);
  const Flo = new Float64Array(N + 1);
  const Fhi = new Float64Array(N + 1);
  Fhi[0] = tail;
  for (let j = 0; j < N; j++) {
    const h = xs[j + 1] - xs[j];
    Flo[j + 1] = Flo[j] + (h * 2) / (aHi[j] * Math.exp(psiHi[j] - shift));
    Fhi[j + 1] = Fhi[j] + (h * 2) / (aLo[j] * Math.exp(psiLo[j] - shift));
  }
  let lower = 0;
  let upper = 0;
  for (let j = nL; j < N; j++) {
    const h = xs[j + 1] - xs[j];
    lower += h * Math.exp(psiLo[j] - shift) * Flo[j];
    upper += h * Math.exp(psiHi[j] - shift) * Fhi[j + 1];
  }
  let aMin = Number.POSITIVE_INFINITY;
  let aMax = 0;
  let aMinAt = xs[0];
  for (let j = 0; j < N; j++) {
    if (aLo[j] < aMin) {
      aMin = aLo[j];
      aMinAt = 0.5 * (xs[j] + xs[j + 1]);
    }
    aMax = Math.max(aMax, aHi[j]);
  }
  return { lower, upper, cells: N, a0, dLeft: D[0], aMin, aMax, aMinAt };
}

/** 1-D view of a problem, mirrored (x → −x) when `mirror`. */
function view1d(p: LandscapeProblem, mirror: boolean): Fn1d {
  const x = new Float64Array(1);
  const g = new Float64Array(1);
  const h = new Float64Array(1);
  const cov = new Float64Array(1);
  const s = mirror ? -1 : 1;
  return {
    d: 0,
    grad(u) {
      x[0] = s * u;
      const l = p.loss.gradient(x, g);
      this.d = s * g[0];
      return l;
    },
    hess(u) {
      x[0] = s * u;
      p.loss.hessian(x, h);
      return h[0];
    },
    A(u) {
      x[0] = s * u;
      if (!p.noise) return diffusionOfVariance(p, 0);
      p.noise.covariance(x, cov);
      return diffusionOfVariance(p, cov[0]);
    },
  };
}

/**
 * Rigorous two-sided bounds on the MET from `start` to `absorb` (reflecting at `reflect`), 1-D.
 * Refines the grid (doubling) until the relative gap ≤ targetGap (default 1e-2) or maxCells.
 */
export function exitTimeBounds(p: LandscapeProblem, opts: BoundsOptions): ExitTimeBounds {
  const eta = p.lr;
  if (p.dim !== 1) {
    return {
      method: "bounds",
      lower: Number.NaN,
      upper: Number.NaN,
      iterations: { lower: Number.NaN, upper: Number.NaN },
      applicable: false,
      why: "continuum bounds are implemented in 1-D; in d > 1 use generatorBounds on the PDE generator (brackets the discrete value)",
      reflect: Number.NaN,
      absorb: opts.absorb,
      start: opts.start,
      cells: 0,
      relativeGap: Number.NaN,
      assumptions: [],
    };
  }
  const x0 = opts.start;
  const beta = opts.absorb;
  if (!(Number.isFinite(x0) && Number.isFinite(beta)) || x0 === beta) {
    throw new UserError("exitTimeBounds: need finite start ≠ absorb", { where: "start/absorb" });
  }
  const mirror = beta < x0;
  const dom = p.domain?.[0];
  const alpha =
    opts.reflect ?? (dom ? (mirror ? dom[1] : dom[0]) : Number.NEGATIVE_INFINITY * (mirror ? -1 : 1));
  if (mirror ? alpha < x0 : alpha > x0) {
    throw new UserError("exitTimeBounds: the reflecting end must lie on the other side of the start", {
      where: "reflect",
    });
  }
  const fn = view1d(p, mirror);
  const s = mirror ? -1 : 1;
  const ua = s * alpha;
  const u0 = s * x0;
  const ub = s * beta;
  const constant = p.noise ? p.noise.constant || p.noise.kind === "none" : true;
  const constA = constant ? fn.A(u0) : null;
  const assumptions: string[] = [];
  if (constA !== null) {
    if (!(constA > 0)) {
      return {
        method: "bounds",
        lower: Number.POSITIVE_INFINITY,
        upper: Number.POSITIVE_INFINITY,
        iterations: { lower: Number.POSITIVE_INFINITY, upper: Number.POSITIVE_INFINITY },
        applicable: true,
        why: "no noise (A = 0): the deterministic flow never reaches the absorbing point unless it flows there",
        reflect: alpha,
        absorb: beta,
        start: x0,
        cells: 0,
        relativeGap: 0,
        assumptions,
      };
    }
    assumptions.push("L' changes sign at most once per cell");
  } else {
    assumptions.push("L'' changes sign at most once per cell; A' at most once per two adjacent cells");
    if (!Number.isFinite(ua)) {
      throw new UserError(
        "exitTimeBounds: reflection at infinity needs constant noise; give a finite reflect point",
        { where: "reflect" },
      );
    }
  }
  const target = opts.targetGap ?? 1e-2;
  const maxCells = opts.maxCells ?? 1_000_000;
  let n = opts.cells ?? 20000;
  let r = bracketRight(fn, ua, u0, ub, n, constA);
  while ((r.upper - r.lower) / r.lower > target && n * 2 <= maxCells) {
    n *= 2;
    r = bracketRight(fn, ua, u0, ub, n, constA);
  }
  if (!Number.isFinite(ua)) {
    // Check convexity of the tail beyond a0 and L'(a0) < 0 (pointing back into the interval).
    let convex = r.dLeft < 0;
    for (let k = 0; k < 40 && convex; k++) {
      const u = r.a0 - (2 ** (k / 2) - 1) * (1 + Math.abs(r.a0));
      fn.grad(u);
      if (fn.hess(u) < 0 || fn.d > r.dLeft) convex = false;
    }
    if (!convex)
      throw new NumericalError(
        "exitTimeBounds: reflection at infinity needs L convex and confining beyond the grid; give a finite reflect point",
      );
    assumptions.push(`L convex on the far tail beyond ${s * r.a0} (checked at 40 points)`);
  }
  if (!(r.upper < Number.POSITIVE_INFINITY) || !(r.lower > 0)) {
    // [0, ∞] (or an overflowed side) is no enclosure: say why instead
    const cause =
      r.aMin <= 1e-8 * r.aMax
        ? `A nearly vanishes near x = ${(s * r.aMinAt).toPrecision(4)} (min/max of A on the cells ${(r.aMin / r.aMax).toExponential(1)}): the cell enclosures of the speed measure 2/(A·e^ψ) are unbounded there`
        : "the enclosure of e^{±ψ} overflowed (a barrier too high for the noise in double precision)";
    return {
      method: "bounds",
      lower: Number.NaN,
      upper: Number.NaN,
      iterations: { lower: Number.NaN, upper: Number.NaN },
      applicable: false,
      why: `no useful bound: ${cause}; the bracket would be [${formatNumber(r.lower)}, ${formatNumber(r.upper)}]`,
      reflect: alpha,
      absorb: beta,
      start: x0,
      cells: r.cells,
      relativeGap: Number.NaN,
      assumptions,
    };
  }
  const gap = (r.upper - r.lower) / r.lower;
  return {
    method: "bounds",
    lower: r.lower,
    upper: r.upper,
    iterations: { lower: r.lower / eta, upper: r.upper / eta },
    applicable: true,
    why: `exact double-integral formula bracketed by cell enclosures on ${r.cells} cells (relative gap ${gap.toExponential(2)})`,
    reflect: alpha,
    absorb: beta,
    start: x0,
    cells: r.cells,
    relativeGap: gap,
    assumptions,
  };
}
