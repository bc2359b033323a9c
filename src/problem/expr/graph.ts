/**
 * Expression DAG with structural sharing (hash-consing), constant folding and exact symbolic
 * differentiation. Equal sub-expressions are one node, so gradients and Hessians generated from it
 * are straight-line code with common sub-expressions computed once.
 */
import { UserError } from "../../errors.js";
import type { Ast } from "./parse.js";

export type Op =
  | "const"
  | "var"
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "neg"
  | "powi"
  | "pow"
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sqrt"
  | "abs"
  | "sign"
  | "sin"
  | "cos"
  | "tan"
  | "asin"
  | "acos"
  | "atan"
  | "sinh"
  | "cosh"
  | "tanh"
  | "sigmoid"
  | "softplus"
  | "min"
  | "max"
  | "select"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "eq"
  | "ne"
  | "and"
  | "or"
  | "not";

export interface Node {
  readonly id: number;
  readonly op: Op;
  readonly args: readonly Node[];
  /** const: the value; var: the index; powi: the integer exponent. */
  readonly k: number;
  /** true for comparisons and logic. */
  readonly bool: boolean;
}

/** Distinct terms one compilation may create (value, gradient, Hessian): bounds memory and compile time. */
export const MAX_GRAPH_NODES = 400_000;

const BOOL_OPS = new Set<Op>(["lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not"]);

/** A node factory: one per compilation; identical requests return the identical node. */
export class Graph {
  private readonly table = new Map<string, Node>();
  private nextId = 0;
  private readonly dcache = new Map<string, Node>();

  make(op: Op, args: readonly Node[] = [], k = 0): Node {
    const key = `${op}|${k}|${args.map((a) => a.id).join(",")}`;
    let n = this.table.get(key);
    if (!n) {
      if (this.nextId >= MAX_GRAPH_NODES)
        throw new UserError(
          `the expression and its exact derivatives need more than ${MAX_GRAPH_NODES.toExponential(0)} distinct terms (the gradient of a product of n factors in n variables alone has ~n² terms); refused before compiling`,
          {
            where: "loss",
            hint: "a sum of logarithms instead of a long product, fewer variables, or a model loss (mlp/linear) for high dimension",
          },
        );
      n = { id: this.nextId++, op, args, k, bool: BOOL_OPS.has(op) };
      this.table.set(key, n);
    }
    return n;
  }

  num(v: number): Node {
    return this.make("const", [], v === 0 ? 0 : v); // fold -0 into 0
  }
  variable(i: number): Node {
    return this.make("var", [], i);
  }

