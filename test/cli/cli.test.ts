import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReference } from "../reference.js";
import { cpuSeconds } from "./cpu.js";

const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-cli-"));

function run(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function problem(name: string, body: string): string {
  const f = join(tmp, name);
  writeFileSync(f, body);
  return f;
}

const DW = (eps: number) =>
  problem(
    `dw-${eps}.yaml`,
    `name: dw\nloss: "x^4/4 - x^2/2"\nnoise: { isotropic: 1 }\nlr: ${2 * eps}\nbatch: 1\ndomain: [[-3, 3]]\n`,
  );

describe("exit-time --json", () => {
  const ref = loadReference("double-well-met.json");
  it.each([0.25, 0.1])(
    "answers the double-well exit time within its interval of the exact value (ε = %s)",
    (eps) => {
      const exact = ref.rows.find((r: { eps: number }) => r.eps === eps).to_saddle_x_gt_0;
      const r = run([
        "exit-time",
        DW(eps),
        "--from",
        "-1",
        "--to",
        "x > 0",
        "--method",
        "sde",
        "--particles",
        "3000",
        "--json",
      ]);
      expect(r.code, r.err).toBe(0);
      const o = JSON.parse(r.out);
      expect(o.from).toEqual([-1]);
      expect(o.to).toBe("x > 0");
      const e = o.estimates[0];
      expect(e.method).toBe("sde");
      expect(e.particles).toBe(3000);
      expect(e.exited).toBe(3000);
      expect(e.censored).toBe(false);
      expect(e.iterations).toBeCloseTo(e.time / (2 * eps), 9);
      // 99.9% interval from the 95% one, plus the Euler–Maruyama bias at dt = η/10 (≤ 1.5%)
      const hw = ((e.ci95[1] - e.ci95[0]) / 2) * (3.29 / 1.96);
      expect(Math.abs(e.time - exact)).toBeLessThan(hw + 0.015 * exact);
    },
  );

  it("is bit-identical with 1 and 2 threads", () => {
    const args = [
      "exit-time",
      DW(0.25),
      "--from",
      "-1",
      "--to",
      "x > 0",
      "--method",
      "sgd,sde",
      "--particles",
      "700",
      "--json",
    ];
    const a = run([...args, "--threads", "1"]);
    const b = run([...args, "--threads", "2"]);
    expect(a.code, a.err).toBe(0);
    expect(b.out).toBe(a.out);
  });

  it("flags censoring: the mean becomes a lower bound", () => {
    const r = run([
      "exit-time",
      DW(0.05),
      "--from",
      "-1",
      "--to",
      "x > 0",
      "--method",
      "sgd",
      "--particles",
      "200",
      "--max-time",
      "20",
      "--json",
    ]);
    const e = JSON.parse(r.out).estimates[0];
    expect(e.censored).toBe(true);
    expect(e.lower_bound).toBe(true);
    expect(e.exited).toBeLessThan(200);
    expect(e.time).toBeLessThanOrEqual(20);
  });
});

describe("Ctrl-C", () => {
  it.each(["1", "2"])("stops cleanly and reports what finished (%s thread(s))", async (threads) => {
    // ε = 0.05: ~1800 iterations per particle, 5e5 particles: minutes of work, interrupted after 4 s
    const child = spawn(process.execPath, [
      BIN,
      "exit-time",
      DW(0.05),
      "--from",
      "-1",
      "--to",
      "x > 0",
      "--method",
      "sgd",
      "--particles",
      "500000",
      "--threads",
      threads,
      "--json",
    ]);
    let out = "";
    child.stdout.on("data", (b) => {
      out += b;
    });
    // interrupt once the run has done ≥ 3 s of CPU work (under load, 4 s of wall time may not even cover start-up)
    await cpuSeconds(child.pid as number, 3, 90);
    child.kill("SIGINT");
    const code = await new Promise((r) => child.on("exit", r));
    expect(code).toBe(130); // interrupted: what finished is printed, and the exit code says it is partial
    const o = JSON.parse(out);
    expect(o.interrupted).toBe(true);
    const e = o.estimates[0];
    // under load the workers may not have finished a particle in 4 s: then the method says it was skipped
    if (e.status === "skipped") return;
    expect(e.stopped).toBe(true);
    expect(e.particles).toBeGreaterThan(0);
    expect(e.particles).toBeLessThan(500000);
    expect(e.exited).toBeLessThanOrEqual(e.particles);
    expect(e.ci95[0]).toBeLessThan(e.time);
  });
});

describe("simulate", () => {
  it("starts from samples in a CSV file named relative to the working directory", () => {
    const csv = join(tmp, "init.csv");
    writeFileSync(csv, "x\n-1.5\n-0.5\n0.5\n1.5\n");
    const r = spawnSync(
      process.execPath,
      [BIN, "simulate", DW(0.1), "--init", "samples:init.csv", "--particles", "8", "--steps", "3", "--json"],
      {
        encoding: "utf8",
        cwd: tmp,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.snapshots[0].mean[0]).toBe(0); // particles cycle through the 4 samples: mean 0 at t = 0
    const bad = spawnSync(process.execPath, [BIN, "simulate", DW(0.1), "--init", "samples:missing.csv"], {
      encoding: "utf8",
      cwd: tmp,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot read missing.csv/);
  });

  it("writes manifest, moments and Arrow snapshots, and reports divergence", () => {
    const out = join(tmp, "sim");
    const f = problem(
      "q.yaml",
      `name: steep quadratic\nloss: "3*x^2/2"\nnoise: { isotropic: 0.01 }\nlr: 0.8\nbatch: 1\ndomain: [[-1, 1]]\nstart: [1]\n`,
    );
    const r = run(["simulate", f, "--particles", "50", "--steps", "100", "--out", out, "--json"]);
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.divergence.particles).toBe(50);
    expect(o.divergence.first_step).toBeGreaterThan(30);
    expect(existsSync(join(out, "snapshots.arrow"))).toBe(true);
    const m = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(m.dynamics).toBe("sgd");
    expect(readFileSync(join(out, "moments.csv"), "utf8").split("\n")[0]).toMatch(
      /^step,time,iterations,valid,diverged,mean_x,cov_x_x$/,
    );
    const h = run(["simulate", f, "--particles", "50", "--steps", "100"]);
    expect(h.out).toMatch(/DIVERGENCE: 50 of 50 particles diverged/);
  });
});

describe("bad input: one clear message, exit code 2, no stack trace", () => {
  const dw = () => DW(0.1);
  const cases: Array<[string, () => string[], RegExp]> = [
    [
      "missing file",
      () => ["exit-time", join(tmp, "nope.yaml"), "--from", "-1", "--to", "x > 0"],
      /cannot read the problem file: no such file/,
    ],
    [
      "bad YAML",
      () => ["exit-time", problem("bad.yaml", "name: [unclosed\nloss: x\n"), "--from", "-1", "--to", "x>0"],
      /not valid YAML\/JSON at line/,
    ],
    [
      "unknown key",
      () => [
        "exit-time",
        problem(
          "uk.yaml",
          "name: a\nloss: x^2\nnoise: {isotropic: 1}\nlr: 0.1\nbatch: 1\nlearning_rate: 3\n",
        ),
        "--from",
        "0",
        "--to",
        "x>1",
      ],
      /unknown key 'learning_rate'/,
    ],
    [
      "bad expression",
      () => [
        "exit-time",
        problem("be.yaml", "name: a\nloss: x^^2\nnoise: {isotropic: 1}\nlr: 0.1\nbatch: 1\n"),
        "--from",
        "0",
        "--to",
        "x>1",
      ],
      /loss: unexpected '\^' at column 3/,
    ],
    [
      "hostile expression",
      () => [
        "exit-time",
        problem("h.yaml", 'name: a\nloss: "x; process.exit(1)"\nnoise: {isotropic: 1}\nlr: 0.1\nbatch: 1\n'),
        "--from",
        "0",
        "--to",
        "x>1",
      ],
      /unexpected character ';'/,
    ],
    [
      "non-PSD matrix",
      () => [
        "exit-time",
        problem(
          "np.yaml",
          'name: a\nloss: "x^2+y^2"\nnoise: {matrix: [["1", "2"], ["2", "1"]]}\nlr: 0.1\nbatch: 1\ndomain: [[-1,1],[-1,1]]\n',
        ),
        "--from",
        "0,0",
        "--to",
        "x>1",
      ],
      /not positive semi-definite/,
    ],
    [
      "negative lr",
      () => [
        "exit-time",
        problem("nl.yaml", "name: a\nloss: x^2\nnoise: {isotropic: 1}\nlr: -0.1\nbatch: 1\n"),
        "--from",
        "0",
        "--to",
        "x>1",
      ],
      /lr: the learning rate η must be > 0/,
    ],
    [
      "zero particles",
      () => ["exit-time", dw(), "--from", "-1", "--to", "x > 0", "--particles", "0"],
      /--particles: "0" is not a whole number ≥ 1/,
    ],
    [
      "start inside the target",
      () => ["exit-time", dw(), "--from", "1", "--to", "x > 0"],
      /already inside the target region/,
    ],
    [
      "bad point",
      () => ["exit-time", dw(), "--from", "-1,2", "--to", "x > 0"],
      /--from: "-1,2" has 2 coordinate\(s\) but the problem has dimension 1/,
    ],
    ["bad region", () => ["exit-time", dw(), "--from", "-1", "--to", "x + 1"], /is not a condition/],
    [
      "unknown method",
      () => ["exit-time", dw(), "--from", "-1", "--to", "x > 0", "--method", "magic"],
      /unknown method 'magic'/,
    ],
    [
      "bad dynamics",
      () => ["simulate", dw(), "--from", "-1", "--dynamics", "adam"],
      /unknown dynamics 'adam'/,
    ],
    [
      "dt for SGD",
      () => ["simulate", dw(), "--from", "-1", "--dt", "0.01"],
      /--dt: applies only to sde and sde2/,
    ],
    [
      "noisy-sgd without δ",
      () => ["simulate", dw(), "--from", "-1", "--dynamics", "noisy-sgd", "--steps", "5"],
      /noisy-sgd needs an added noise δ > 0/,
    ],
    ["unknown option", () => ["simulate", dw(), "--partcles", "5"], /unknown option '--partcles'/],
  ];
  it.each(cases)("%s", (_name, args, re) => {
    const r = run(args());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(re);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.out).toBe("");
  });
});
