/**
 * Adversarial bad input for the CLI (issue 2 §2, §5): each case once crashed with a stack trace, hung,
 * printed NaN, exited 0 or gave an unclear message. Now: exit code 2, one message naming the place
 * (file + key path, or the option) and what is valid; no stack frames. The runs are spawned
 * concurrently in beforeAll so the file stays well under 20 s.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-bad-"));

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function runAsync(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => {
      out += b;
    });
    child.stderr.on("data", (b) => {
      err += b;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
  });
}

let n = 0;
function file(body: string, ext = "yaml"): string {
  const f = join(tmp, `p${n++}.${ext}`);
  writeFileSync(f, body);
  return f;
}

/** A 1-D problem file (JSON) with `over` replacing or (undefined) removing keys. */
function problem(over: Record<string, unknown> = {}): string {
  const o: Record<string, unknown> = {
    name: "dw",
    loss: "x^4/4 - x^2/2",
    noise: { isotropic: 1 },
    lr: 0.2,
    batch: 1,
    domain: [[-3, 3]],
    ...over,
  };
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return file(JSON.stringify(o), "json");
}

const dw = () => problem({ start: [-1], target: "x > 0" });
const quick = ["--particles", "4", "--steps", "2"];

/** [name, args, expected message]: exit code 2, no stack trace, nothing on stdout. */
const cases: Array<[string, () => string[], RegExp]> = [
  [
    "JSON with a trailing comma",
    () => [
      "landscape",
      file('{"name": "a", "loss": "x^2", "noise": {"isotropic": 1}, "lr": 0.1, "batch": 1,}', "json"),
    ],
    /p\d+\.json: is not valid JSON at line 1, column 79/,
  ],
  [
    "5000 nested unary minus",
    () => ["landscape", problem({ loss: `${"-".repeat(5000)}x` })],
    /loss: expression nested too deeply \(more than 400 levels\)/,
  ],
  [
    "5000 nested ! in --to",
    () => ["simulate", dw(), ...quick, "--to", `${"!".repeat(5000)}(x > 0)`],
    /--to: expression nested too deeply/,
  ],
  [
    "a condition inside arithmetic",
    () => ["landscape", problem({ loss: "(x > 0) * x" })],
    /p\d+\.json: loss: '\*' needs a number, but a condition .* at column 9/,
  ],
  ["&& between numbers", () => ["simulate", dw(), ...quick, "--to", "x && 1"], /--to: '&&' joins conditions/],
  ["1/0", () => ["landscape", problem({ loss: "1/0" })], /loss: division by zero at column 2/],
  [
    "loss NaN at --from",
    () => ["exit-time", problem({ loss: "log(x + 2)" }), "--from", "-2.5", "--to", "x > 0"],
    /--from: the loss is NaN at x = \(-2\.5\), the start point/,
  ],
  [
    "loss -∞ at the centre of the domain",
    () => ["stationary", problem({ loss: "log(x)" })],
    /p\d+\.json: loss: the loss is -∞ at x = \(0\), the centre of the domain/,
  ],
  [
    "gradient ∞ at the start",
    () => ["landscape", problem({ loss: "sqrt(x + 1)", start: [-1] })],
    /loss: the gradient of the loss is ∞ in coordinate 1 at x = \(-1\), the start point/,
  ],
  [
    "__proto__ as a variable",
    () => ["landscape", problem({ vars: ["__proto__"], loss: "__proto__^2" })],
    /vars: '__proto__' is reserved/,
  ],
  [
    "x100000: a 100000-dimensional analytic loss",
    () => ["landscape", problem({ loss: "x100000^2", domain: undefined })],
    /loss: an analytic loss in 100000 dimensions is too large.*at most 1000/,
  ],
  [
    "--particles 0x10",
    () => ["simulate", dw(), "--particles", "0x10"],
    /--particles: "0x10" is not a whole number/,
  ],
  ["--particles 1e12", () => ["simulate", dw(), "--particles", "1e12"], /--particles: .* need about .* GB/],
  ["--steps 1e15", () => ["simulate", dw(), "--steps", "1e15"], /--steps: 1e15 is too large.*2147483647/],
  [
    "--time 1e300",
    () => ["simulate", dw(), "--particles", "4", "--time", "1e300"],
    /--time: a horizon of 1e\+300 .* steps.*at most 2147483647/,
  ],
  [
    "--max-time 1e300",
    () => ["exit-time", dw(), "--method", "sgd", "--max-time", "1e300"],
    /--max-time: a horizon of 1e\+300/,
  ],
  [
    "--snapshots 1e8",
    () => ["simulate", dw(), ...quick, "--snapshots", "1e8"],
    /--snapshots: .*at most 100000/,
  ],
  [
    "--out is a file",
    () => ["simulate", dw(), ...quick, "--out", dw()],
    /--out: cannot write into .*a file stands/,
  ],
  [
    "simulate from inside --to",
    () => ["simulate", dw(), ...quick, "--from", "-1", "--to", "1 > 0"],
    /--from: the start point \(-1\) is already inside the target region "1 > 0"/,
  ],
  ["--method sgd,sgd", () => ["exit-time", dw(), "--method", "sgd,sgd"], /--method: 'sgd' is listed twice/],
  [
    "--dt without an SDE method",
    () => ["exit-time", dw(), "--method", "sgd", "--dt", "0.01"],
    /--dt: applies only to the methods sde and sde2/,
  ],
  [
    "bounds from outside the domain",
    () => ["exit-time", dw(), "--method", "bounds", "--from", "-10"],
    /--from: coordinate x = -10 of the start point is outside the domain \[-3, 3\]/,
  ],
  [
    "stationary without a domain",
    () => ["stationary", problem({ domain: undefined })],
    /p\d+\.json: domain: is required for the stationary law on a grid/,
  ],
  [
    "landscape without a domain or start",
    () => ["landscape", problem({ domain: undefined })],
    /p\d+\.json: domain: is required for the landscape search/,
  ],
  [
    "empty --init samples file",
    () => ["simulate", dw(), ...quick, "--init", `samples:${file("x\n", "csv")}`],
    /--init .*\.csv: holds no data rows/,
  ],
  ["--eigs 1e9", () => ["stationary", dw(), "--grid", "11", "--eigs", "1e9"], /--eigs: .*at most 1000/],
  [
    "non-symmetric Σ names the file",
    () => [
      "landscape",
      problem({
        loss: "x^2 + y^2",
        domain: [
          [-1, 1],
          [-1, 1],
        ],
        noise: {
          matrix: [
            ["1", "0.5"],
            ["0", "1"],
          ],
        },
      }),
    ],
    /p\d+\.json: noise\.matrix: Σ is not symmetric at x = \(0, 0\)/,
  ],
  [
    "backticks",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a JS template literal is the hostile input
    () => ["landscape", problem({ loss: "`${x}`" })],
    /loss: unexpected character '`' at column 1/,
  ],
  ["a comment", () => ["landscape", problem({ loss: "x /* */ + 1" })], /loss: unexpected '\*' at column 4/],
  ["globalThis", () => ["landscape", problem({ loss: "globalThis" })], /loss: unknown name 'globalThis'/],
  [
    "pde target outside the domain",
    () => ["exit-time", dw(), "--method", "pde", "--to", "x > 5"],
    /--to: the target region contains no grid node/,
  ],
  [
    "a YAML alias bomb",
    () => [
      "landscape",
      file(
        "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nname: a\n",
      ),
    ],
    /p\d+\.yaml: cannot be expanded: Excessive alias count/,
  ],
  [
    "fokker-planck --times 1e300 (would run for ever)",
    () => ["fokker-planck", dw(), "--grid", "11", "--times", "1e300"],
    /--times: t = 1e\+300 needs about .* products/,
  ],
  [
    "a variable named like an output column (vars: [snapshot|particle|time])",
    () => ["simulate", problem({ vars: ["time"], loss: "time^2", start: [1] }), ...quick],
    /p\d+\.json: vars: 'time' names a column of the result files/,
  ],
  [
    "a region named __proto__",
    () => ["fokker-planck", dw(), "--grid", "11", "--times", "1", "--regions", "__proto__=x>0"],
    /--regions: the region name '__proto__' is reserved/,
  ],
  [
    "vars with a model loss",
    () => [
      "landscape",
      problem({ vars: ["w"], loss: { model: "linear", data: { generate: "gaussian", n: 20 } } }),
    ],
    /p\d+\.json: vars: applies only to an expression or samples loss/,
  ],
  [
    "a regression target with a non-numeric cell",
    () => {
      file("f,y\n1,0.5\n2,n/a\n3,1\n", "csv");
      return [
        "landscape",
        problem({
          loss: { model: "linear", data: { csv: `p${n - 1}.csv`, target: "y" } },
          domain: undefined,
        }),
      ];
    },
    /p\d+\.csv: line 3, column 2: "n\/a" in the target column "y" is not a finite number/,
  ],
  [
    "escape sequences and a forged line in the problem name",
    () => ["landscape", problem({ name: "dw\u001b[2J\nsgdscope: all good" })],
    /p\d+\.json: name: must be one line of printable text/,
  ],
  [
    "escape sequences in a flag are shown, not obeyed",
    () => ["simulate", dw(), ...quick, "--to", "x > 0 \u001b[2J\u001b]0;pwned\u0007"],
    /--to: .*\\u001b/,
  ],
  [
    "a problem file that is a device (/dev/zero would be read for ever)",
    () => ["landscape", "/dev/zero"],
    /\/dev\/zero: the problem file is not a regular file/,
  ],
  [
    "--init samples: a device",
    () => ["simulate", dw(), ...quick, "--init", "samples:/dev/zero"],
    /--init \/dev\/zero: \/dev\/zero is not a regular file/,
  ],
  [
    "--init samples: a hex cell",
    () => [
      "fokker-planck",
      dw(),
      "--grid",
      "11",
      "--times",
      "1",
      "--init",
      `samples:${file("x\n0.5\n0x10\n", "csv")}`,
    ],
    /--init .*\.csv: line 3, column 1: "0x10" is not a decimal number/,
  ],
  [
    "--init gaussian with an empty std",
    () => ["simulate", dw(), ...quick, "--init", "gaussian:0:"],
    /--init gaussian std: "" is not one std/,
  ],
  [
    "5001 sample expressions",
    () => [
      "landscape",
      problem({ loss: { samples: Array.from({ length: 5001 }, (_, i) => `(x-${i % 3})^2`) } }),
    ],
    /loss\.samples: 5001 sample expressions are too many.*at most 5000/,
  ],
  [
    "an MLP with hidden: [4096, 4096]",
    () => [
      "landscape",
      problem({
        loss: { model: "mlp", data: { generate: "two-moons", n: 40, seed: 1 }, hidden: [4096, 4096] },
        domain: undefined,
      }),
    ],
    /loss\.hidden: an MLP 2→4096→4096→2 has \d+ parameters, too many.*at most 100000/,
  ],
  [
    "softmax with 20000 classes",
    () => {
      file(`f,y\n${Array.from({ length: 20_000 }, (_, i) => `${i},c${i}`).join("\n")}\n`, "csv");
      return [
        "landscape",
        problem({ loss: { model: "mlp", data: { csv: `p${n - 1}.csv`, target: "y" } }, domain: undefined }),
      ];
    },
    /loss\.hidden: an MLP 1→8→20000 has \d+ parameters, too many/,
  ],
  [
    "landscape --starts 1e9",
    () => ["landscape", dw(), "--starts", "1e9"],
    /--starts: 1e9 is too large.*at most 100000/,
  ],
  [
    "stationary --grid 1e6",
    () => ["stationary", dw(), "--grid", "1e6"],
    /--grid: a grid of 1000000 = 1000000 nodes is too large for the stationary law/,
  ],
  [
    "--time shorter than one step (0 steps)",
    () => ["simulate", dw(), "--particles", "4", "--time", "1e-12"],
    /--time: a horizon of 1e-12 \(SDE time\) is shorter than one step of η = 0\.2: 0 steps/,
  ],
  [
    "lr 1e308 (the default horizon is 0 steps)",
    () => ["simulate", problem({ lr: 1e308, start: [-1] }), "--particles", "4"],
    /p\d+\.json: lr: a horizon of 10 .* shorter than one step of η = 1e\+308/,
  ],
  [
    "a ±1e308 domain (its width overflows)",
    () => ["stationary", problem({ domain: [[-1e308, 1e308]] })],
    /p\d+\.json: domain\[0\]: the width hi − lo of each interval must be a finite number/,
  ],
  [
    "a grid command on a 5-D problem does not ask for a domain",
    () => [
      "stationary",
      problem({ loss: "x1^2 + x2^2 + x3^2 + x4^2 + x5^2", start: [1, 1, 1, 1, 1], domain: undefined }),
    ],
    /p\d+\.json: the stationary law on a grid needs dimension d ≤ 3, this problem has d = 5/,
  ],
  [
    "analyze from a start outside the domain",
    () => ["analyze", problem({ start: [5] }), "--quick"],
    /p\d+\.json: start: coordinate x = 5 of the start point is outside the domain \[-3, 3\]/,
  ],
  ['--out ""', () => ["simulate", dw(), ...quick, "--out", ""], /--out: is empty/],
  [
    "--out a folder holding other files",
    () => ["simulate", dw(), ...quick, "--out", "."],
    /--out: "\." is the working folder or holds it/,
  ],
  [
    "a region name used twice",
    () => ["fokker-planck", dw(), "--grid", "11", "--times", "1", "--regions", "a=x>0;a=x<0"],
    /--regions: the region name 'a' is used twice/,
  ],
];

