import type { FiniteSum, Loss } from "../../src/problem/types.js";

/** Central difference of f along coordinate j with step h. */
export function fdPartial(f: (x: Float64Array) => number, x: Float64Array, j: number, h: number): number {
  const xp = Float64Array.from(x);
  xp[j] = x[j] + h;
  const fp = f(xp);
  xp[j] = x[j] - h;
  const fm = f(xp);
  return (fp - fm) / (2 * h);
}

/**
 * Richardson-extrapolated central difference (error O(h⁴)): (4 D(h/2) − D(h)) / 3.
 */
export function fdRichardson(f: (x: Float64Array) => number, x: Float64Array, j: number, h: number): number {
  return (4 * fdPartial(f, x, j, h / 2) - fdPartial(f, x, j, h)) / 3;
}

/** max |a − b| / (max |b| + floor). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  let num = 0;
  let den = floor;
  for (let k = 0; k < a.length; k++) {
    num = Math.max(num, Math.abs(a[k] - b[k]));
    den = Math.max(den, Math.abs(b[k]));
  }
  return num / den;
}

/** Mean of the per-sample gradients and values, computed through sampleGradient. */
export function meanSampleGradient(
  fs: FiniteSum,
  dim: number,
  x: Float64Array,
): { g: Float64Array; v: number } {
  const g = new Float64Array(dim);
  const gi = new Float64Array(dim);
  let v = 0;
  for (let i = 0; i < fs.n; i++) {
    v += fs.sampleGradient(i, x, gi);
    for (let j = 0; j < dim; j++) g[j] += gi[j];
  }
  for (let j = 0; j < dim; j++) g[j] /= fs.n;
  return { g, v: v / fs.n };
}

/** Hessian by second central differences of the VALUE (independent of the gradient code): O(h²). */
export function fdHessianFromValue(loss: Loss, x: Float64Array, h: number): Float64Array {
  const d = loss.dim;
  const H = new Float64Array(d * d);
  const xp = Float64Array.from(x);
  const f = (dj: number, j: number, dk: number, k: number) => {
    xp.set(x);
    xp[j] += dj;
    xp[k] += dk;
    return loss.value(xp);
  };
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = (f(h, j, h, k) - f(h, j, -h, k) - f(-h, j, h, k) + f(-h, j, -h, k)) / (4 * h * h);
      H[j * d + k] = v;
      H[k * d + j] = v;
    }
  }
  return H;
}

/** A deterministic pseudo-random vector (for test points), values in [−s, s]. */
export function testVector(d: number, seed: number, s = 1): Float64Array {
  let a = seed >>> 0;
  const x = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    x[j] = s * (2 * u - 1);
  }
  return x;
}
