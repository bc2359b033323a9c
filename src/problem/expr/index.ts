/**
 * The expression language of problem files: parse (whitelisted grammar) → DAG → exact derivatives →
 * straight-line code. See parse.ts for the grammar and codegen.ts for why compiling is safe.
 */
import { UserError } from "../../errors.js";
import { compileNode, emitBody, type GradientCode, makeFunction, type Store } from "./codegen.js";

export { CODE_HELPERS, type GradientCode } from "./codegen.js";

import { Graph, type Node } from "./graph.js";
import { type Ast, parseExpression, usedVariables } from "./parse.js";

export { CONSTANTS, FUNCTIONS, identifiersIn, parseExpression } from "./parse.js";

/** A compiled scalar function of x ∈ R^d with exact gradient and Hessian. */
export interface CompiledScalar {
  readonly dim: number;
  /** f(x) */
  value(x: Float64Array): number;
  /** Writes ∇f(x) into g[0..d) and returns f(x). */
  gradient(x: Float64Array, g: Float64Array): number;
  /** Writes ∇²f(x) row-major into h[0..d²). */
  hessian(x: Float64Array, h: Float64Array): void;
  /** The gradient as straight-line code, for generated kernels. */
  gradientCode: GradientCode;
  /** The Hessian as straight-line code (dest(k) receives row-major entry k), the same statements as hessian(). */
  hessianCode: GradientCode;
  /** The value as straight-line code (dest(0) receives f), the same statements as value(). */
  valueCode: GradientCode;
}

function numeric(g: Graph, ast: Ast, src: string, where: string): Node {
  const n = g.fromAst(ast);
  if (n.bool) {
    throw new UserError(`"${src}" is a condition, but a number is needed here`, {
      where,
      hint: 'an arithmetic expression such as "x^2 + y^2"',
    });
  }
  return n;
}

/** Compiles a numeric expression over `varNames`. */
export function compileScalar(
  src: string,
  varNames: readonly string[],
  where = "expression",
): CompiledScalar {
  const g = new Graph();
  const f = numeric(g, parseExpression(src, varNames, where), src, where);
  return { dim: varNames.length, ...compileNode(g, f, varNames.length) };
}

/**
 * Compiles the mean (1/N) Σ_i f_i of several expressions into one scalar (shared sub-expressions
 * computed once), plus each f_i separately (for per-sample gradients).
 */
export function compileMean(
  srcs: readonly string[],
  varNames: readonly string[],
  where = "expression",
): { mean: CompiledScalar; parts: CompiledScalar[] } {
  const g = new Graph();
  let terms: Node[] = srcs.map((s, i) => {
    const w = `${where}[${i}]`;
    return numeric(g, parseExpression(s, varNames, w), s, w);
  });
  if (terms.length === 0)
    throw new UserError("no samples", { where, hint: "a non-empty list of expressions" });
  // a balanced sum (depth log2 N): a chain of N additions would recurse N deep when differentiated
  while (terms.length > 1) {
    const next: Node[] = [];
    for (let k = 0; k + 1 < terms.length; k += 2) next.push(g.add(terms[k], terms[k + 1]));
    if (terms.length % 2 === 1) next.push(terms[terms.length - 1]);
    terms = next;
  }
  const mean = g.div(terms[0], g.num(srcs.length));
  const d = varNames.length;
  return {
    mean: { dim: d, ...compileNode(g, mean, d) },
    parts: srcs.map((s, i) => compileScalar(s, varNames, `${where}[${i}]`)),
  };
}

/**
 * Samples that differ only in numeric literals (e.g. `L + 0.3*x`, `L - 1.2*x`): one expression whose
 * differing literals are parameters, and a table of their values per sample. Particle kernels then gather a
 * sample's parameters instead of branching on the sample index. Every user of the samples' gradients (the
 * general loop, the kernels, the empirical noise) goes through this one compiled form, so they agree bit for bit.
 */
