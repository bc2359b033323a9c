/** Hand-written Problems for the PDE tests (independent of problemFromSpec). */
import { compileRegion, compileScalar } from "../../src/problem/expr/index.js";
import type { Box, NoiseModel, Problem } from "../../src/problem/types.js";

export function names(d: number): string[] {
  return d === 1 ? ["x"] : d === 2 ? ["x", "y"] : ["x", "y", "z"];
}

/** Σ(x) given by a function writing a row-major d×d matrix. */
export function noiseFrom(
  d: number,
  cov: (x: Float64Array, out: Float64Array) => void,
  constant = false,
): NoiseModel {
  return {
    kind: "matrix",
    rank: d,
    constant,
    covariance: cov,
    factor() {
      throw new Error("factor not needed in PDE tests");
    },
    workSize: 0,
  };
}

export function isotropic(d: number, s2: number): NoiseModel {
  return noiseFrom(
    d,
    (_x, out) => {
      out.fill(0, 0, d * d);
      for (let k = 0; k < d; k++) out[k * d + k] = s2;
    },
    true,
  );
}

export function makeProblem(opts: {
  loss: string;
  dim: number;
  noise: NoiseModel;
  lr: number;
  domain: Box;
  batch?: number;
  delta?: number;
}): Problem {
  const vars = names(opts.dim);
  const loss = compileScalar(opts.loss, vars);
  const batch = opts.batch ?? 1;
  return {
    name: "fixture",
    dim: opts.dim,
    varNames: vars,
    loss,
    noise: opts.noise,
    lr: opts.lr,
    batch,
    replacement: true,
    batchScale: 1 / batch,
    delta: opts.delta ?? 0,
    domain: opts.domain,
    spec: {},
  };
}

export function region(src: string, dim: number) {
  return compileRegion(src, names(dim));
}
