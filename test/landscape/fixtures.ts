/** Hand-written losses and noise models for the landscape tests (exact gradients and Hessians). */
import type { Box, Loss, NoiseModel, Problem } from "../../src/problem/types.js";

type Fn = (x: Float64Array) => number;
type Grad = (x: Float64Array, g: Float64Array) => void;
type Hess = (x: Float64Array, h: Float64Array) => void;

export function makeLoss(dim: number, value: Fn, grad: Grad, hess: Hess): Loss {
  return {
    dim,
    value,
    gradient(x, g) {
      grad(x, g);
      return value(x);
    },
    hessian: hess,
  };
}

export const himmelblau = makeLoss(
  2,
  (v) => (v[0] ** 2 + v[1] - 11) ** 2 + (v[0] + v[1] ** 2 - 7) ** 2,
  (v, g) => {
    const a = v[0] ** 2 + v[1] - 11;
    const b = v[0] + v[1] ** 2 - 7;
    g[0] = 4 * a * v[0] + 2 * b;
    g[1] = 2 * a + 4 * b * v[1];
  },
  (v, h) => {
    const a = v[0] ** 2 + v[1] - 11;
    const b = v[0] + v[1] ** 2 - 7;
    h[0] = 4 * a + 8 * v[0] ** 2 + 2;
    h[1] = h[2] = 4 * v[0] + 4 * v[1];
    h[3] = 2 + 4 * b + 8 * v[1] ** 2;
  },
);

export const rosenbrock = makeLoss(
  2,
  (v) => (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2,
  (v, g) => {
    g[0] = -2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] ** 2);
    g[1] = 200 * (v[1] - v[0] ** 2);
  },
  (v, h) => {
    h[0] = 2 - 400 * (v[1] - v[0] ** 2) + 800 * v[0] ** 2;
    h[1] = h[2] = -400 * v[0];
    h[3] = 200;
  },
);

/** L(x) = (x1² − 1)²/4 + Σ_{i≥2} c_i x_i²/2 in d dims: minima (±1, 0…), saddle at 0 (barrier 1/4). */
export function doubleWellND(d: number, c: number[] = [1, 2, 3, 4, 5, 6, 7, 8]): Loss {
  return makeLoss(
    d,
    (v) => {
      let s = (v[0] ** 2 - 1) ** 2 / 4;
      for (let i = 1; i < d; i++) s += (c[i - 1] * v[i] ** 2) / 2;
      return s;
    },
    (v, g) => {
      g[0] = v[0] ** 3 - v[0];
      for (let i = 1; i < d; i++) g[i] = c[i - 1] * v[i];
    },
    (v, h) => {
      h.fill(0, 0, d * d);
      h[0] = 3 * v[0] ** 2 - 1;
      for (let i = 1; i < d; i++) h[i * d + i] = c[i - 1];
    },
  );
}

// Müller–Brown potential (Müller & Brown 1979).
const MB_A = [-200, -100, -170, 15];
const MB_a = [-1, -1, -6.5, 0.7];
const MB_b = [0, 0, 11, 0.6];
const MB_c = [-10, -10, -6.5, 0.7];
const MB_x = [1, 0, -0.5, -1];
const MB_y = [0, 0.5, 1.5, 1];
export const mullerBrown = makeLoss(
  2,
  (v) => {
    let s = 0;
    for (let k = 0; k < 4; k++) {
      const dx = v[0] - MB_x[k];
      const dy = v[1] - MB_y[k];
      s += MB_A[k] * Math.exp(MB_a[k] * dx * dx + MB_b[k] * dx * dy + MB_c[k] * dy * dy);
    }
    return s;
  },
  (v, g) => {
    g[0] = g[1] = 0;
    for (let k = 0; k < 4; k++) {
      const dx = v[0] - MB_x[k];
      const dy = v[1] - MB_y[k];
      const e = MB_A[k] * Math.exp(MB_a[k] * dx * dx + MB_b[k] * dx * dy + MB_c[k] * dy * dy);
      g[0] += e * (2 * MB_a[k] * dx + MB_b[k] * dy);
      g[1] += e * (MB_b[k] * dx + 2 * MB_c[k] * dy);
    }
  },
  (v, h) => {
    h[0] = h[1] = h[2] = h[3] = 0;
    for (let k = 0; k < 4; k++) {
      const dx = v[0] - MB_x[k];
      const dy = v[1] - MB_y[k];
      const e = MB_A[k] * Math.exp(MB_a[k] * dx * dx + MB_b[k] * dx * dy + MB_c[k] * dy * dy);
      const px = 2 * MB_a[k] * dx + MB_b[k] * dy;
      const py = MB_b[k] * dx + 2 * MB_c[k] * dy;
      h[0] += e * (px * px + 2 * MB_a[k]);
      h[1] += e * (px * py + MB_b[k]);
      h[3] += e * (py * py + 2 * MB_c[k]);
    }
    h[2] = h[1];
  },
);

/** 1-D polynomial-style loss from value/derivative/second-derivative functions. */
export function loss1d(f: (x: number) => number, f1: (x: number) => number, f2: (x: number) => number): Loss {
  return makeLoss(
    1,
    (v) => f(v[0]),
    (v, g) => {
      g[0] = f1(v[0]);
    },
    (v, h) => {
      h[0] = f2(v[0]);
    },
  );
}

export const doubleWell1d = loss1d(
  (x) => x ** 4 / 4 - x ** 2 / 2,
  (x) => x ** 3 - x,
  (x) => 3 * x ** 2 - 1,
);

/** Σ(x) given as a function writing a d×d matrix. */
export function noiseFrom(
  dim: number,
  kind: NoiseModel["kind"],
  cov: (x: Float64Array, out: Float64Array) => void,
  constant = false,
): NoiseModel {
  return {
    kind,
    rank: dim,
    constant,
    covariance: cov,
    factor() {
      throw new Error("factor not used in landscape tests");
    },
    workSize: 0,
  };
}

export function isotropic(dim: number, s2: number): NoiseModel {
  return noiseFrom(
    dim,
    "isotropic",
    (_x, out) => {
      out.fill(0, 0, dim * dim);
      for (let i = 0; i < dim; i++) out[i * dim + i] = s2;
    },
    true,
  );
}

export function makeProblem(
  loss: Loss,
  opts: { noise?: NoiseModel; lr?: number; batch?: number; delta?: number; domain?: Box; name?: string } = {},
): Problem {
  const d = loss.dim;
  const batch = opts.batch ?? 1;
  return {
    name: opts.name ?? "test",
    dim: d,
    varNames: d === 1 ? ["x"] : Array.from({ length: d }, (_, i) => `x${i + 1}`),
    loss,
    noise:
      opts.noise ??
      noiseFrom(d, "none", (_x, out) => {
        out.fill(0, 0, d * d);
      }),
    lr: opts.lr ?? 0.1,
    batch,
    replacement: true,
    batchScale: 1 / batch,
    delta: opts.delta ?? 0,
    domain: opts.domain ?? Array.from({ length: d }, () => [-3, 3] as const),
    spec: {},
  };
}
