/**
 * Generalised linear models as finite sums L(x) = (1/N) Σ_i ℓ_i(x), in float64:
 *
 *   u_i = ⟨ã_i, x⟩,   ℓ_i(x) = φ(u_i, y_i) + (λ/2)‖x‖²
 *
 * with ã_i = a_i (no bias) or ã_i = (a_i, 1) (bias: the last coordinate of x is the intercept b),
 * λ = `l2` ≥ 0 (ridge on every coordinate of x, the bias included), and
 * - linear regression:  φ = ½(u − y)²,                 φ' = u − y,          φ'' = 1;
 * - logistic (y ∈ {0,1}): φ = log(1 + eᵘ) − y·u,        φ' = σ(u) − y,       φ'' = σ(u)(1 − σ(u)),
 *   evaluated stably as max(u,0) + log1p(e^{−|u|}) − y·u;
 * - phase retrieval:    φ = (u² − y)²,                  φ' = 4u(u² − y),     φ'' = 12u² − 4y.
 * Then ∇ℓ_i = φ'(u_i) ã_i + λx and ∇²ℓ_i = φ''(u_i) ã_i ã_iᵀ + λI exactly.
 * Parameter layout: x = (w_1..w_p[, b]), d = p (+1 with bias). d > N (over-parameterised) is fine.
 */
import type { FiniteSum, Loss } from "../types.js";

export type GlmKind = "linear" | "logistic" | "phase-retrieval";

export interface GlmOptions {
  /** Append an intercept (last coordinate of x). */
  bias?: boolean;
  /** Ridge penalty λ ≥ 0: ℓ_i += (λ/2)‖x‖². */
  l2?: number;
}

const LINEAR = 0;
const LOGISTIC = 1;
const PHASE = 2;

/** log(1 + eᵘ) without overflow or loss of precision. */
export function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** σ(u) = 1/(1 + e^{−u}) without overflow. */
export function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** A GLM loss; it is its own `finiteSum`. Construct with linearRegression / logisticRegression / phaseRetrieval. */
export class GlmLoss implements Loss, FiniteSum {
  readonly dim: number;
  readonly n: number;
  readonly kind: GlmKind;
  readonly bias: boolean;
  readonly l2: number;
  /** Augmented design Ã, row-major n×d (row i is ã_i). */
  readonly A: Float64Array;
  /** Targets y_i. */
  readonly y: Float64Array;
  readonly finiteSum: FiniteSum = this;
  private readonly code: number;