  add(a: Node, b: Node): Node {
    if (isConst(a) && isConst(b)) return this.num(a.k + b.k);
    if (isZero(a)) return b;
    if (isZero(b)) return a;
    if (b.op === "neg") return this.sub(a, b.args[0]);
    return a.id <= b.id ? this.make("add", [a, b]) : this.make("add", [b, a]);
  }
  sub(a: Node, b: Node): Node {
    if (isConst(a) && isConst(b)) return this.num(a.k - b.k);
    if (isZero(b)) return a;
    if (isZero(a)) return this.neg(b);
    if (a === b) return this.num(0);
    if (b.op === "neg") return this.add(a, b.args[0]);
    return this.make("sub", [a, b]);
  }
  mul(a: Node, b: Node): Node {
    if (isConst(a) && isConst(b)) return this.num(a.k * b.k);
    if (isZero(a) || isZero(b)) return this.num(0);
    if (isOne(a)) return b;
    if (isOne(b)) return a;
    if (a.op === "neg" && b.op === "neg") return this.mul(a.args[0], b.args[0]);
    if (a.op === "neg") return this.neg(this.mul(a.args[0], b));
    if (b.op === "neg") return this.neg(this.mul(a, b.args[0]));
    // collect constant factors: (c·u)(d·v) = (cd)·(uv), so derivatives like 2(x²−1)·2x/4 fold to (x²−1)·x
    const [ka, ra] = splitConst(a);
    const [kb, rb] = splitConst(b);
    if (ra && rb && (ka !== 1 || kb !== 1)) return this.scale(ka * kb, this.mul(ra, rb));
    if (!ra && rb) return this.scale(ka * kb, rb);
    if (ra && !rb) return this.scale(ka * kb, ra);
    if (a === b) return this.powi(a, 2);
    return a.id <= b.id ? this.make("mul", [a, b]) : this.make("mul", [b, a]);
  }
  /** c·u with u free of constant factors. */
  private scale(c: number, u: Node): Node {
    if (c === 0) return this.num(0);
    if (c === 1) return u;
    if (c === -1) return this.neg(u);
    if (isConst(u)) return this.num(c * u.k);
    return c < 0 ? this.neg(this.make("mul", [this.num(-c), u])) : this.make("mul", [this.num(c), u]);
  }
  div(a: Node, b: Node): Node {
    if (isConst(a) && isConst(b) && b.k !== 0) return this.num(a.k / b.k);
    if (isZero(a)) return this.num(0);
    if (isOne(b)) return a;
    if (isConst(b) && b.k !== 0 && a.op === "mul" && isConst(a.args[0]))
      return this.scale(a.args[0].k / b.k, a.args[1]);
    if (a.op === "neg") return this.neg(this.div(a.args[0], b));
    return this.make("div", [a, b]);
  }
  neg(a: Node): Node {
    if (isConst(a)) return this.num(-a.k);
    if (a.op === "neg") return a.args[0];
    if (a.op === "sub") return this.make("sub", [a.args[1], a.args[0]]);
    return this.make("neg", [a]);
  }
  powi(a: Node, n: number): Node {
    if (n === 0) return this.num(1);
    if (n === 1) return a;
    if (isConst(a)) return this.num(a.k ** n);
    if (a.op === "powi") return this.powi(a.args[0], a.k * n);
    return this.make("powi", [a], n);
  }
  pow(a: Node, b: Node): Node {
    if (isConst(b) && Number.isInteger(b.k) && Math.abs(b.k) <= 64) return this.powi(a, b.k);
    if (isConst(a) && isConst(b)) return this.num(a.k ** b.k);
    if (isConst(b) && b.k === 0.5) return this.fn("sqrt", a);
    return this.make("pow", [a, b]);
  }
  fn(op: Op, a: Node, b?: Node): Node {
    const args = b ? [a, b] : [a];
    if (args.every(isConst)) {
      const v = evalOp(
        op,
        args.map((x) => x.k),
        0,
      );
      if (Number.isFinite(v)) return this.num(v);
    }
    return this.make(op, args);
  }
  select(c: Node, a: Node, b: Node): Node {
    if (a === b) return a;
    return this.make("select", [c, a, b]);
  }

  /** Converts a syntax tree to a node. */
  fromAst(ast: Ast): Node {
    switch (ast.kind) {
      case "num":
        return this.num(ast.value);
      case "var":
        return this.variable(ast.index);
      case "unary":
        return ast.op === "-" ? this.neg(this.fromAst(ast.arg)) : this.make("not", [this.fromAst(ast.arg)]);
      case "binary": {
        const l = this.fromAst(ast.left);
        const r = this.fromAst(ast.right);
        switch (ast.op) {
          case "+":
            return this.add(l, r);
          case "-":
            return this.sub(l, r);
          case "*":
            return this.mul(l, r);
          case "/":
            return this.div(l, r);
          case "^":
            return this.pow(l, r);
          case "<":
            return this.make("lt", [l, r]);
          case "<=":
            return this.make("le", [l, r]);
          case ">":
            return this.make("gt", [l, r]);
          case ">=":
            return this.make("ge", [l, r]);
          case "==":
            return this.make("eq", [l, r]);
          case "!=":
            return this.make("ne", [l, r]);
          case "&&":
            return this.make("and", [l, r]);
          case "||":
            return this.make("or", [l, r]);
        }
        break;
      }
      case "call": {
        const args = ast.args.map((a) => this.fromAst(a));
        if (ast.fn === "pow") return this.pow(args[0], args[1]);
        const op: Op = ast.fn === "ln" ? "log" : (ast.fn as Op);
        return this.fn(op, args[0], args[1]);
      }
    }
    throw new Error("unreachable");
  }

