import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { registerExitTime } from "../../src/cli/commands/exit-time.js";
import { registerFokkerPlanck } from "../../src/cli/commands/fokker-planck.js";
import { registerStationary } from "../../src/cli/commands/stationary.js";

async function run(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  registerFokkerPlanck(program);
  registerStationary(program);
  registerExitTime(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    await program.parseAsync(args, { from: "user" });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe("CLI: fokker-planck, stationary, exit-time --method pde,exact", () => {
  const dir = mkdtempSync(join(tmpdir(), "sgdscope-pde-cli-"));
  const file = join(dir, "dw.yaml");
  writeFileSync(
    file,
    'name: dw\nloss: "x^4/4 - x^2/2"\nnoise: { isotropic: 1 }\nlr: 0.2\nbatch: 1\ndomain: [[-3, 3]]\nstart: [-1]\n',
  );
  it("exit-time --json has pde and exact estimates matching the reference (ε = 0.1)", async () => {
    const o = JSON.parse(
      await run(["exit-time", file, "--to", "x > 0", "--method", "pde,exact", "--grid", "801", "--json"]),
    );
    const byMethod = Object.fromEntries(o.estimates.map((e: { method: string }) => [e.method, e]));
    expect(Math.abs(byMethod.pde.time / 30.8213 - 1)).toBeLessThan(5e-3);
    expect(byMethod.pde.grid).toEqual([801]);
    expect(byMethod.pde.error_estimate).toBeGreaterThan(0);
    expect(Math.abs(byMethod.exact.time / 30.8213 - 1)).toBeLessThan(1e-4);
    expect(byMethod.exact.infinite).toBe(false);
  });
  it("exit-time --rtol: the pde grid is refined until its error estimate is within rtol, and says so", async () => {
    const o = JSON.parse(
      await run(["exit-time", file, "--to", "x > 0", "--method", "pde", "--rtol", "1e-4", "--json"]),
    );
    const pde = o.estimates.find((e: { method: string }) => e.method === "pde");
    expect(pde.converged).toBe(true);
    expect(pde.stop_reason).toBe("converged");
    expect(pde.grids.length).toBeGreaterThanOrEqual(3);
    expect(pde.grid[0]).toBeGreaterThanOrEqual(4001); // 1-D default: accuracy first
    expect(pde.error_estimate).toBeLessThanOrEqual(1e-4 * pde.time);
    // the stated error covers the true error (exact double integral 30.8213, test/fixtures/reference)
    expect(Math.abs(pde.time - 30.8213)).toBeLessThanOrEqual(pde.error_estimate + 5e-5);
    expect(pde.message).toMatch(/≤ rtol/);
  });
  it("exit-time --rtol / --pde-seconds: bad values and use without pde are refused before any work", async () => {
    await expect(run(["exit-time", file, "--to", "x > 0", "--method", "pde", "--rtol", "0"])).rejects.toThrow(
      /--rtol/,
    );
    await expect(
      run(["exit-time", file, "--to", "x > 0", "--method", "exact", "--pde-seconds", "5"]),
    ).rejects.toThrow(/only to the method pde/);
  });
  it("fokker-planck --json --out: mass 1, regions, files written", async () => {
    const out = join(dir, "fp");
    const o = JSON.parse(
      await run([
        "fokker-planck",
        file,
        "--times",
        "0,1,2",
        "--grid",
        "201",
        "--regions",
        "left=x<0;right=x>0",
        "--out",
        out,
        "--json",
      ]),
    );
    expect(o.snapshots.length).toBe(3);
    for (const s of o.snapshots) {
      expect(Math.abs(s.mass - 1)).toBeLessThan(1e-12);
      expect(s.region_mass.left + s.region_mass.right).toBeLessThanOrEqual(1 + 1e-12);
    }
    expect(o.snapshots[0].mean[0]).toBeCloseTo(-1, 10);
    expect(o.stationary.normalisable).toBe(true);
    expect(readFileSync(join(out, "snapshots.csv"), "utf8").split("\n")[0]).toMatch(
      /^t,iterations,mass,mean_x/,
    );
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).command).toBe("fokker-planck");
  });
  it("stationary --json: normalisable, gap > 0, symmetric mean", async () => {
    const o = JSON.parse(await run(["stationary", file, "--grid", "301", "--json"]));
    expect(o.normalisable).toBe(true);
    expect(o.spectral_gap).toBeGreaterThan(0);
    expect(o.relaxation_iterations).toBeCloseTo(o.relaxation_time / 0.2, 8);
    expect(Math.abs(o.mean[0])).toBeLessThan(1e-9);
  });
});
