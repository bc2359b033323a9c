/**
 * Noise models: the per-sample gradient-noise covariance Σ(x) (DESIGN.md §1), before batch scaling.
 * Each keeps Σ as a factor G with Σ = G Gᵀ (d × rank), so degenerate noise stays degenerate.
 */
import { UserError } from "../errors.js";
import { compileMany, compileManyCode, isConstantExpression } from "./expr/index.js";
import { psdFactor, psdWorkSize } from "./psd.js";
import type { Loss, NoiseModel } from "./types.js";

/** Relative tolerance below which a negative eigenvalue of Σ counts as round-off. */
/** Tolerance of the PSD checks: eigenvalues ≥ −PSD_TOL·scale count as round-off (clipped to 0). */
export const PSD_TOL = 1e-10;

function fmtPoint(x: Float64Array, d: number): string {
  return `(${Array.from(x.subarray(0, d), (v) => Number(v.toPrecision(6))).join(", ")})`;
}

/** Σ = 0. */
export function noNoise(d: number): NoiseModel {
  return {
    kind: "none",
    rank: 0,
    constant: true,
    constantDiagonal: new Float64Array(d),
    workSize: 0,
    covariance(_x, out) {
      out.fill(0, 0, d * d);
    },
    factor() {},
  };
}

/** Σ = diag(v) with constant variances v_i ≥ 0 (isotropic: all equal to σ²). */
export function constantDiagonalNoise(kind: "isotropic" | "diagonal", variances: Float64Array): NoiseModel {
  const d = variances.length;
  const sd = variances.map(Math.sqrt);
  return {
    kind,
    rank: d,
    constant: true,
    constantDiagonal: variances,
    workSize: 0,
    covariance(_x, out) {
      out.fill(0, 0, d * d);
      for (let i = 0; i < d; i++) out[i * d + i] = variances[i];
    },
    factor(_x, out) {
      out.fill(0, 0, d * d);
      for (let i = 0; i < d; i++) out[i * d + i] = sd[i];
    },
  };
}

/** Σ(x) = diag(v_1(x), …, v_d(x)) with entries given as expressions (checked ≥ 0 where evaluated). */
export function expressionDiagonalNoise(entries: readonly string[], varNames: readonly string[]): NoiseModel {
  const d = varNames.length;
  const f = compileMany(entries, varNames, "noise.diagonal");
  const code = compileManyCode(entries, varNames, "noise.diagonal");
  const v = new Float64Array(d);
  const eval1 = (x: Float64Array) => {
    f(x, v);
    for (let i = 0; i < d; i++) {
      if (!(v[i] >= -PSD_TOL * (1 + Math.abs(v[i])))) {
        throw new UserError(`variance ${i + 1} is ${v[i]} at x = ${fmtPoint(x, d)}; variances must be ≥ 0`, {
          where: `noise.diagonal[${i}]`,
        });
      }
    }
  };
  return {
    kind: "diagonal",
    rank: d,
    constant: entries.every((e, i) => isConstantExpression(e, varNames, `noise.diagonal[${i}]`)),
    workSize: 0,
    diagonalCode: code,
    covariance(x, out) {
      eval1(x);
      out.fill(0, 0, d * d);
      for (let i = 0; i < d; i++) out[i * d + i] = Math.max(v[i], 0);
    },
    factor(x, out) {
      eval1(x);
      out.fill(0, 0, d * d);
      for (let i = 0; i < d; i++) out[i * d + i] = Math.sqrt(Math.max(v[i], 0));
    },
  };
}

/**
 * Σ(x) given entry by entry as expressions; checked symmetric and positive semi-definite wherever it is
 * evaluated (a violation is a UserError naming the point and the offending eigenvalue).
 */
export function matrixNoise(entries: readonly string[], varNames: readonly string[]): NoiseModel {
  const d = varNames.length;
  const f = compileMany(entries, varNames, "noise.matrix");
  const s = new Float64Array(d * d);
  const work = new Float64Array(psdWorkSize(d));
  const evalChecked = (x: Float64Array) => {
    f(x, s);
    let scale = 0;
    for (let k = 0; k < d * d; k++) {
      if (!Number.isFinite(s[k])) {
        throw new UserError(`entry [${Math.floor(k / d)}][${k % d}] is ${s[k]} at x = ${fmtPoint(x, d)}`, {
          where: "noise.matrix",
        });
      }
      scale = Math.max(scale, Math.abs(s[k]));
    }
    for (let i = 0; i < d; i++) {
      for (let j = i + 1; j < d; j++) {
        if (Math.abs(s[i * d + j] - s[j * d + i]) > 1e-12 * (1 + scale)) {
          throw new UserError(
            `Σ is not symmetric at x = ${fmtPoint(x, d)}: entry [${i}][${j}] = ${s[i * d + j]} but [${j}][${i}] = ${s[j * d + i]}`,
            { where: "noise.matrix" },
          );
        }
      }
    }
    return scale;
  };
  return {
    kind: "matrix",
    rank: d,
    matrixCode: compileManyCode(entries, varNames, "noise.matrix"),
    constant: entries.every((e, k) => isConstantExpression(e, varNames, `noise.matrix[${k}]`)),
    workSize: d * d + psdWorkSize(d),
    covariance(x, out) {
      evalChecked(x);
      out.set(s);
    },
    factor(x, out, w) {
      const scale = evalChecked(x);
      const minEig = psdFactor(s, d, out, w.length >= psdWorkSize(d) ? w : work);
      if (minEig < -PSD_TOL * Math.max(scale, 1e-300)) {
        throw new UserError(
          `Σ is not positive semi-definite at x = ${fmtPoint(x, d)}: it has the eigenvalue ${minEig.toPrecision(4)}`,
          { where: "noise.matrix", hint: "a covariance matrix, symmetric with eigenvalues ≥ 0 everywhere" },
        );
      }
    },
  };
}

