/**
 * problem file (plain JSON) → validated, compiled Problem.
 */
import { UserError } from "../errors.js";
import {
  CONSTANTS,
  compileMean,
  compileRegion,
  compileSampleFamily,
  compileScalar,
  defaultVarNames,
  FUNCTIONS,
  identifiersIn,
} from "./expr/index.js";
import { buildModelLoss } from "./models/index.js";
import {
  constantDiagonalNoise,
  empiricalNoise,
  expressionDiagonalNoise,
  hessianNoise,
  lossNoise,
  matrixNoise,
  noNoise,
} from "./noise.js";
import { type ProblemSpec, validateProblemSpec } from "./schema.js";
import type { Loss, NoiseModel, Problem } from "./types.js";

export interface ProblemContext {
  /** Reads a file named in the problem (CSV data). The core never touches the file system itself. */
  readText?: (path: string) => string;
  /** Name of the file for error messages (default "problem"). */
  file?: string;
}

const XYZ = ["x", "y", "z"];

/** Most coordinates an analytic loss may have (x1..xd): its Hessian alone is d² numbers. */
export const MAX_ANALYTIC_DIM = 1000;

/** Names that are properties of every JavaScript object: never variable or region names (they become keys). */
export function reservedName(v: string): boolean {
  return v.startsWith("__") || v in Object.prototype;
}

/**
 * Column names the result files write beside one column per variable (snapshots.arrow, particles.arrow,
 * pde-density.arrow, density.arrow, stationary.csv): a variable of that name would overwrite the column.
 */
export const OUTPUT_COLUMNS: readonly string[] = [
  "snapshot",
  "particle",
  "time",
  "step",
  "projection",
  "density",
  "class",
  "basin",
  "probability",
];

/** True when a variable named `v` would collide with an output column (also density_t0, density_stationary, …). */
export function outputColumnName(v: string): boolean {
  return OUTPUT_COLUMNS.includes(v) || v.startsWith("density_");
}

/** "1.5" | "NaN" | "∞" | "-∞" for messages. */
function show(v: number): string {
  return Number.isNaN(v) ? "NaN" : Number.isFinite(v) ? String(v) : v > 0 ? "∞" : "-∞";
}

/** Infers the variable names of an analytic problem: x | x,y | x,y,z | x1..xd (or `vars`). */
function inferVarNames(spec: ProblemSpec, sources: string[], file: string): string[] {
  if (spec.vars) {
    for (const v of spec.vars) {
      if (FUNCTIONS.has(v) || CONSTANTS.has(v)) {
        throw new UserError(`'${v}' is a function or constant name and cannot be a variable`, {
          where: `${file}: vars`,
        });
      }
    }
    for (const v of spec.vars) {
      if (reservedName(v)) {
        throw new UserError(`'${v}' is reserved and cannot be a variable name`, {
          where: `${file}: vars`,
          hint: "plain names such as w, b, theta1",
        });
      }
      if (outputColumnName(v)) {
        throw new UserError(
          `'${v}' names a column of the result files (${OUTPUT_COLUMNS.join(", ")}, density_*) and cannot be a variable name`,
          { where: `${file}: vars`, hint: "another name, e.g. t1 or w" },
        );
      }
    }
    if (spec.vars.length > MAX_ANALYTIC_DIM) {
      throw new UserError(`${spec.vars.length} variables are too many for an analytic loss`, {
        where: `${file}: vars`,
        hint: `at most ${MAX_ANALYTIC_DIM}`,
      });
    }
    if (new Set(spec.vars).size !== spec.vars.length) {
      throw new UserError("variable names must be distinct", { where: `${file}: vars` });
    }
    return [...spec.vars];
  }
  const names = new Set<string>();
  for (const s of sources) for (const n of identifiersIn(s)) if (!CONSTANTS.has(n)) names.add(n);
  const domainDim = spec.domain?.length;
  let indexed = 0;
  let lettered = 0;
  for (const n of names) {
    const m = /^x([1-9][0-9]*)$/.exec(n);
    if (m) indexed = Math.max(indexed, Number(m[1]));
    else if (XYZ.includes(n)) lettered = Math.max(lettered, XYZ.indexOf(n) + 1);
  }
  if (indexed > 0 && lettered > 0) {
    throw new UserError("mixes x, y, z with x1, x2, ...; use one naming", {
      where: `${file}: loss`,
      hint: "x | x,y | x,y,z | x1..xd, or list the names under vars",
    });
  }
  const d = domainDim ?? Math.max(indexed, lettered, 1);
  if (Math.max(d, indexed) > MAX_ANALYTIC_DIM) {
    throw new UserError(
      `an analytic loss in ${Math.max(d, indexed)} dimensions is too large (its Hessian has d² entries)`,
      {
        where: `${file}: ${domainDim !== undefined && domainDim >= indexed ? "domain" : "loss"}`,
        hint: `at most ${MAX_ANALYTIC_DIM} coordinates (x1..x${MAX_ANALYTIC_DIM}); larger models: loss: { model: ... }`,
      },
    );
  }
  if (Math.max(indexed, lettered) > d) {
    throw new UserError(
      `the loss uses ${Math.max(indexed, lettered)} coordinates but the domain has ${d} interval(s)`,
      { where: `${file}: domain`, hint: "one [lo, hi] per dimension" },
    );
  }
  return indexed === 0 && d <= 3 ? defaultVarNames(d) : Array.from({ length: d }, (_, i) => `x${i + 1}`);
}