if (process.platform === "linux") {
  cases.push([
    "--out under /proc (Node's recursive mkdir never returns there)",
    () => ["stationary", dw(), "--grid", "11", "--out", "/proc/sgdscope-x"],
    /--out: cannot write into "\/proc\/sgdscope-x"/,
  ]);
}

/** Valid but extreme input that once crashed: must run (exit 0) and print no NaN. */
const valid: Array<[string, () => string[]]> = [
  [
    "exit statistics when every particle diverged (once printed NaN% and quantiles NaN)",
    () => [
      "simulate",
      problem({ loss: "x^4", lr: 1, start: [3], domain: undefined }),
      "--particles",
      "20",
      "--steps",
      "20",
      "--to",
      "x > 5",
    ],
  ],
  [
    "analyze --quick of x^4 at lr 1 from 3 without a domain (every particle diverges; once spun > 300 s)",
    () => [
      "analyze",
      problem({ loss: "x^4", lr: 1, start: [3], domain: undefined }),
      "--quick",
      "--no-png",
      "--threads",
      "1",
    ],
  ],
  [
    "a flat sum of 25000 terms (1e5 characters)",
    () => ["simulate", problem({ loss: `x^2${"+x^2".repeat(24_999)}`, start: [-1] }), ...quick],
  ],
  [
    "a landscape with a flat direction (no rate to report)",
    () => [
      "landscape",
      problem({
        domain: [
          [-3, 3],
          [-1, 1],
        ],
      }),
      "--starts",
      "3",
    ],
  ],
];

const results = new Map<string, Run>();

beforeAll(async () => {
  const jobs: Array<[string, string[]]> = [
    ...cases.map(([name, args]) => [name, args()] as [string, string[]]),
    ...valid.map(([name, args]) => [name, args()] as [string, string[]]),
  ];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const [name, args] = jobs[next++];
      results.set(name, await runAsync(args));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}, 300_000); // ~0.5 s of CPU per run; generous for a machine shared by many test runs

describe("bad input: exit code 2, one clear message, no stack trace", () => {
  it.each(cases)("%s", (name, _args, re) => {
    const r = results.get(name)!;
    expect(r.err).toMatch(re);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err).not.toMatch(/internal error/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character reaches the terminal
    expect(r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.out).toBe("");
  });
});

describe("extreme but valid input runs", () => {
  it.each(valid)("%s", (name) => {
    const r = results.get(name)!;
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/NaN|undefined|Infinity/);
  });
});