/** Σ(x) = c · P₊(∇²L(x)), the Hessian projected onto the PSD cone (negative curvature clipped). */
export function hessianNoise(loss: Loss, c: number): NoiseModel {
  const d = loss.dim;
  const h = new Float64Array(d * d);
  const g = new Float64Array(d * d);
  const work = new Float64Array(psdWorkSize(d));
  return {
    kind: "hessian",
    rank: d,
    constant: false,
    workSize: psdWorkSize(d),
    hessianScale: c,
    covariance(x, out) {
      loss.hessian(x, h);
      psdFactor(h, d, g, work);
      // out = c G Gᵀ
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let acc = 0;
          for (let k = 0; k < d; k++) acc += g[i * d + k] * g[j * d + k];
          out[i * d + j] = c * acc;
        }
      }
    },
    factor(x, out, w) {
      loss.hessian(x, h);
      psdFactor(h, d, out, w.length >= psdWorkSize(d) ? w : work);
      const sc = Math.sqrt(c);
      for (let k = 0; k < d * d; k++) out[k] *= sc;
    },
  };
}

/** Σ(x) = c · max(L(x), 0) · I (loss-proportional noise; L is clipped at 0, which is documented). */
export function lossNoise(loss: Loss, c: number): NoiseModel {
  const d = loss.dim;
  return {
    kind: "loss",
    rank: d,
    constant: false,
    workSize: 0,
    lossScale: c,
    covariance(x, out) {
      const v = c * Math.max(loss.value(x), 0);
      out.fill(0, 0, d * d);
      for (let i = 0; i < d; i++) out[i * d + i] = v;
    },
    factor(x, out) {
      const s = Math.sqrt(c * Math.max(loss.value(x), 0));
      out.fill(0, 0, d * d);
      for (let i = 0; i < d; i++) out[i * d + i] = s;
    },
  };
}

/**
 * The empirical covariance of a finite sum: Σ(x) = (1/N) Σ_i (∇ℓ_i − ∇L)(∇ℓ_i − ∇L)ᵀ, kept as the
 * d × N factor with columns (∇ℓ_i − ∇L)/√N (DESIGN.md §1). Rank ≤ min(d, N − 1).
 */
export function empiricalNoise(loss: Loss): NoiseModel {
  const fs = loss.finiteSum;
  if (!fs) {
    throw new UserError(
      "the empirical noise model needs a finite sum (loss: { samples: [...] } or a model)",
      {
        where: "noise",
        hint: "isotropic, diagonal, matrix, hessian or loss for an analytic loss",
      },
    );
  }
  const d = loss.dim;
  const n = fs.n;
  const gi = new Float64Array(d);
  const mean = new Float64Array(d);
  const all = new Float64Array(n * d);
  const fill = (x: Float64Array) => {
    mean.fill(0);
    for (let i = 0; i < n; i++) {
      fs.sampleGradient(i, x, gi);
      for (let k = 0; k < d; k++) {
        all[i * d + k] = gi[k];
        mean[k] += gi[k];
      }
    }
    for (let k = 0; k < d; k++) mean[k] /= n;
  };
  const isq = 1 / Math.sqrt(n);
  return {
    kind: "empirical",
    rank: n,
    constant: false,
    workSize: 0,
    covariance(x, out) {
      fill(x);
      out.fill(0, 0, d * d);
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < d; a++) {
          const ua = all[i * d + a] - mean[a];
          for (let b = 0; b < d; b++) out[a * d + b] += ua * (all[i * d + b] - mean[b]);
        }
      }
      for (let k = 0; k < d * d; k++) out[k] /= n;
    },
    factor(x, out) {
      fill(x);
      for (let a = 0; a < d; a++) {
        for (let i = 0; i < n; i++) out[a * n + i] = (all[i * d + a] - mean[a]) * isq;
      }
    },
  };
}
