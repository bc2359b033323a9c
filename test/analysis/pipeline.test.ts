import { describe, expect, it } from "vitest";
import { exitTimeStats } from "../../src/analysis/exit-stats.js";
import { coordinateViews, snapshotStats } from "../../src/analysis/moments.js";
import { simulate } from "../../src/dynamics/simulate.js";
import { compileRegion } from "../../src/problem/expr/index.js";
import { problemFromSpec } from "../../src/problem/index.js";

// From test/fixtures/reference/double-well-met.json (exact double-integral formula, trapezoid on 4e5
// points, < 1e-4 relative): mean exit time to x > 0 from x0 = −1 at eps = 0.25.
const MET_TO_SADDLE_EPS_025 = 5.743437;

describe("statistics of a real simulation: double well, SDE, eps = 0.25", () => {
  // dX = −L'(X)dt + sqrt(2ε)dW with L = x⁴/4 − x²/2, ε = lr·σ²/(2B) = 0.25; exit to x > 0 from −1
  const eps = 0.25;
  const problem = problemFromSpec({
    name: "dw",
    loss: "x^4/4 - x^2/2",
    noise: { isotropic: 1 },
    lr: 2 * eps,
    batch: 1,
    domain: [[-3, 3]],
  });
  const dt = 0.005;
  const steps = 8000; // horizon 40 ≈ 7 mean exit times
  const run = simulate(problem, {
    dynamics: "sde",
    particles: 2000,
    steps,
    dt,
    seed: 17,
    init: { kind: "point", point: [-1] },
    target: "x > 0",
    snapshotSteps: [0, 200],
  });

  it("mean exit time interval contains the exact value (Brownian-bridge corrected, dt = 0.005)", () => {
    const s = exitTimeStats(run.exitTime, { horizon: steps * dt, lr: problem.lr });
    expect(s.n).toBe(2000);
    // remaining time-step bias of the bridge-corrected scheme is O(dt): allow 1% on top of the CI
    const exact = MET_TO_SADDLE_EPS_025;
    expect(s.mean.ci95[0]).toBeLessThan(exact * 1.01);
    expect(s.mean.ci95[1]).toBeGreaterThan(exact * 0.99);
    expect(s.mean.iterations).toBeCloseTo(s.mean.time / 0.5, 10);
    expect(s.exponentiality).toBeDefined();
  });

  it("censoring at a short horizon gives a flagged lower bound below the exact mean", () => {
    const h = 3;
    const cut = run.exitTime.map((t) => (t > h ? Number.POSITIVE_INFINITY : t));
    const s = exitTimeStats(cut, { horizon: h, lr: problem.lr });
    expect(s.censored).toBe(true);
    expect(s.mean.lowerBound).toBe(true);
    expect(s.mean.ci95[1]).toBeLessThan(MET_TO_SADDLE_EPS_025);
  });

  it("region masses of a snapshot with a compiled region expression", () => {
    // snapshot at t = 200·dt = 1; particles stop on entry into x > 0, so every particle found at
    // x ≥ 0 has exited by t = 1 (the converse fails: bridge-detected exits stop at x < 0)
    const m = run.to - run.from;
    const [x] = coordinateViews(run.snapshots, 1, m, 1);
    const s = snapshotStats([x], { regions: [{ name: "x >= 0", test: compileRegion("x >= 0", ["x"]) }] });
    let direct = 0;
    for (const v of x) if (v >= 0) direct++;
    let exitedBy1 = 0;
    for (const t of run.exitTime) if (t <= 1) exitedBy1++;
    expect(s.regions[0].count).toBe(direct);
    expect(direct).toBeGreaterThan(0);
    expect(direct).toBeLessThanOrEqual(exitedBy1);
  });
});
