/**
 * The `loss: { model: ... }` section of a problem file: zod schema and the builder that turns it into
 * a finite-sum `Loss` with per-sample gradients (DESIGN.md §1: L = (1/N) Σ_i ℓ_i).
 */
import { z } from "zod";
import { UserError } from "../../errors.js";
import { Rng } from "../../random/rng.js";
import type { Loss } from "../types.js";
import {
  type Dataset,
  datasetFromCsv,
  gaussianDesign,
  irisData,
  standardize,
  type TargetKind,
  teacherData,
  twoMoons,
  xorData,
} from "./data.js";
import { GlmLoss } from "./glm.js";
import { MlpLoss } from "./mlp.js";

/** Largest generated design, in feature values (n·dim): 2·10⁷ doubles = 160 MB. */
export const MAX_CELLS = 20_000_000;

/**
 * Largest MLP: its parameter count d (every particle holds d numbers, the landscape's Hessian d², the
 * noise factor d × B) and the work of one full gradient, n samples × d multiply-adds.
 */
export const MAX_MLP_PARAMS = 100_000;
export const MAX_MLP_GRADIENT_WORK = 1e9;

/** Refuses an MLP whose size would exhaust memory or make one step take minutes, naming the key. */
function checkMlpSize(n: number, sizes: readonly number[], bias: boolean, where: string): void {
  let params = 0;
  for (let l = 0; l + 1 < sizes.length; l++) params += (sizes[l] + (bias ? 1 : 0)) * sizes[l + 1];
  const shape = sizes.join("→");
  if (params > MAX_MLP_PARAMS) {
    throw new UserError(`an MLP ${shape} has ${params} parameters, too many`, {
      where: `${where}.hidden`,
      hint: `at most ${MAX_MLP_PARAMS} parameters (inputs, hidden widths and ${sizes[sizes.length - 1]} outputs/classes together): smaller hidden layers or fewer classes`,
    });
  }
  if (n * params > MAX_MLP_GRADIENT_WORK || n * sizes[sizes.length - 1] > MAX_CELLS) {
    throw new UserError(
      `an MLP ${shape} on ${n} samples needs ${(n * params).toExponential(1)} multiply-adds per full gradient`,
      {
        where: `${where}.hidden`,
        hint: `at most ${MAX_MLP_GRADIENT_WORK.toExponential(0)}: fewer samples or a smaller network`,
      },
    );
  }
}

const generateSchema = z
  .object({
    generate: z.enum(["gaussian", "two-moons", "xor", "teacher"]),
    /** Number of samples N. */
    n: z.number().int().min(1).max(1_000_000).default(200),
    /** Feature dimension p (gaussian, teacher; two-moons and xor are 2-D). Default 5. */
    dim: z.number().int().min(1).max(100_000).optional(),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    /** Standard deviation of the target noise (gaussian, teacher) or feature jitter (two-moons, xor). */
    noise: z.number().min(0).default(0.1),
  })
  .strict();

const csvSchema = z
  .object({
    /** Path of a CSV file with a header row, read through ctx.readText. */
    csv: z.string().min(1),
    target: z.string().min(1),
    features: z.array(z.string().min(1)).min(1).optional(),
    /** Shift and scale every feature to mean 0, variance 1. */
    standardize: z.boolean().default(false),
  })
  .strict();

const builtinSchema = z
  .object({
    builtin: z.enum(["iris"]),
    standardize: z.boolean().default(false),
  })
  .strict();

