import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { registerStationary } from "../../src/cli/commands/stationary.js";

async function run(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  registerStationary(program);
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

describe("CLI: stationary lists the closed classes", () => {
  it("Hessian band: two classes with probabilities from the start, no global gap, basins and grid check in the CSV/JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sgdscope-stationary-"));
    const file = join(dir, "band.yaml");
    writeFileSync(
      file,
      'name: band\nloss: "x^4 - 2*x^2 + y^2 + 0.3*x*y"\nnoise: { hessian: 1 }\nlr: 0.05\nbatch: 1\ndomain: [[-2, 2], [-2, 2]]\n',
    );
    const out = join(dir, "st");
    const o = JSON.parse(
      await run([
        "stationary",
        file,
        "--grid",
        "41",
        "--from",
        "-1,0",
        "--eigs",
        "3",
        "--out",
        out,
        "--json",
      ]),
    );
    expect(o.unique).toBe(false);
    expect(o.zero_eigenvalues).toBe(2);
    expect(o.classes.length).toBe(2);
    expect(o.spectral_gap).toBeNull(); // a gap is a statement within a class
    for (const c of o.classes) {
      expect(c.kind).toBe("density");
      expect(c.spectral_gap).toBeGreaterThan(0);
      expect(c.relaxation_iterations).toBeCloseTo(c.relaxation_time / 0.05, 8);
      // metastable cores: their exchange is slower than 1/resolution = 1/(1e-9·‖Q‖) (≈ 1.5e6 at this grid)
      expect(c.min_lifetime).toBeGreaterThan(1e6);
    }
    expect(o.classes[0].probability).toBeGreaterThan(0.999);
    expect(o.classes[0].centre[0]).toBeLessThan(0);
    expect(o.grid_check.classes).toBe(2);
    expect(o.transient_nodes).toBeGreaterThan(0);
    expect(o.message).not.toMatch(/converges to a density/);
    const csv = readFileSync(join(out, "stationary.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("x,y,class,basin,probability,density");
    expect(csv.length).toBe(41 * 41 + 1);
    const text = await run(["stationary", file, "--grid", "41", "--from", "0,0", "--eigs", "3"]);
    expect(text).toMatch(/no unique stationary law: 2 closed classes/);
    expect(text).toMatch(/class 0 \(probability 0\.5\)/);
  });
});
