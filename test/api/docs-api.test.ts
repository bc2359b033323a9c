/**
 * docs/api.md is true: every ```js block on it runs as a user would run it (`import … from "sgdscope"`,
 * resolved through the package's own exports from dist/), and the printed numbers are checked against
 * independent values (the exact double-integral table, the Kramers formula).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReference } from "../reference.js";

const repo = join(__dirname, "../..");
const blocks = [...readFileSync(join(repo, "docs/api.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)].map(
  (m) => m[1],
);
const run = (code: string) => {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: repo, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split("\n");
};
const ref = loadReference("double-well-met.json");

describe("docs/api.md", () => {
  it("has the three examples", () => expect(blocks.length).toBe(3));

  it("PDE vs Kramers vs particles (≤ 10 lines): every method near the exact value at ε = 0.05", () => {
    expect(blocks[0].trim().split("\n").length).toBeLessThanOrEqual(10);
    const T = ref.rows.find((r: { eps: number }) => r.eps === 0.05).to_saddle_x_gt_0; // 361.9038
    const lines = run(blocks[0]);
    const by = Object.fromEntries(lines.map((l) => [l.split(" ")[0], l]));
    const num = (m: string) => Number(by[m].split(" ")[2]);
    expect(by.pde).toContain("estimate");
    expect(Math.abs(num("pde") / T - 1)).toBeLessThan(5e-3);
    // Kramers (to the saddle: half the transition time) is asymptotic: within 15% at ε/ΔL = 0.2
    expect(
      Math.abs(num("kramers") / (ref.rows.find((r: { eps: number }) => r.eps === 0.05).kramers / 2) - 1),
    ).toBeLessThan(1e-6);
    // SDE particles: 1000 runs, sd ≈ mean, so 4 standard errors ≈ 13%, plus the O(dt) bias
    expect(Math.abs(num("sde") / T - 1)).toBeLessThan(0.15);
    expect(by.sgd).toMatch(/^sgd (estimate|lower-bound) /);
  }, 120_000);

  it("the sweep: exit time grows like exp(ΔL/ε) as η shrinks; ε = 0.05 matches the table", () => {
    const lines = run(blocks[1]).map((l) => l.split(" ").map(Number));
    expect(lines.map((l) => l[0])).toEqual([0.1, 0.2, 0.4]);
    expect(
      Math.abs(lines[0][1] / ref.rows.find((r: { eps: number }) => r.eps === 0.05).to_saddle_x_gt_0 - 1),
    ).toBeLessThan(1e-3);
    expect(
      Math.abs(lines[1][1] / ref.rows.find((r: { eps: number }) => r.eps === 0.1).to_saddle_x_gt_0 - 1),
    ).toBeLessThan(1e-3);
    for (const l of lines) expect(l[2]).toBeCloseTo(l[1] / l[0], 6);
  }, 60_000);

  it("stationary law and landscape", () => {
    const [line] = run(blocks[2]);
    expect(line).toMatch(/density/);
    expect(line).toContain(" 2 "); // two minima
  }, 60_000);
});