/** zod (v4) schema of the `loss` section for data-driven models. Objects are strict. */
export const modelLossSchema = z
  .object({
    model: z.enum(["linear", "logistic", "phase-retrieval", "mlp"]),
    data: z.union([generateSchema, csvSchema, builtinSchema]),
    /** MLP hidden widths, 1 or 2 layers (default [8]). */
    hidden: z.array(z.number().int().min(1).max(4096)).min(1).max(2).optional(),
    activation: z.enum(["tanh", "relu"]).optional(),
    output: z.enum(["softmax", "squared"]).optional(),
    /** Intercept / bias terms (default: true, except phase retrieval: false). */
    bias: z.boolean().optional(),
    /** Ridge penalty λ: ℓ_i += (λ/2)‖x‖². */
    l2: z.number().min(0).default(0),
    /** Seed of the initial point (default: the data seed, or 1). */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.model !== "mlp") {
      for (const k of ["hidden", "activation", "output"] as const) {
        if (v[k] !== undefined) {
          ctx.addIssue({ code: "custom", path: [k], message: `"${k}" applies only to model: mlp` });
        }
      }
    }
    if ("generate" in v.data) {
      const g = v.data.generate;
      if ((g === "two-moons" || g === "xor") && v.data.dim !== undefined && v.data.dim !== 2) {
        ctx.addIssue({ code: "custom", path: ["data", "dim"], message: `${g} data are 2-dimensional` });
      }
      if (v.data.n * (v.data.dim ?? 5) > MAX_CELLS) {
        ctx.addIssue({
          code: "custom",
          path: ["data"],
          message: `n·dim = ${v.data.n * (v.data.dim ?? 5)} feature values is too large (at most ${MAX_CELLS})`,
        });
      }
    }
  });

export type ModelLossSpec = z.input<typeof modelLossSchema>;
export type ModelLossParsed = z.output<typeof modelLossSchema>;

export interface ModelLossContext {
  /** Returns the text of a file named in the problem (CSV data). The core never reads files itself. */
  readText?: (path: string) => string;
  /** Prefix for error locations, e.g. "problem.yaml: loss" (default "loss"). */
  where?: string;
}

export interface BuiltModelLoss {
  loss: Loss;
  /** x1..xd. */
  varNames: string[];
  /** Deterministic initial point (zeros for linear/logistic; small Gaussian for phase retrieval and MLP). */
  init: Float64Array;
  description: string;
  /** The data the loss was built on. */
  data: Dataset;
}

function zodPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const k of path) s += typeof k === "number" ? `[${k}]` : `.${String(k)}`;
  return s;
}

/** Validates with modelLossSchema, turning the first zod issue into a UserError with its path. */
export function parseModelLoss(spec: unknown, where = "loss"): ModelLossParsed {
  const r = modelLossSchema.safeParse(spec);
  if (r.success) return r.data;
  let issue = r.error.issues[0];
  let hint: string | undefined;
  const data = (spec as { data?: unknown } | null)?.data;
  if (issue.code === "invalid_union" && data && typeof data === "object") {
    // report against the form the user chose, picked by its key
    const branch =
      "generate" in data
        ? generateSchema
        : "csv" in data
          ? csvSchema
          : "builtin" in data
            ? builtinSchema
            : null;
    const br = branch?.safeParse(data);
    if (br && !br.success) issue = { ...br.error.issues[0], path: ["data", ...br.error.issues[0].path] };
  }
  if (issue.code === "invalid_union") {
    hint =
      "data is one of { generate: gaussian|two-moons|xor|teacher, n, dim, seed, noise }, " +
      "{ csv: file, target: column, features: [..], standardize }, { builtin: iris, standardize }";
  }
  throw new UserError(issue.message, { where: where + zodPath(issue.path), hint });
}

function targetKind(model: ModelLossParsed["model"], output: string): TargetKind {
  if (model === "logistic" || (model === "mlp" && output === "softmax")) return "binary";
  if (model === "phase-retrieval") return "phase";
  return "linear";
}

