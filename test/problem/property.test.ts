/**
 * Property tests (fast-check) of the expression parser and the problem loader (issue 10): any input either
 * loads or fails with one UserError that names its place, never another exception (a stack trace for the
 * user) or a hang; and a well-formed expression means what it says: its compiled value equals an
 * independent evaluation of the same syntax tree, its gradient a central difference.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { compileScalar } from "../../src/problem/expr/index.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { parseProblemText } from "../../src/problem/parse-text.js";

/** Runs f; returns "ok" or the UserError's message; any other exception fails the property. */
function outcome(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e.message;
  }
}

const TOKENS = [
  "x",
  "y",
  "z",
  "1",
  "2.5",
  "1e3",
  "0x10",
  "(",
  ")",
  "+",
  "-",
  "*",
  "/",
  "^",
  ",",
  "<",
  ">=",
  "==",
  "&&",
  "||",
  "!",
  "exp",
  "log",
  "sqrt",
  "sin",
  "max",
  "pow",
  "abs",
  "pi",
  "__proto__",
  "constructor",
  " ",
  ".",
  "e",
  "Infinity",
  "NaN",
  "`",
  "$",
  "\u001b",
  "∞",
];

describe("expression parser: random token strings", () => {
  it("compile, or fail with one UserError naming the expression", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { minLength: 0, maxLength: 25 }), (toks) => {
        const src = toks.join("");
        const r = outcome(() => {
          const f = compileScalar(src, ["x", "y"], "loss");
          const v = f.value(Float64Array.of(0.3, -0.7));
          expect(typeof v).toBe("number");
        });
        if (r !== "ok") expect(r.startsWith("loss: ")).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

type Ast =
  | { k: "num"; v: number }
  | { k: "var"; i: 0 | 1 }
  | { k: "bin"; op: "+" | "-" | "*"; a: Ast; b: Ast }
  | { k: "fn"; f: "sin" | "cos" | "exp" | "tanh"; a: Ast }
  | { k: "neg"; a: Ast }
  | { k: "sq"; a: Ast };

const ast: fc.Arbitrary<Ast> = fc.letrec<{ node: Ast }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ k: fc.constant("num" as const), v: fc.integer({ min: 0, max: 20 }).map((n) => n / 4) }),
    fc.record({ k: fc.constant("var" as const), i: fc.constantFrom(0 as const, 1 as const) }),
    fc.record({
      k: fc.constant("bin" as const),
      op: fc.constantFrom("+" as const, "-" as const, "*" as const),
      a: tie("node"),
      b: tie("node"),
    }),
    fc.record({
      k: fc.constant("fn" as const),
      f: fc.constantFrom("sin" as const, "cos" as const, "exp" as const, "tanh" as const),
      a: tie("node"),
    }),
    fc.record({ k: fc.constant("neg" as const), a: tie("node") }),
    fc.record({ k: fc.constant("sq" as const), a: tie("node") }),
  ),
})).node;

/** The expression text, fully parenthesised. */
function show(t: Ast): string {
  switch (t.k) {
    case "num":
      return String(t.v);
    case "var":
      return t.i === 0 ? "x" : "y";
    case "bin":
      return `(${show(t.a)} ${t.op} ${show(t.b)})`;
    case "fn":
      return `${t.f}(${show(t.a)})`;
    case "neg":
      return `(-${show(t.a)})`;
    case "sq":
      return `(${show(t.a)})^2`;
  }
}

/** An evaluator of the tree independent of sgdscope's parser and code generator. */
function evaluate(t: Ast, x: number, y: number): number {
  switch (t.k) {
    case "num":
      return t.v;
    case "var":
      return t.i === 0 ? x : y;
    case "bin": {
      const a = evaluate(t.a, x, y);
      const b = evaluate(t.b, x, y);
      return t.op === "+" ? a + b : t.op === "-" ? a - b : a * b;
    }
    case "fn":
      return Math[t.f](evaluate(t.a, x, y));
    case "neg":
      return -evaluate(t.a, x, y);
    case "sq":
      return evaluate(t.a, x, y) ** 2;
  }
}

describe("expression compiler: well-formed expressions keep their meaning", () => {
  it("value = an independent evaluation; gradient = a central difference", () => {
    fc.assert(
      fc.property(
        ast,
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (t, x, y) => {
          const want = evaluate(t, x, y);
          fc.pre(Number.isFinite(want) && Math.abs(want) < 1e6);
          const f = compileScalar(show(t), ["x", "y"], "loss");
          const v = f.value(Float64Array.of(x, y));
          expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want)));
          const g = new Float64Array(2);
          f.gradient(Float64Array.of(x, y), g);
          const h = 1e-5;
          for (const [i, dx, dy] of [
            [0, h, 0],
            [1, 0, h],
          ] as const) {
            const fd = (evaluate(t, x + dx, y + dy) - evaluate(t, x - dx, y - dy)) / (2 * h);
            fc.pre(Number.isFinite(fd) && Math.abs(fd) < 1e4);
            // central difference error O(h² f''') plus rounding O(ε |f| / h)
            expect(Math.abs(g[i] - fd)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(fd) + Math.abs(want)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

const VALID = {
  name: "dw",
  loss: "x^4/4 - x^2/2",
  noise: { isotropic: 1 },
  lr: 0.1,
  batch: 1,
  domain: [[-2, 2]],
  start: [-1],
};

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("x^2", "log(x)", "__proto__", "empirical", "none", "x > 0", ""),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.array(fc.array(fc.double(), { maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom("isotropic", "diagonal", "model", "samples", "data", "__proto__", "x"),
    fc.jsonValue(),
    {
      maxKeys: 3,
    },
  ),
);

describe("problem loader: random files", () => {
  it("a valid problem with random keys replaced loads or gives one UserError naming the file", () => {
    const keys = [
      ...Object.keys(VALID),
      "vars",
      "delta",
      "momentum",
      "replacement",
      "target",
      "bogus",
      "__proto__",
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 4 }), (patch) => {
        const spec: Record<string, unknown> = { ...VALID };
        for (const [k, v] of Object.entries(patch)) {
          if (v === undefined) delete spec[k];
          else
            Object.defineProperty(spec, k, {
              value: v,
              enumerable: true,
              writable: true,
              configurable: true,
            });
        }
        const r = outcome(() => problemFromSpec(spec, { file: "p.yaml" }));
        if (r !== "ok") expect(r.startsWith("p.yaml")).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("random text parses to data or gives one UserError naming the file", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom("p.yaml", "p.json"), (text, file) => {
        const r = outcome(() => {
          const spec = parseProblemText(text, file);
          problemFromSpec(spec, { file });
        });
        if (r !== "ok") expect(r.startsWith(file)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