function lossFromExpression(src: string, varNames: string[], file: string): Loss {
  const f = compileScalar(src, varNames, `${file}: loss`);
  return {
    dim: varNames.length,
    value: f.value,
    gradient: f.gradient,
    hessian: f.hessian,
    gradientCode: f.gradientCode,
    hessianCode: f.hessianCode,
    valueCode: f.valueCode,
  };
}

/**
 * Most sample expressions of a finite-sum loss: each is compiled on its own (value, gradient) beside the mean
 * (≈ 2 ms of compilation each, and the generated mean grows with N); larger data sets are a model loss.
 */
export const MAX_SAMPLE_EXPRESSIONS = 5000;

function lossFromSamples(srcs: string[], varNames: string[], file: string): Loss {
  if (srcs.length > MAX_SAMPLE_EXPRESSIONS) {
    throw new UserError(`${srcs.length} sample expressions are too many to compile`, {
      where: `${file}: loss.samples`,
      hint: `at most ${MAX_SAMPLE_EXPRESSIONS}; a larger data set as loss: { model: linear|logistic|mlp, data: { csv: FILE, target: COLUMN } }`,
    });
  }
  const { mean, parts } = compileMean(srcs, varNames, `${file}: loss.samples`);
  // samples that differ only in numeric literals: one compiled gradient with a table of per-sample literals
  const family = compileSampleFamily(srcs, varNames, `${file}: loss.samples`);
  return {
    dim: varNames.length,
    value: mean.value,
    gradient: mean.gradient,
    hessian: mean.hessian,
    gradientCode: mean.gradientCode,
    hessianCode: mean.hessianCode,
    valueCode: mean.valueCode,
    finiteSum: {
      n: parts.length,
      ...(family
        ? {
            sampleGradient: family.sampleGradient,
            sampleValue: family.sampleValue,
            family: {
              params: family.params,
              table: family.table,
              gradientCode: family.gradientCode,
              affine: family.affine,
              gradientAt: family.gradientAt,
            },
          }
        : {
            sampleGradient: (i: number, x: Float64Array, g: Float64Array) => parts[i].gradient(x, g),
            sampleValue: (i: number, x: Float64Array) => parts[i].value(x),
            sampleGradientCode: parts.map((q) => q.gradientCode),
          }),
    },
  };
}

