/**
 * Parser of the expression language of problem files: a whitelisted grammar, nothing else.
 *
 *   or     := and ('||' and)*
 *   and    := not ('&&' not)*
 *   not    := '!' not | cmp
 *   cmp    := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum    := prod (('+' | '-') prod)*
 *   prod   := unary (('*' | '/') unary)*
 *   unary  := ('-' | '+') unary | power
 *   power  := atom ('^' unary)?            (right-associative; -x^2 = -(x^2))
 *   atom   := number | variable | constant | function '(' or (',' or)* ')' | '(' or ')'
 *
 * Names are looked up in Maps (never in objects), so `constructor`, `__proto__` and the like are
 * simply unknown names. The result is a syntax tree; code is generated only from that tree.
 *
 * Conditions (comparisons, && || !) and numbers are checked apart: a condition inside arithmetic or a
 * number beside && is an error here, at its column. Long runs of + − (and of *) are built as balanced
 * trees, and the tree is at most MAX_DEPTH levels deep, so the recursive passes that follow (DAG,
 * derivatives, code generation) never exhaust the call stack, whatever the input.
 */
import { UserError } from "../../errors.js";

export type Ast =
  | { kind: "num"; value: number }
  | { kind: "var"; index: number }
  | { kind: "unary"; op: "-" | "!"; arg: Ast }
  | { kind: "binary"; op: BinaryOp; left: Ast; right: Ast }
  | { kind: "call"; fn: string; args: Ast[] };

export type BinaryOp = "+" | "-" | "*" | "/" | "^" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "&&" | "||";

/** Whitelisted functions and their arity. */
export const FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ["exp", 1],
  ["log", 1],
  ["ln", 1],
  ["log1p", 1],
  ["expm1", 1],
  ["sqrt", 1],
  ["abs", 1],
  ["sign", 1],
  ["sin", 1],
  ["cos", 1],
  ["tan", 1],
  ["asin", 1],
  ["acos", 1],
  ["atan", 1],
  ["sinh", 1],
  ["cosh", 1],
  ["tanh", 1],
  ["sigmoid", 1],
  ["softplus", 1],
  ["min", 2],
  ["max", 2],
  ["pow", 2],
]);

export const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ["pi", Math.PI],
  ["e", Math.E],
]);

interface Token {
  t: "num" | "name" | "op" | "end";
  s: string;
  pos: number;
}

const OPS = ["<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "^", "(", ")", ",", "<", ">", "!"];

function tokenize(src: string, where: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: "num", s: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: "name", s: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ t: "op", s: op, pos: i });
      i += op.length;
      continue;
    }
    throw new UserError(`unexpected character '${c}' at column ${i + 1} of "${src}"`, {
      where,
      hint:
        "numbers, variable names, + - * / ^ ( ) , < <= > >= == != && || ! and the functions " + funcList(),
    });
  }
  out.push({ t: "end", s: "", pos: src.length });
  return out;
}

function funcList(): string {
  return [...FUNCTIONS.keys()].join(", ");
}

/** Deepest syntax tree accepted (nesting of parentheses, functions, powers, unary signs, ...). */
export const MAX_DEPTH = 400;

/** Runs of + − (or *) longer than this are built as balanced trees (depth log₂ n instead of n). */
const BALANCE_RUN = 32;

const COMPARISONS = new Set(["<", "<=", ">", ">=", "==", "!="]);

/** True when the tree is a condition (comparison or logic) rather than a number. */
export function isCondition(ast: Ast): boolean {
  return (
    (ast.kind === "binary" && (COMPARISONS.has(ast.op) || ast.op === "&&" || ast.op === "||")) ||
    (ast.kind === "unary" && ast.op === "!")
  );
}