function loadData(s: ModelLossParsed, ctx: ModelLossContext, where: string): Dataset {
  const d = s.data;
  if ("generate" in d) {
    const kind = targetKind(s.model, s.output ?? "softmax");
    const p = d.dim ?? 5;
    switch (d.generate) {
      case "gaussian":
        return gaussianDesign(d.n, p, d.seed, d.noise, kind);
      case "teacher":
        return teacherData(d.n, p, d.seed, d.noise, kind);
      case "two-moons":
        return twoMoons(d.n, d.seed, d.noise);
      default:
        return xorData(d.n, d.seed, d.noise);
    }
  }
  if ("csv" in d) {
    if (!ctx.readText) {
      throw new UserError("CSV data need a file reader (none was given)", { where: `${where}.data.csv` });
    }
    let text: string;
    try {
      text = ctx.readText(d.csv);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot read ${JSON.stringify(d.csv)}: ${(e as Error).message}`, {
        where: `${where}.data.csv`,
      });
    }
    // logistic and softmax read class labels; linear and phase retrieval numbers; a squared-loss MLP either
    // (class names become one-hot targets)
    const classification =
      s.model === "logistic" || (s.model === "mlp" && (s.output ?? "softmax") === "softmax")
        ? true
        : s.model === "mlp"
          ? undefined
          : false;
    const ds = datasetFromCsv(text, { target: d.target, features: d.features, classification, where: d.csv });
    return d.standardize ? standardize(ds) : ds;
  }
  const ds = irisData();
  return d.standardize ? standardize(ds) : ds;
}

/**
 * Builds the finite-sum loss of a `loss: { model: ... }` section (validated here with modelLossSchema).
 * Bad specs and bad data (missing column, non-numeric cell, wrong class count) throw `UserError`.
 */
export function buildModelLoss(spec: unknown, ctx: ModelLossContext = {}): BuiltModelLoss {
  const where = ctx.where ?? "loss";
  const s = parseModelLoss(spec, where);
  const data = loadData(s, ctx, where);
  const l2 = s.l2;
  const initSeed = s.seed ?? ("seed" in s.data ? s.data.seed : 1);
  const rng = new Rng(initSeed, 7);
  let loss: Loss;
  let init: Float64Array;
  let what: string;
  if (s.model === "mlp") {
    const activation = s.activation ?? "tanh";
    const output = s.output ?? "softmax";
    const hidden = s.hidden ?? [8];
    const bias = s.bias ?? true;
    let outputs: number;
    let targets: Float64Array;
    if (output === "softmax") {
      if (data.classes < 2) {
        throw new UserError(
          `softmax output needs class labels, but the target ${JSON.stringify(data.targetName)} is real-valued`,
          { where: `${where}.output`, hint: "output: squared for regression" },
        );
      }
      outputs = data.classes;
      targets = data.y;
    } else if (data.classes >= 2) {
      // squared loss on class labels: one-hot targets
      outputs = data.classes;
      targets = new Float64Array(data.n * outputs);
      for (let i = 0; i < data.n; i++) targets[i * outputs + data.y[i]] = 1;
    } else {
      outputs = 1;
      targets = data.y;
    }
    checkMlpSize(data.n, [data.p, ...hidden, outputs], bias, where);
    const m = new MlpLoss(data.X, targets, data.n, data.p, outputs, { hidden, activation, output, bias, l2 });
    loss = m;
    init = m.initialParams(() => rng.normal());
    what =
      `MLP ${m.sizes.join("→")} (${activation}, ${output === "softmax" ? "softmax cross-entropy" : "squared loss"}` +
      `${bias ? ", biases" : ", no biases"})`;
  } else {
    const bias = s.bias ?? s.model !== "phase-retrieval";
    if (s.model === "logistic") {
      const binary = data.classes === 2 || (data.classes === 0 && data.y.every((v) => v === 0 || v === 1));
      if (!binary) {
        throw new UserError(
          data.classes > 2
            ? `logistic regression needs 2 classes; the data have ${data.classes}`
            : `logistic regression needs labels 0/1; the target ${JSON.stringify(data.targetName)} has other values`,
          { where: `${where}.model`, hint: "model: mlp with output: softmax for more classes" },
        );
      }
    }
    const g = new GlmLoss(s.model, data.X, data.y, data.n, data.p, { bias, l2 });
    loss = g;
    init = new Float64Array(g.dim);
    if (s.model === "phase-retrieval") {
      // x = 0 is a critical point of phase retrieval: start from a small random point instead
      for (let j = 0; j < g.dim; j++) init[j] = 0.1 * rng.normal();
    }
    const name =
      s.model === "linear"
        ? "linear regression"
        : s.model === "logistic"
          ? "logistic regression"
          : "phase retrieval";
    what = `${name} (${bias ? "with" : "no"} intercept)`;
  }
  const d = loss.dim;
  const varNames = Array.from({ length: d }, (_, j) => `x${j + 1}`);
  const description = `${what} on ${data.source}; N=${data.n}, d=${d} parameters${l2 > 0 ? `, l2=${l2}` : ""}`;
  return { loss, varNames, init, description, data };
}