export interface SampleFamily {
  readonly dim: number;
  /** P, the number of literals that differ between samples (parameter p is variable dim + p). */
  readonly params: number;
  /** Row-major N × P: sample s's parameter values at s·P … s·P + P − 1. */
  readonly table: Float64Array;
  /** ∇ℓ with respect to x_0..x_{d−1} as straight-line code; load(k) for k ≥ d must yield parameter k − d. */
  readonly gradientCode: GradientCode;
  /**
   * True when ∇ℓ is affine in the parameters (proved on the expression graph: every ∂²ℓ/∂x_i∂p_k is free of
   * parameters, and no parameter-dependent term of ∇ℓ is non-smooth — abs, sign, min, max, a condition).
   * Then the mean of B samples' gradients is the gradient at their mean parameters (up to rounding).
   */
  readonly affine: boolean;
  /** Writes ∇ℓ(x; p) into g[0..d) for xp = (x_0..x_{d−1}, p_0..p_{P−1}); returns ℓ. The code of gradientCode. */
  gradientAt(xp: Float64Array, g: Float64Array): number;
  /** Writes ∇ℓ_s(x) into g[0..d) and returns ℓ_s(x). Not reentrant (one scratch). */
  sampleGradient(s: number, x: Float64Array, g: Float64Array): number;
  /** ℓ_s(x). Not reentrant. */
  sampleValue(s: number, x: Float64Array): number;
}

/** Literals of an AST in traversal order (a negated literal counts as one), with a shape string without them. */
function literals(a: Ast, out: { values: number[]; exponent: boolean[] }, inExponent: boolean): string {
  if (a.kind === "num" || (a.kind === "unary" && a.op === "-" && a.arg.kind === "num")) {
    out.values.push(a.kind === "num" ? a.value : -(a.arg as { value: number }).value);
    out.exponent.push(inExponent);
    return "#";
  }
  if (a.kind === "var") return `v${a.index}`;
  if (a.kind === "unary") return `${a.op}(${literals(a.arg, out, inExponent)})`;
  if (a.kind === "binary") {
    const l = literals(a.left, out, inExponent);
    return `(${l}${a.op}${literals(a.right, out, inExponent || a.op === "^")})`;
  }
  return `${a.fn}(${a.args.map((x, k) => literals(x, out, inExponent || (a.fn === "pow" && k === 1))).join(",")})`;
}

/** The AST with literal number `k` (traversal order) replaced by variable `param(k)` where that is defined. */
function withParams(a: Ast, param: (k: number) => number | undefined, counter: { k: number }): Ast {
  if (a.kind === "num" || (a.kind === "unary" && a.op === "-" && a.arg.kind === "num")) {
    const v = param(counter.k++);
    return v === undefined ? a : { kind: "var", index: v };
  }
  if (a.kind === "var") return a;
  if (a.kind === "unary") return { ...a, arg: withParams(a.arg, param, counter) };
  if (a.kind === "binary") {
    const left = withParams(a.left, param, counter);
    return { ...a, left, right: withParams(a.right, param, counter) };
  }
  return { ...a, args: a.args.map((x) => withParams(x, param, counter)) };
}

/**
 * The samples as one family when they have the same syntax up to numeric literals and no differing literal
 * is an exponent (x^2 and x^3 are compiled differently); otherwise undefined.
 */
export function compileSampleFamily(
  srcs: readonly string[],
  varNames: readonly string[],
  where = "expression",
): SampleFamily | undefined {
  const d = varNames.length;
  const asts = srcs.map((s, i) => parseExpression(s, varNames, `${where}[${i}]`));
  const lits = asts.map(() => ({ values: [] as number[], exponent: [] as boolean[] }));
  const shapes = asts.map((a, i) => literals(a, lits[i], false));
  if (shapes.some((s) => s !== shapes[0])) return undefined;
  const nl = lits[0].values.length;
  const paramOf = new Map<number, number>();
  for (let k = 0; k < nl; k++) {
    const v = lits[0].values[k];
    if (lits.some((l) => !Object.is(l.values[k], v))) {
      if (lits[0].exponent[k]) return undefined;
      paramOf.set(k, d + paramOf.size);
    }
  }
  const P = paramOf.size;
  const table = new Float64Array(srcs.length * P);
  lits.forEach((l, s) => {
    for (const [k, v] of paramOf) table[s * P + v - d] = l.values[k];
  });
  const g = new Graph();
  const f = numeric(
    g,
    withParams(asts[0], (k) => paramOf.get(k), { k: 0 }),
    srcs[0],
    `${where}[0]`,
  );
  const c = compileNode(g, f, d);
  const affine = gradientAffineInParams(g, f, d, P);
  const xs = new Float64Array(d + P);
  const load = (s: number, x: Float64Array) => {
    for (let i = 0; i < d; i++) xs[i] = x[i];
    for (let p = 0; p < P; p++) xs[d + p] = table[s * P + p];
  };
  return {
    dim: d,
    params: P,
    table,
    gradientCode: c.gradientCode,
    affine,
    gradientAt: c.gradient,
    sampleGradient: (s, x, grad) => {
      load(s, x);
      return c.gradient(xs, grad);
    },
    sampleValue: (s, x) => {
      load(s, x);
      return c.value(xs);
    },
  };
}