function buildNoise(spec: ProblemSpec, loss: Loss, varNames: string[], file: string): NoiseModel {
  const d = varNames.length;
  const n = spec.noise ?? (loss.finiteSum ? "empirical" : undefined);
  if (n === undefined) {
    throw new UserError("is required for an analytic loss (there are no samples to estimate it from)", {
      where: `${file}: noise`,
      hint: "{ isotropic: σ² }, { diagonal: [...] }, { matrix: [[...]] }, { hessian: c }, { loss: c } or none",
    });
  }
  if (n === "none") return noNoise(d);
  if (n === "empirical" || n.empirical) return empiricalNoise(loss);
  if (n.isotropic !== undefined)
    return constantDiagonalNoise("isotropic", new Float64Array(d).fill(n.isotropic));
  if (n.diagonal) {
    if (n.diagonal.length !== d) {
      throw new UserError(`has ${n.diagonal.length} entries but the problem has dimension ${d}`, {
        where: `${file}: noise.diagonal`,
      });
    }
    if (n.diagonal.every((v) => typeof v === "number")) {
      const v = Float64Array.from(n.diagonal as number[]);
      const bad = v.findIndex((x) => x < 0);
      if (bad >= 0)
        throw new UserError("variances must be ≥ 0", { where: `${file}: noise.diagonal[${bad}]` });
      return constantDiagonalNoise("diagonal", v);
    }
    return expressionDiagonalNoise(n.diagonal.map(String), varNames);
  }
  if (n.matrix) {
    if (n.matrix.length !== d || n.matrix.some((r) => r.length !== d)) {
      throw new UserError(`must be ${d}×${d} (the problem's dimension)`, { where: `${file}: noise.matrix` });
    }
    return matrixNoise(n.matrix.flat().map(String), varNames);
  }
  if (n.hessian !== undefined) return hessianNoise(loss, n.hessian);
  if (n.loss !== undefined) return lossNoise(loss, n.loss);
  throw new UserError("give exactly one noise model", { where: `${file}: noise` });
}

/** A UserError located in the file but not naming it ("noise.matrix: ...") gets the file's name in front. */
function inFile(e: unknown, file: string): unknown {
  if (!(e instanceof UserError) || !e.where || e.where.startsWith(`${file}: `)) return e;
  let msg = e.message.slice(e.where.length + 2);
  const tail = e.hint ? ` (valid: ${e.hint})` : "";
  if (tail && msg.endsWith(tail)) msg = msg.slice(0, -tail.length);
  return new UserError(msg, { where: `${file}: ${e.where}`, hint: e.hint });
}

/**
 * Throws a UserError when the loss or its gradient is not finite at `x` (`at` says what x is, e.g.
 * "the start point"). Used on the problem file's start/domain and on the CLI's --from.
 */
export function checkFiniteLoss(loss: Loss, x: Float64Array, where: string, at: string): void {
  const g = new Float64Array(loss.dim);
  const v = loss.gradient(x, g);
  const pt = `x = (${Array.from(x, show).join(", ")})`;
  const hint =
    "a loss with a finite value and gradient where the dynamics start (check log, sqrt, divisions)";
  if (!Number.isFinite(v)) throw new UserError(`the loss is ${show(v)} at ${pt}, ${at}`, { where, hint });
  const bad = g.findIndex((c) => !Number.isFinite(c));
  if (bad >= 0) {
    throw new UserError(
      `the gradient of the loss is ${show(g[bad])} in coordinate ${bad + 1} at ${pt}, ${at}`,
      {
        where,
        hint,
      },
    );
  }
}

