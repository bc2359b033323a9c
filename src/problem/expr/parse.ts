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
  const fail = (msg: string, tok: Token = peek()): never => {
    throw new UserError(`${msg} at column ${tok.pos + 1} of "${src}"`, { where });
  };
  const expectOp = (s: string) => {
    const t = peek();
    if (t.t !== "op" || t.s !== s)
      fail(`expected '${s}' but found ${t.t === "end" ? "the end" : `'${t.s}'`}`);
    p++;
  };
  const isOp = (...ss: string[]) => peek().t === "op" && ss.includes(peek().s);

  const or = (): Ast => {
    if (++depth > 500) fail("expression nested too deeply");
    let left = and();
    while (isOp("||")) {
      p++;
      left = { kind: "binary", op: "||", left, right: and() };
    }
    depth--;
    return left;
  };
  const and = (): Ast => {
    let left = not();
    while (isOp("&&")) {
      p++;
      left = { kind: "binary", op: "&&", left, right: not() };
    }
    return left;
  };
  const not = (): Ast => {
    if (isOp("!")) {
      p++;
      return { kind: "unary", op: "!", arg: not() };
    }
    return cmp();
  };
  const cmp = (): Ast => {
    const left = sum();
    if (isOp("<", "<=", ">", ">=", "==", "!=")) {
      const op = peek().s as BinaryOp;
      p++;
      const right = sum();
      if (isOp("<", "<=", ">", ">=", "==", "!=")) fail("chained comparisons are not allowed; use &&");
      return { kind: "binary", op, left, right };
    }
    return left;
  };
  const sum = (): Ast => {
    let left = prod();
    while (isOp("+", "-")) {
      const op = peek().s as BinaryOp;
      p++;
      left = { kind: "binary", op, left, right: prod() };
    }
    return left;
  };
  const prod = (): Ast => {
    let left = unary();
    while (isOp("*", "/")) {
      const op = peek().s as BinaryOp;
      p++;
      left = { kind: "binary", op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Ast => {
    if (isOp("-")) {
      p++;
      return { kind: "unary", op: "-", arg: unary() };
    }
    if (isOp("+")) {
      p++;
      return unary();
    }
    return power();
  };
  const power = (): Ast => {
    const base = atom();
    if (isOp("^")) {
      p++;
      if (++depth > 500) fail("expression nested too deeply");
      const exponent = unary();
      depth--;
      return { kind: "binary", op: "^", left: base, right: exponent };
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
        return { kind: "call", fn: t.s, args };
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