/** Parses `src` over the variables `varNames`; throws UserError naming `where` and the column. */
export function parseExpression(src: string, varNames: readonly string[], where = "expression"): Ast {
  if (typeof src !== "string" || src.trim() === "") {
    throw new UserError("empty expression", { where, hint: 'an expression such as "x^4/4 - x^2/2"' });
  }
  if (src.length > 100_000) throw new UserError("expression longer than 100000 characters", { where });
  const vars = new Map<string, number>();
  varNames.forEach((v, k) => {
    vars.set(v, k);
  });
  const toks = tokenize(src, where);
  let p = 0;
  let depth = 0;
  const peek = () => toks[p];
  const show = src.length > 200 ? `${src.slice(0, 200)}…` : src;
  const fail = (msg: string, tok: Token = peek()): never => {
    throw new UserError(`${msg} at column ${tok.pos + 1} of "${show}"`, { where });
  };
  /** Height of every node built (leaves: 1). */
  const height = new WeakMap<Ast, number>();
  const tooDeep = (tok: Token): never =>
    fail(`expression nested too deeply (more than ${MAX_DEPTH} levels)`, tok);
  /** Records the height of a new node; rejects trees deeper than MAX_DEPTH. */
  const node = (a: Ast, tok: Token): Ast => {
    let h = 0;
    if (a.kind === "unary") h = height.get(a.arg) ?? 1;
    else if (a.kind === "binary") h = Math.max(height.get(a.left) ?? 1, height.get(a.right) ?? 1);
    else if (a.kind === "call") for (const x of a.args) h = Math.max(h, height.get(x) ?? 1);
    if (h + 1 > MAX_DEPTH) tooDeep(tok);
    height.set(a, h + 1);
    return a;
  };
  const enter = () => {
    if (++depth > MAX_DEPTH) tooDeep(peek());
  };
  const wantNumber = (a: Ast, tok: Token, what: string) => {
    if (isCondition(a))
      fail(`${what} needs a number, but a condition (comparison, &&, ||, !) stands there`, tok);
  };
  const wantCondition = (a: Ast, tok: Token) => {
    if (!isCondition(a))
      fail(
        `'${tok.s}' joins conditions (e.g. x > 0 ${tok.s === "!" ? "" : `${tok.s} y < 1`}), not numbers`,
        tok,
      );
  };
  /** Balanced tree of `op` over terms[lo..hi) (every term already checked). */
  const balanced = (
    terms: Ast[],
    op: "+" | "*" | "&&" | "||",
    tok: Token,
    lo = 0,
    hi = terms.length,
  ): Ast => {
    if (hi - lo === 1) return terms[lo];
    const mid = (lo + hi) >>> 1;
    return node(
      {
        kind: "binary",
        op,
        left: balanced(terms, op, tok, lo, mid),
        right: balanced(terms, op, tok, mid, hi),
      },
      tok,
    );
  };
  const expectOp = (s: string) => {
    const t = peek();
    if (t.t !== "op" || t.s !== s)
      fail(`expected '${s}' but found ${t.t === "end" ? "the end" : `'${t.s}'`}`);
    p++;
  };
  const isOp = (...ss: string[]) => peek().t === "op" && ss.includes(peek().s);

  /** A run of `op` (&& or ||) over conditions: left-deep when short, balanced when long. */
  const logic = (op: "&&" | "||", next: () => Ast): Ast => {
    const first = next();
    if (!isOp(op)) return first;
    const start = peek();
    const terms: Ast[] = [first];
    while (isOp(op)) {
      const tok = peek();
      p++;
      const t = next();
      wantCondition(terms[terms.length - 1], tok);
      wantCondition(t, tok);
      terms.push(t);
    }
    if (terms.length > BALANCE_RUN) return balanced(terms, op, start);
    let left = first;
    for (let k = 1; k < terms.length; k++) left = node({ kind: "binary", op, left, right: terms[k] }, start);
    return left;
  };
  const or = (): Ast => {
    enter();
    const r = logic("||", and);
    depth--;
    return r;
  };
  const and = (): Ast => logic("&&", not);
  const not = (): Ast => {
    if (isOp("!")) {
      const tok = peek();
      p++;
      enter();
      const arg = not();
      depth--;
      wantCondition(arg, tok);
      return node({ kind: "unary", op: "!", arg }, tok);
    }
    return cmp();
  };
  const cmp = (): Ast => {
    const left = sum();
    if (isOp("<", "<=", ">", ">=", "==", "!=")) {
      const tok = peek();
      const op = tok.s as BinaryOp;
      p++;
      const right = sum();
      if (isOp("<", "<=", ">", ">=", "==", "!=")) fail("chained comparisons are not allowed; use &&");
      wantNumber(left, tok, `'${op}'`);
      wantNumber(right, tok, `'${op}'`);
      return node({ kind: "binary", op, left, right }, tok);
    }
    return left;
  };
  const sum = (): Ast => {
    const first = prod();
    if (!isOp("+", "-")) return first;
    // a run t0 ± t1 ± t2 ...: left-deep when short, balanced (with −t as unary minus) when long
    const start = peek();
    const terms: Ast[] = [first];
    const ops: Token[] = [];
    while (isOp("+", "-")) {
      ops.push(peek());
      p++;
      terms.push(prod());
    }
    wantNumber(first, ops[0], `'${ops[0].s}'`);
    terms.forEach((t, k) => {
      if (k > 0) wantNumber(t, ops[k - 1], `'${ops[k - 1].s}'`);
    });
    if (terms.length > BALANCE_RUN) {
      const signed = terms.map((t, k) =>
        k > 0 && ops[k - 1].s === "-" ? node({ kind: "unary", op: "-", arg: t }, ops[k - 1]) : t,
      );
      return balanced(signed, "+", start);
    }
    let left = first;
    terms.forEach((t, k) => {
      if (k > 0) left = node({ kind: "binary", op: ops[k - 1].s as BinaryOp, left, right: t }, ops[k - 1]);
    });
    return left;
  };
  const prod = (): Ast => {
    const first = unary();
    if (!isOp("*", "/")) return first;
    const start = peek();
    const terms: Ast[] = [first];
    const ops: Token[] = [];
    while (isOp("*", "/")) {
      ops.push(peek());
      p++;
      terms.push(unary());
    }
    wantNumber(first, ops[0], `'${ops[0].s}'`);
    terms.forEach((t, k) => {
      if (k > 0) wantNumber(t, ops[k - 1], `'${ops[k - 1].s}'`);
      if (k > 0 && ops[k - 1].s === "/" && t.kind === "num" && t.value === 0)
        fail("division by zero", ops[k - 1]);
    });
    // only a pure product is re-associated (a/b*c and a*c/b differ in rounding and overflow)
    if (terms.length > BALANCE_RUN && ops.every((o) => o.s === "*")) return balanced(terms, "*", start);
    let left = first;
    terms.forEach((t, k) => {
      if (k > 0) left = node({ kind: "binary", op: ops[k - 1].s as BinaryOp, left, right: t }, ops[k - 1]);
    });
    return left;
  };
  const unary = (): Ast => {
    if (isOp("-", "+")) {
      const tok = peek();
      p++;
      enter();
      const arg = unary();
      depth--;
      wantNumber(arg, tok, `unary '${tok.s}'`);
      return tok.s === "-" ? node({ kind: "unary", op: "-", arg }, tok) : arg;
    }
    return power();
  };
  const power = (): Ast => {
    const base = atom();
    if (isOp("^")) {
      const tok = peek();
      p++;
      enter();
      const exponent = unary();
      depth--;
      wantNumber(base, tok, "'^'");
      wantNumber(exponent, tok, "'^'");
      return node({ kind: "binary", op: "^", left: base, right: exponent }, tok);
    }
    return base;
  };
  const atom = (): Ast => {
    const t = peek();
    if (t.t === "num") {
      p++;
      const v = Number(t.s);
      if (!Number.isFinite(v)) fail(`number '${t.s}' is not finite`, t);
      return { kind: "num", value: v };
    }
    if (t.t === "name") {
      p++;
      if (isOp("(")) {
        const arity = FUNCTIONS.get(t.s);
        if (arity === undefined) {
          fail(`unknown function '${t.s}' (valid functions: ${funcList()})`, t);
        }
        p++;
        const args: Ast[] = [];
        if (!isOp(")")) {
          args.push(or());
          while (isOp(",")) {
            p++;
            args.push(or());
          }
        }
        expectOp(")");
        if (args.length !== arity) {
          fail(`function '${t.s}' takes ${arity} argument${arity === 1 ? "" : "s"}, got ${args.length}`, t);
        }
        for (const a of args) wantNumber(a, t, `function '${t.s}'`);
        return node({ kind: "call", fn: t.s, args }, t);
      }
      const k = vars.get(t.s);
      if (k !== undefined) return { kind: "var", index: k };
      const c = CONSTANTS.get(t.s);
      if (c !== undefined) return { kind: "num", value: c };
      return fail(
        `unknown name '${t.s}' (valid names: variables ${varNames.join(", ") || "(none)"}; constants pi, e; functions ${funcList()})`,
        t,
      );
    }
    if (isOp("(")) {
      p++;
      const e = or();
      expectOp(")");
      return e;
    }
    return fail(t.t === "end" ? "unexpected end of expression" : `unexpected '${t.s}'`, t);
  };

  const ast = or();
  if (peek().t !== "end") fail(`unexpected '${peek().s}' after a complete expression`);
  return ast;
}

/** Variable indices that occur in an expression. */
export function usedVariables(ast: Ast, out = new Set<number>()): Set<number> {
  switch (ast.kind) {
    case "var":
      out.add(ast.index);
      break;
    case "unary":
      usedVariables(ast.arg, out);
      break;
    case "binary":
      usedVariables(ast.left, out);
      usedVariables(ast.right, out);
      break;
    case "call":
      for (const a of ast.args) usedVariables(a, out);
      break;
  }
  return out;
}

/** Names (identifiers not followed by '(') that occur in a source string, for inferring the dimension. */
export function identifiersIn(src: string): Set<string> {
  const out = new Set<string>();
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const after = src.slice(m.index + m[0].length).trimStart();
    if (!after.startsWith("(")) out.add(m[0]);
  }
  return out;
}