/** Validates and compiles a problem spec (the parsed YAML/JSON file). Throws UserError on bad input. */
export function problemFromSpec(raw: unknown, ctx: ProblemContext = {}): Problem {
  const file = ctx.file ?? "problem";
  const spec = validateProblemSpec(raw, file);
  let loss: Loss;
  let varNames: string[];
  let description = spec.description;
  let init: Float64Array | undefined;
  if (typeof spec.loss === "string" || "samples" in spec.loss) {
    const lossSrcs =
      typeof spec.loss === "string" ? [spec.loss] : (spec.loss as { samples: string[] }).samples;
    const extra: string[] = [];
    const nz = spec.noise;
    if (nz && typeof nz === "object") {
      for (const v of nz.diagonal ?? []) if (typeof v === "string") extra.push(v);
      for (const row of nz.matrix ?? []) for (const v of row) if (typeof v === "string") extra.push(v);
    }
    varNames = inferVarNames(spec, [...lossSrcs, ...extra], file);
    loss =
      typeof spec.loss === "string"
        ? lossFromExpression(spec.loss, varNames, file)
        : lossFromSamples(lossSrcs, varNames, file);
  } else {
    if (spec.vars) {
      throw new UserError("applies only to an expression or samples loss; a model names its own parameters", {
        where: `${file}: vars`,
        hint: "remove vars: a model's parameters are x1..xd",
      });
    }
    const built = buildModelLoss(spec.loss, { readText: ctx.readText, where: `${file}: loss` });
    loss = built.loss;
    varNames = built.varNames;
    init = built.init;
    description = description ?? built.description;
  }
  const d = varNames.length;
  if (spec.domain && spec.domain.length !== d) {
    throw new UserError(`has ${spec.domain.length} interval(s) but the problem has dimension ${d}`, {
      where: `${file}: domain`,
      hint: "one [lo, hi] per dimension",
    });
  }
  if (spec.start && spec.start.length !== d) {
    throw new UserError(`has ${spec.start.length} coordinate(s) but the problem has dimension ${d}`, {
      where: `${file}: start`,
    });
  }
  if (spec.target) compileRegion(spec.target, varNames, `${file}: target`);
  let noise: NoiseModel;
  try {
    noise = buildNoise(spec, loss, varNames, file);
  } catch (e) {
    throw inFile(e, file);
  }
  const replacement = spec.replacement ?? true;
  const nSamples = loss.finiteSum?.n;
  let batchScale: number;
  if (replacement) {
    batchScale = 1 / spec.batch;
  } else {
    if (nSamples === undefined) {
      throw new UserError("sampling without replacement needs a finite sum (N samples)", {
        where: `${file}: replacement`,
        hint: "true for an analytic loss",
      });
    }
    if (spec.batch > nSamples) {
      throw new UserError(`the batch size ${spec.batch} exceeds the number of samples N = ${nSamples}`, {
        where: `${file}: batch`,
        hint: `1..${nSamples} without replacement`,
      });
    }
    batchScale = nSamples === 1 ? 0 : (nSamples - spec.batch) / (spec.batch * (nSamples - 1));
  }
  // Check the noise model once where it will first be used, so a broken Σ fails before any run.
  const probe = Float64Array.from(
    spec.start ??
      (spec.domain ? spec.domain.map(([lo, hi]) => (lo + hi) / 2) : (init ?? new Float64Array(d))),
  );
  // The loss must be a finite number with a finite gradient there (log, sqrt, 1/0, ...).
  if (spec.start || spec.domain || init) {
    const at = spec.start
      ? "the start point"
      : spec.domain
        ? "the centre of the domain, where sgdscope probes it when no start: is given (give start: a point where it is finite)"
        : "the initial point";
    checkFiniteLoss(loss, probe, `${file}: loss`, at);
  }
  const fac = new Float64Array(d * Math.max(noise.rank, 1));
  try {
    noise.factor(probe, fac, new Float64Array(noise.workSize));
  } catch (e) {
    throw inFile(e, file);
  }
  const start = spec.start ?? (init ? Array.from(init) : undefined);
  return {
    name: spec.name,
    description,
    dim: d,
    varNames,
    loss,
    noise,
    lr: spec.lr,
    batch: spec.batch,
    replacement,
    batchScale,
    delta: spec.delta ?? 0,
    momentum: spec.momentum ?? 0,
    domain:
      spec.domain ??
      Array.from({ length: d }, () => [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const),
    start,
    target: spec.target,
    spec: raw,
  };
}
