import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-dtcheck-"));

function exitTime(file: string, extra: string[]): Record<string, unknown>[] {
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      "exit-time",
      file,
      "--from",
      "0.8",
      "--to",
      "x < 0",
      "--seed",
      "1",
      "--threads",
      "2",
      "--json",
      ...extra,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).estimates;
}

// Hessian noise on a tilted quartic: Σ(x) = 3x² + 1/2 varies fast, and Euler–Maruyama at the default
// dt = η/10 is far off (≈ −20%). The exact 1-D formula (quadrature, ± 1e-7) is the independent value.
const file = join(tmp, "hessian.yaml");
writeFileSync(
  file,
  'name: h\nloss: "x^4/4 + x^2/4 - x"\nnoise: {hessian: 1}\nlr: 0.3\nbatch: 1\ndomain: [[-4, 4]]\n',
);

describe("exit-time: the SDE's time-step check", () => {
  it("detects the O(dt) bias at 2·dt, and its extrapolation brackets the exact value", () => {
    const [sde, exact] = exitTime(file, ["--method", "sde,exact"]);
    const T = exact.time as number;
    const c = sde.dt_check as {
      dt: number;
      bias_estimate: number;
      bias_ci95: [number, number];
      extrapolated_ci95: [number, number];
      significant: boolean;
      not_assessable: string | null;
    };
    expect(c.dt).toBeCloseTo(2 * (sde.dt as number), 12);
    expect(c.not_assessable).toBeNull();
    // the plain estimate misses the exact value (its interval lies below it) …
    expect((sde.ci95 as number[])[1]).toBeLessThan(T);
    // … the check sees a positive bias beyond the Monte Carlo error …
    expect(c.significant).toBe(true);
    expect(c.bias_ci95[0]).toBeGreaterThan(0);
    // … and the first-order extrapolation's 95% interval contains the exact value
    expect(c.extrapolated_ci95[0]).toBeLessThan(T);
    expect(c.extrapolated_ci95[1]).toBeGreaterThan(T);
  });

  it("--no-dt-check runs the SDE once", () => {
    const [sde] = exitTime(file, ["--method", "sde", "--particles", "200", "--no-dt-check"]);
    expect(sde.dt_check).toBeUndefined();
  });
});