  /** ∂n/∂x_i, exact. Boolean nodes may appear only as the condition of select/min/max. */
  d(n: Node, i: number): Node {
    // a term that does not contain x_i has derivative 0: no walk (a product of n factors in n variables then
    // differentiates in O(n log n) terms instead of visiting every factor for every variable)
    if (!this.varsOf(n).has(i)) return this.num(0);
    const key = `${n.id}:${i}`;
    const hit = this.dcache.get(key);
    if (hit) return hit;
    const r = this.dRaw(n, i);
    this.dcache.set(key, r);
    return r;
  }

  private readonly vars = new Map<number, ReadonlySet<number>>();
  private static readonly NONE: ReadonlySet<number> = new Set();

  /** The variables a term contains (memoised; a child's set is shared when only one child has variables). */
  varsOf(n: Node): ReadonlySet<number> {
    const hit = this.vars.get(n.id);
    if (hit) return hit;
    let out: ReadonlySet<number>;
    if (n.op === "var") out = new Set([n.k]);
    else if (n.args.length === 0) out = Graph.NONE;
    else {
      const sets = n.args.map((a) => this.varsOf(a)).filter((v) => v.size > 0);
      if (sets.length === 0) out = Graph.NONE;
      else if (sets.length === 1) out = sets[0];
      else {
        const u = new Set<number>();
        for (const v of sets) for (const k of v) u.add(k);
        out = u;
      }
    }
    this.vars.set(n.id, out);
    return out;
  }

  private dRaw(n: Node, i: number): Node {
    const [a, b] = n.args;
    const da = () => this.d(a, i);
    const db = () => this.d(b, i);
    switch (n.op) {
      case "const":
        return this.num(0);
      case "var":
        return this.num(n.k === i ? 1 : 0);
      case "add":
        return this.add(da(), db());
      case "sub":
        return this.sub(da(), db());
      case "mul":
        return this.add(this.mul(da(), b), this.mul(a, db()));
      case "div": {
        // (a/b)' = a'/b − a b'/b²
        const dA = da();
        const dB = db();
        return this.sub(this.div(dA, b), this.div(this.mul(a, dB), this.powi(b, 2)));
      }
      case "neg":
        return this.neg(da());
      case "powi":
        return this.mul(this.mul(this.num(n.k), this.powi(a, n.k - 1)), da());
      case "pow": {
        // d(a^b) = a^b (b' log a + b a'/a)
        const dB = db();
        const t1 = isZero(dB) ? this.num(0) : this.mul(dB, this.fn("log", a));
        const t2 = this.mul(b, this.div(da(), a));
        if (isConst(b)) return this.mul(this.mul(b, this.pow(a, this.num(b.k - 1))), da());
        return this.mul(n, this.add(t1, t2));
      }
      case "exp":
        return this.mul(n, da());
      case "log":
        return this.div(da(), a);
      case "log1p":
        return this.div(da(), this.add(this.num(1), a));
      case "expm1":
        return this.mul(this.fn("exp", a), da());
      case "sqrt":
        return this.div(da(), this.mul(this.num(2), n));
      case "abs":
        return this.mul(this.fn("sign", a), da());
      case "sign":
        return this.num(0);
      case "sin":
        return this.mul(this.fn("cos", a), da());
      case "cos":
        return this.neg(this.mul(this.fn("sin", a), da()));
      case "tan":
        return this.mul(this.add(this.num(1), this.powi(n, 2)), da());
      case "asin":
        return this.div(da(), this.fn("sqrt", this.sub(this.num(1), this.powi(a, 2))));
      case "acos":
        return this.neg(this.div(da(), this.fn("sqrt", this.sub(this.num(1), this.powi(a, 2)))));
      case "atan":
        return this.div(da(), this.add(this.num(1), this.powi(a, 2)));
      case "sinh":
        return this.mul(this.fn("cosh", a), da());
      case "cosh":
        return this.mul(this.fn("sinh", a), da());
      case "tanh":
        return this.mul(this.sub(this.num(1), this.powi(n, 2)), da());
      case "sigmoid":
        return this.mul(this.mul(n, this.sub(this.num(1), n)), da());
      case "softplus":
        return this.mul(this.fn("sigmoid", a), da());
      case "min":
        return this.select(this.make("le", [a, b]), da(), db());
      case "max":
        return this.select(this.make("ge", [a, b]), da(), db());
      case "select":
        return this.select(a, this.d(b, i), this.d(n.args[2], i));
      default:
        throw new UserError(`a condition (${n.op}) cannot be differentiated; use it only in a region`);
    }
  }
}