/** Operations whose derivative misses a jump or a kink: a parameter inside them defeats the affinity proof. */
const NON_SMOOTH = new Set<Node["op"]>([
  "abs",
  "sign",
  "min",
  "max",
  "select",
  "lt",
  "le",
  "gt",
  "ge",
  "eq",
  "ne",
]);

/**
 * True when ∇_x f is affine in the parameters (variables d … d+P−1): each ∂²f/∂x_i∂p_k is free of parameters
 * (so ∇_x f = A(x) + Σ_k p_k B_k(x) wherever it is defined), and no parameter-dependent term of ∇_x f is
 * non-smooth (where the symbolic derivative would miss a jump). Sound, not complete: false means "not proved".
 */
function gradientAffineInParams(g: Graph, f: Node, d: number, P: number): boolean {
  const isParam = (v: number) => v >= d;
  const hasParam = (n: Node) => [...g.varsOf(n)].some(isParam);
  const seen = new Set<number>();
  const smooth = (n: Node): boolean => {
    if (seen.has(n.id) || !hasParam(n)) return true;
    seen.add(n.id);
    if (NON_SMOOTH.has(n.op) || n.bool) return false;
    return n.args.every(smooth);
  };
  for (let i = 0; i < d; i++) {
    const gi = g.d(f, i);
    if (!smooth(gi)) return false;
    for (let k = 0; k < P; k++) if (hasParam(g.d(gi, d + k))) return false;
  }
  return true;
}

/** Compiles several numeric expressions into one `(x, out) => void` writing out[k] = f_k(x). */
export function compileMany(
  srcs: readonly string[],
  varNames: readonly string[],
  where = "expression",
): (x: Float64Array, out: Float64Array) => void {
  const g = new Graph();
  const stores: Store[] = srcs.map((s, k) => {
    const w = `${where}[${k}]`;
    return { node: numeric(g, parseExpression(s, varNames, w), s, w), dest: `out[${k}]` };
  });
  return makeFunction(emitBody(stores));
}

/**
 * Several numeric expressions as straight-line statements assigning f_k(x) to `dest(k)` (for generated
 * kernels; `load`, `dest` and `prefix` are names made by sgdscope). Validates as compileMany.
 */
export function compileManyCode(
  srcs: readonly string[],
  varNames: readonly string[],
  where = "expression",
): GradientCode {
  const g = new Graph();
  const nodes = srcs.map((s, k) => {
    const w = `${where}[${k}]`;
    return numeric(g, parseExpression(s, varNames, w), s, w);
  });
  return (load, dest, prefix) =>
    emitBody(
      nodes.map((node, k) => ({ node, dest: dest(k) })),
      undefined,
      { load, prefix },
    );
}

/** True when the expression uses none of the variables (its value is the same at every x). */
export function isConstantExpression(
  src: string,
  varNames: readonly string[],
  where = "expression",
): boolean {
  return usedVariables(parseExpression(src, varNames, where)).size === 0;
}

/** A compiled region: true where x lies in the region. */
export type Region = (x: Float64Array) => boolean;

