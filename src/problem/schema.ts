/**
 * The problem-file schema (zod). Every violation becomes one UserError naming its path in the file
 * (e.g. `noise.matrix[0][1]`) and what would be valid.
 */
import { z } from "zod";
import { UserError } from "../errors.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_BUT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const finite = z.number().refine(Number.isFinite, { message: "must be a finite number" });
const exprOrNumber = z.union([finite, z.string().min(1)]);

const noiseObject = z
  .object({
    isotropic: finite.refine((v) => v >= 0, { message: "the variance σ² must be ≥ 0" }),
    diagonal: z.array(exprOrNumber).min(1),
    matrix: z.array(z.array(exprOrNumber).min(1)).min(1),
    hessian: finite.refine((v) => v >= 0, { message: "the factor c must be ≥ 0" }),
    loss: finite.refine((v) => v >= 0, { message: "the factor c must be ≥ 0" }),
    empirical: z.literal(true),
  })
  .partial()
  .strict()
  .refine((o) => Object.keys(o).length === 1, {
    message: "give exactly one noise model",
  });

export const noiseSchema = z.union([z.enum(["empirical", "none"]), noiseObject]);

const samplesLoss = z.object({ samples: z.array(z.string().min(1)).min(1) }).strict();

const interval = z
  .tuple([finite, finite])
  .refine(([lo, hi]) => lo < hi, { message: "each interval must be [lo, hi] with lo < hi" })
  .refine(([lo, hi]) => Number.isFinite(hi - lo), {
    message: "the width hi − lo of each interval must be a finite number (it overflows here)",
  });

export const problemSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .refine((s) => !CONTROL.test(s), {
        message: "must be one line of printable text (no control characters or escape sequences)",
      }),
    description: z
      .string()
      .refine((s) => !CONTROL_BUT_NEWLINE.test(s), {
        message: "must be printable text (no control characters or escape sequences; newlines are fine)",
      })
      .optional(),
    /** "expression" | { samples: [...] } | { model: ... } (validated by the models schema). */
    loss: z.union([z.string().min(1), samplesLoss, z.object({ model: z.string() }).passthrough()]),
    vars: z
      .array(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "a variable name is a plain identifier" }),
      )
      .min(1)
      .optional(),
    noise: noiseSchema.optional(),
    lr: finite.refine((v) => v > 0, { message: "the learning rate η must be > 0" }),
    batch: z.number().int({ message: "the batch size must be a whole number" }).min(1, {
      message: "the batch size must be ≥ 1",
    }),
    replacement: z.boolean().optional(),
    delta: finite.refine((v) => v >= 0, { message: "the Noisy-SGD noise δ must be ≥ 0" }).optional(),
    momentum: finite
      .refine((v) => v >= 0 && v < 1, { message: "the heavy-ball momentum β must be in [0, 1)" })
      .optional(),
    domain: z.array(interval).min(1).optional(),
    start: z.array(finite).min(1).optional(),
    target: z.string().min(1).optional(),
  })
  .strict();

export type ProblemSpec = z.output<typeof problemSchema>;

export function zodPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const k of path) s += typeof k === "number" ? `[${k}]` : s === "" ? String(k) : `.${String(k)}`;
  return s || "(top level)";
}

const HINTS: Record<string, string> = {
  noise:
    'one of "empirical", "none", { isotropic: σ² }, { diagonal: [v1, ...] }, { matrix: [[...], ...] }, { hessian: c }, { loss: c }',
  loss: 'an expression such as "x^4/4 - x^2/2", { samples: ["...", ...] } or { model: linear|logistic|phase-retrieval|mlp, data: ... }',
  domain: "a box, one [lo, hi] per dimension, e.g. [[-3, 3], [-2, 2]]",
};

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: Issue[][];
  expected?: string;
}

/** The most informative issue: inside a union, the branch that got furthest. */
function pickIssue(issue: Issue): Issue {
  if (issue.code === "invalid_union" && issue.errors && issue.errors.length > 0) {
    let best: Issue | undefined;
    for (const branch of issue.errors) {
      for (const sub of branch) {
        if (sub.code === "invalid_type" && sub.path.length === 0) continue;
        const cand = pickIssue({ ...sub, path: [...issue.path, ...sub.path] });
        if (!best || cand.path.length > best.path.length) best = cand;
      }
    }
    if (best) return best;
  }
  return issue;
}

function valueAt(v: unknown, path: readonly PropertyKey[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

/** Validates a parsed problem file; throws one UserError for the first problem found. */
export function validateProblemSpec(spec: unknown, file = "problem"): ProblemSpec {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new UserError(
      "a problem file must be a mapping of keys (name, loss, noise, lr, batch, domain, ...)",
      {
        where: file,
      },
    );
  }
  const r = problemSchema.safeParse(spec);
  if (r.success) return r.data;
  const issue = pickIssue(r.error.issues[0] as unknown as Issue);
  const path = zodPath(issue.path);
  const top = String(issue.path[0] ?? "");
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    const allowed = issue.path.length === 0 ? Object.keys(problemSchema.shape).join(", ") : undefined;
    message = `unknown key${issue.keys && issue.keys.length > 1 ? "s" : ""} ${issue.keys?.map((k) => `'${k}'`).join(", ")}`;
    throw new UserError(message, { where: `${file}: ${path}`, hint: allowed ?? HINTS[top] });
  }
  if (valueAt(spec, issue.path) === undefined) message = "is required";
  throw new UserError(message, { where: `${file}: ${path}`, hint: HINTS[top] });
}
