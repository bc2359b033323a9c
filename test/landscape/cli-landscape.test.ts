import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { registerLandscape } from "../../src/cli/commands/landscape.js";
import { type ExitEstimate, exitTime } from "../../src/exit/index.js";
import { loadProblem } from "../../src/io/load-problem.js";
import { pdeExitTimeEstimate } from "../../src/pde/estimates.js";
import { loadReference } from "../reference.js";

const ref = loadReference("double-well-met.json") as {
  rows: { eps: number; to_saddle_x_gt_0: number; to_other_min_x_ge_1: number; kramers: number }[];
};
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-landscape-"));
const dw = (eps: number) => {
  const f = join(tmp, `dw-${eps}.yaml`);
  writeFileSync(
    f,
    `name: dw\nloss: "x^4/4 - x^2/2"\nnoise: { isotropic: 1 }\nlr: ${2 * eps}\nbatch: 1\ndomain: [[-3, 3]]\n`,
  );
  return f;
};

/** One deterministic method of the engine, with the lower/upper ends of its bracket when it has one. */
async function one(
  file: string,
  method: "kramers" | "bounds",
  from: number[],
  to: string,
  grid?: number,
): Promise<ExitEstimate & { lower: number; upper: number }> {
  const lp = loadProblem(file);
  const r = await exitTime(lp.problem, { from, to }, { methods: [method], gridMethods: { grid } });
  const e = r.estimates[0];
  return { ...e, lower: e.interval?.[0] ?? Number.NaN, upper: e.interval?.[1] ?? Number.NaN };
}

describe("exit-time engine: methods kramers and bounds", () => {
  it("double well ε = 0.05: kramers halves for x > 0, full for x >= 1; bounds bracket the reference", async () => {
    const row = ref.rows.find((r) => r.eps === 0.05)!;
    const f = dw(0.05);
    const half = await one(f, "kramers", [-1], "x > 0");
    expect(half.method).toBe("kramers");
    expect(half.status).toBe("estimate");
    expect(Math.abs((half.time as number) / (row.kramers / 2) - 1)).toBeLessThan(1e-6);
    expect(half.iterations as number).toBeCloseTo((half.time as number) / 0.1, 6);
    const full = await one(f, "kramers", [-1], "x >= 1");
    expect(Math.abs((full.time as number) / row.kramers - 1)).toBeLessThan(1e-6);
    const b1 = await one(f, "bounds", [-1], "x > 0");
    expect(b1.method).toBe("bounds");
    expect(b1.lower as number).toBeLessThanOrEqual(row.to_saddle_x_gt_0 * (1 + 1e-4));
    expect(b1.upper as number).toBeGreaterThanOrEqual(row.to_saddle_x_gt_0 * (1 - 1e-4));
    const b2 = await one(f, "bounds", [-1], "x >= 1");
    expect(b2.lower as number).toBeLessThanOrEqual(row.to_other_min_x_ge_1 * (1 + 1e-4));
    expect(b2.upper as number).toBeGreaterThanOrEqual(row.to_other_min_x_ge_1 * (1 - 1e-4));
    // escaping to the left from the right well (mirror), same numbers by symmetry
    const b3 = await one(f, "bounds", [1], "x < 0");
    expect(b3.lower as number).toBeLessThanOrEqual(row.to_saddle_x_gt_0 * (1 + 1e-4));
    expect(b3.upper as number).toBeGreaterThanOrEqual(row.to_saddle_x_gt_0 * (1 - 1e-4));
  });

  it("sgdscope landscape --json prints one JSON object with minima, saddles and a verdict", async () => {
    const program = new Command().exitOverride();
    registerLandscape(program);
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    try {
      await program.parseAsync(["landscape", dw(0.1), "--json", "--grid", "21"], { from: "user" });
    } finally {
      spy.mockRestore();
    }
    const o = JSON.parse(out);
    expect(o.minima.length).toBe(2);
    expect(o.saddles.length).toBe(1);
    expect(o.classes[0].multiplicity).toBe(2);
    expect(o.verdict.limit).toBe("density");
    expect(o.basins.labels.length).toBe(21);
    expect(o.kramers[0].time / ref.rows.find((r) => r.eps === 0.1)!.kramers).toBeCloseTo(1, 6);
  });
});

describe("exit-time engine: bounds in 2-D", () => {
  it("discrete certificate around the pde value, widened by the grid error estimate (not a proof)", async () => {
    const f = join(tmp, "valley.yaml");
    writeFileSync(
      f,
      `name: valley\nloss: "(x^2-1)^2/4 + (y + 0.5*(x^2-1))^2"\nnoise: { isotropic: 1 }\nlr: 0.2\nbatch: 1\ndomain: [[-2.2, 0.6], [-2.4, 1.6]]\n`,
    );
    const lp = loadProblem(f);
    const b = await one(f, "bounds", [-1, 0], "x > 0", 81);
    const pde = pdeExitTimeEstimate(lp.problem, [-1, 0], "x > 0", { grid: 81 });
    expect(b.status).toBe("bracket");
    expect(b.intervalKind).toBe("error-estimate");
    const d = b.detail as { rigorous: boolean; discreteCertificate: { lower: number; upper: number } };
    expect(d.rigorous).toBe(false);
    const cert = d.discreteCertificate;
    expect(cert.lower).toBeLessThanOrEqual(pde.time!);
    expect(cert.upper).toBeGreaterThanOrEqual(pde.time!);
    expect((cert.upper - cert.lower) / pde.time!).toBeLessThan(1e-6);
    expect(b.lower).toBeCloseTo(cert.lower - pde.error_estimate!, 9);
    expect(b.upper).toBeCloseTo(cert.upper + pde.error_estimate!, 9);
    expect(b.reason).toMatch(/not a proof/);
  });

  it("separable 2-D double well: the bracket contains the exact 1-D MET", async () => {
    const row = ref.rows.find((r) => r.eps === 0.1)!;
    const f = join(tmp, "separable.yaml");
    writeFileSync(
      f,
      `name: sep\nloss: "x^4/4 - x^2/2 + y^2/2"\nnoise: { isotropic: 1 }\nlr: 0.2\nbatch: 1\ndomain: [[-2.5, 2.5], [-2, 2]]\n`,
    );
    for (const grid of [41, 81]) {
      // measured: [29.14, 32.01] at 41², [30.66, 30.86] at 81² around the exact 30.8213
      const b = await one(f, "bounds", [-1, 0], "x > 0", grid);
      expect(b.status).toBe("bracket");
      expect(b.lower).toBeLessThanOrEqual(row.to_saddle_x_gt_0);
      expect(b.upper).toBeGreaterThanOrEqual(row.to_saddle_x_gt_0);
    }
  });

  it("1-D: no useful bound (never [0, ∞]) where the noise vanishes between the reflecting end and the start", async () => {
    const f = join(tmp, "heavy.yaml");
    writeFileSync(
      f,
      `name: heavy\nloss:\n  samples:\n    - "x^4/4 - x^2/2 + 3*(x+1.05)^2"\n    - "x^4/4 - x^2/2 - 3*(x+1.05)^2"\nlr: 0.2\nbatch: 1\ndomain: [[-3, 3]]\n`,
    );
    const b = await one(f, "bounds", [-1], "x > 0");
    expect(b.status).toBe("not-applicable");
    expect(b.interval).toBeNull();
    expect(b.reason).toMatch(/^no useful bound: A nearly vanishes near x = -1\.05/);
  });
});