/** Compiles a boolean expression such as "x > 0 && y < 1" or "x^2 + y^2 < 0.0625". */
export function compileRegion(src: string, varNames: readonly string[], where = "region"): Region {
  const g = new Graph();
  const n = g.fromAst(parseExpression(src, varNames, where));
  if (!n.bool) {
    throw new UserError(`"${src}" is not a condition`, {
      where,
      hint: 'a comparison such as "x > 0", "x^2 + y^2 < 0.0625" or "x > 0 && y < 1"',
    });
  }
  return makeFunction<Region>(emitBody([], n));
}

/** The level function φ of a boolean node (see compileLevel), or undefined when it has none. */
function levelNode(g: Graph, n: Node): Node | undefined {
  const level = (b: Node): Node | undefined => {
    const [l, r] = b.args;
    switch (b.op) {
      case "gt":
      case "ge":
        return g.sub(l, r);
      case "lt":
      case "le":
        return g.sub(r, l);
      case "and":
      case "or": {
        const a = level(l);
        const c = level(r);
        return a && c ? g.fn(b.op === "and" ? "min" : "max", a, c) : undefined;
      }
      case "not": {
        const a = level(l);
        return a ? g.neg(a) : undefined;
      }
      default:
        return undefined;
    }
  };
  return n.bool ? level(n) : undefined;
}

/**
 * A level function of a region: φ with {φ > 0} ≈ region and {φ = 0} its boundary, built from the
 * condition's tree (a > b ↦ a − b, a < b ↦ b − a, && ↦ min, || ↦ max, ! ↦ −φ). With its exact
 * gradient it gives the distance to the boundary ≈ |φ|/|∇φ| (used by the Brownian-bridge exit
 * correction). Returns undefined when the region uses == or != (no boundary of positive measure).
 */
export function compileLevel(
  src: string,
  varNames: readonly string[],
  where = "region",
):
  | { value: (x: Float64Array) => number; gradient: (x: Float64Array, g: Float64Array) => number }
  | undefined {
  const g = new Graph();
  const phi = levelNode(g, g.fromAst(parseExpression(src, varNames, where)));
  if (!phi) return undefined;
  const d = varNames.length;
  const stores: Store[] = [];
  for (let i = 0; i < d; i++) stores.push({ node: g.d(phi, i), dest: `out[${i}]` });
  return { value: makeFunction(emitBody([], phi)), gradient: makeFunction(emitBody(stores, phi)) };
}

/**
 * A target region as straight-line statements, for generated particle kernels (same operations as
 * compileRegion / compileLevel, so the same answers bit for bit). `load(k)` is the expression for x_k;
 * `inside(load, dest, prefix)` assigns the membership boolean to `dest`; `level(load, value, grad, prefix)`
 * assigns φ to `value` and ∂φ/∂x_i to `grad(i)` (absent when the region has no level function).
 * Names passed in must be generated by sgdscope, never user text; temporaries are prefixed with `prefix`.
 */
export interface RegionCode {
  inside: (load: (k: number) => string, dest: string, prefix: string) => string;
  level?: (load: (k: number) => string, value: string, grad: (i: number) => string, prefix: string) => string;
}

/** Compiles a region to kernel code (see RegionCode); errors as compileRegion. */
export function compileRegionCode(src: string, varNames: readonly string[], where = "region"): RegionCode {
  compileRegion(src, varNames, where); // validates (a condition, known names) with the same messages
  const g = new Graph();
  const n = g.fromAst(parseExpression(src, varNames, where));
  const phi = levelNode(g, n);
  const d = varNames.length;
  return {
    inside: (load, dest, prefix) => emitBody([{ node: n, dest }], undefined, { load, prefix }),
    level: phi
      ? (load, value, grad, prefix) =>
          emitBody(
            [
              { node: phi, dest: value },
              ...Array.from({ length: d }, (_, i) => ({ node: g.d(phi, i), dest: grad(i) })),
            ],
            undefined,
            { load, prefix },
          )
      : undefined,
  };
}

/** The default variable names for dimension d: x | x,y | x,y,z | x1..xd. */
export function defaultVarNames(d: number): string[] {
  if (d === 1) return ["x"];
  if (d === 2) return ["x", "y"];
  if (d === 3) return ["x", "y", "z"];
  return Array.from({ length: d }, (_, i) => `x${i + 1}`);
}