/** [c, u] with n = c·u (u undefined when n is the constant c). */
function splitConst(n: Node): [number, Node | undefined] {
  if (n.op === "const") return [n.k, undefined];
  if (n.op === "mul" && n.args[0].op === "const") return [n.args[0].k, n.args[1]];
  return [1, n];
}

export function isConst(n: Node): boolean {
  return n.op === "const";
}
function isZero(n: Node): boolean {
  return n.op === "const" && n.k === 0;
}
function isOne(n: Node): boolean {
  return n.op === "const" && n.k === 1;
}

/** Reference semantics of every op (used for constant folding; codegen must agree). */
export function evalOp(op: Op, v: number[], k: number): number {
  const [a, b, c] = v;
  switch (op) {
    case "const":
      return k;
    case "add":
      return a + b;
    case "sub":
      return a - b;
    case "mul":
      return a * b;
    case "div":
      return a / b;
    case "neg":
      return -a;
    case "powi":
      return a ** k;
    case "pow":
      return a ** b;
    case "exp":
      return Math.exp(a);
    case "log":
      return Math.log(a);
    case "log1p":
      return Math.log1p(a);
    case "expm1":
      return Math.expm1(a);
    case "sqrt":
      return Math.sqrt(a);
    case "abs":
      return Math.abs(a);
    case "sign":
      return Math.sign(a);
    case "sin":
      return Math.sin(a);
    case "cos":
      return Math.cos(a);
    case "tan":
      return Math.tan(a);
    case "asin":
      return Math.asin(a);
    case "acos":
      return Math.acos(a);
    case "atan":
      return Math.atan(a);
    case "sinh":
      return Math.sinh(a);
    case "cosh":
      return Math.cosh(a);
    case "tanh":
      return Math.tanh(a);
    case "sigmoid":
      return sigmoid(a);
    case "softplus":
      return softplus(a);
    case "min":
      return Math.min(a, b);
    case "max":
      return Math.max(a, b);
    case "select":
      return a ? b : c;
    case "lt":
      return a < b ? 1 : 0;
    case "le":
      return a <= b ? 1 : 0;
    case "gt":
      return a > b ? 1 : 0;
    case "ge":
      return a >= b ? 1 : 0;
    case "eq":
      return a === b ? 1 : 0;
    case "ne":
      return a !== b ? 1 : 0;
    case "and":
      return a && b ? 1 : 0;
    case "or":
      return a || b ? 1 : 0;
    case "not":
      return a ? 0 : 1;
    case "var":
      return Number.NaN;
  }
}

/** Numerically stable logistic function 1/(1+e^{-z}). */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
/** Numerically stable log(1 + e^z). */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}