  /** X: n×p row-major features, y: n targets. The data are copied. */
  constructor(kind: GlmKind, X: Float64Array, y: Float64Array, n: number, p: number, opts: GlmOptions = {}) {
    if (!(n >= 1) || !(p >= 1) || X.length < n * p || y.length < n) {
      throw new RangeError(`GlmLoss: need n ≥ 1, p ≥ 1, X of length n·p and y of length n`);
    }
    this.kind = kind;
    this.code = kind === "linear" ? LINEAR : kind === "logistic" ? LOGISTIC : PHASE;
    this.bias = opts.bias ?? false;
    this.l2 = opts.l2 ?? 0;
    this.n = n;
    const d = p + (this.bias ? 1 : 0);
    this.dim = d;
    const A = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) A[i * d + j] = X[i * p + j];
      if (this.bias) A[i * d + p] = 1;
    }
    this.A = A;
    this.y = Float64Array.from(y.subarray(0, n));
  }

  /** u_i = ⟨ã_i, x⟩. */
  margin(i: number, x: Float64Array): number {
    const A = this.A;
    const d = this.dim;
    const o = i * d;
    let u = 0;
    for (let j = 0; j < d; j++) u += A[o + j] * x[j];
    return u;
  }

  /** φ(u, y). */
  phi(u: number, y: number): number {
    switch (this.code) {
      case LINEAR: {
        const r = u - y;
        return 0.5 * r * r;
      }
      case LOGISTIC:
        return softplus(u) - y * u;
      default: {
        const r = u * u - y;
        return r * r;
      }
    }
  }

  /** φ'(u, y) = ∂φ/∂u. */
  dphi(u: number, y: number): number {
    switch (this.code) {
      case LINEAR:
        return u - y;
      case LOGISTIC:
        return sigmoid(u) - y;
      default:
        return 4 * u * (u * u - y);
    }
  }

  /** φ''(u, y) = ∂²φ/∂u². */
  d2phi(u: number, y: number): number {
    switch (this.code) {
      case LINEAR:
        return 1;
      case LOGISTIC: {
        const s = sigmoid(u);
        return s * (1 - s);
      }
      default:
        return 12 * u * u - 4 * y;
    }
  }

  private ridge(x: Float64Array): number {
    if (this.l2 === 0) return 0;
    let s = 0;
    for (let j = 0; j < this.dim; j++) s += x[j] * x[j];
    return 0.5 * this.l2 * s;
  }

  sampleValue(i: number, x: Float64Array): number {
    return this.phi(this.margin(i, x), this.y[i]) + this.ridge(x);
  }

  sampleGradient(i: number, x: Float64Array, g: Float64Array): number {
    const d = this.dim;
    const A = this.A;
    const o = i * d;
    const u = this.margin(i, x);
    const c = this.dphi(u, this.y[i]);
    const lam = this.l2;
    for (let j = 0; j < d; j++) g[j] = c * A[o + j] + lam * x[j];
    return this.phi(u, this.y[i]) + this.ridge(x);
  }

  /** Minibatch mean gradient over idx[0..count) (repeats allowed); allocates nothing. */
  batchGradient(idx: Int32Array, count: number, x: Float64Array, g: Float64Array): number {
    const d = this.dim;
    const A = this.A;
    const y = this.y;
    for (let j = 0; j < d; j++) g[j] = 0;
    let s = 0;
    for (let k = 0; k < count; k++) {
      const i = idx[k];
      const o = i * d;
      let u = 0;
      for (let j = 0; j < d; j++) u += A[o + j] * x[j];
      s += this.phi(u, y[i]);
      const c = this.dphi(u, y[i]);
      for (let j = 0; j < d; j++) g[j] += c * A[o + j];
    }
    const inv = 1 / count;
    const lam = this.l2;
    for (let j = 0; j < d; j++) g[j] = g[j] * inv + lam * x[j];
    return s * inv + this.ridge(x);
  }

  value(x: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.phi(this.margin(i, x), this.y[i]);
    return s / this.n + this.ridge(x);
  }

  gradient(x: Float64Array, g: Float64Array): number {
    const d = this.dim;
    const A = this.A;
    const y = this.y;
    for (let j = 0; j < d; j++) g[j] = 0;
    let s = 0;
    for (let i = 0; i < this.n; i++) {
      const o = i * d;
      let u = 0;
      for (let j = 0; j < d; j++) u += A[o + j] * x[j];
      s += this.phi(u, y[i]);
      const c = this.dphi(u, y[i]);
      for (let j = 0; j < d; j++) g[j] += c * A[o + j];
    }
    const inv = 1 / this.n;
    const lam = this.l2;
    for (let j = 0; j < d; j++) g[j] = g[j] * inv + lam * x[j];
    return s * inv + this.ridge(x);
  }

  /** Exact ∇²L = (1/N) Σ φ''(u_i) ã_i ã_iᵀ + λI (row-major d×d). Cost O(N d²). */
  hessian(x: Float64Array, h: Float64Array): void {
    const d = this.dim;
    const A = this.A;
    h.fill(0, 0, d * d);
    for (let i = 0; i < this.n; i++) {
      const o = i * d;
      const c = this.d2phi(this.margin(i, x), this.y[i]) / this.n;
      if (c === 0) continue;
      for (let r = 0; r < d; r++) {
        const cr = c * A[o + r];
        if (cr === 0) continue;
        const hr = r * d;
        for (let s = r; s < d; s++) h[hr + s] += cr * A[o + s];
      }
    }
    for (let r = 0; r < d; r++) {
      h[r * d + r] += this.l2;
      for (let s = 0; s < r; s++) h[r * d + s] = h[s * d + r];
    }
  }
}

/** Least squares ℓ_i = ½(⟨a_i, w⟩ + b − y_i)² (+ ridge). X: n×p row-major. */
export function linearRegression(
  X: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  opts?: GlmOptions,
): GlmLoss {
  return new GlmLoss("linear", X, y, n, p, opts);
}

/** Binary logistic regression, labels y_i ∈ {0, 1}: ℓ_i = log(1 + e^{u_i}) − y_i u_i (+ ridge). */
export function logisticRegression(
  X: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  opts?: GlmOptions,
): GlmLoss {
  return new GlmLoss("logistic", X, y, n, p, opts);
}

/** Phase retrieval ℓ_i = (⟨a_i, x⟩² − y_i)² (+ ridge; bias optional, off by default). */
export function phaseRetrieval(
  X: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  opts?: GlmOptions,
): GlmLoss {
  return new GlmLoss("phase-retrieval", X, y, n, p, opts);
}
