/**
 * The stop check (src/stop.ts) in the grid computations: a stop request keeps exactly what finished — the
 * grids solved before it (same values as an uninterrupted run, error estimate from those grids only), the
 * Fokker–Planck snapshots reached (same as the first snapshots of an uninterrupted run) — and a solve that
 * polls it throws `Interrupted`. Without a check installed nothing changes.
 */
import { describe, expect, it } from "vitest";
import { bicgstab } from "../../src/linalg/krylov.js";
import { identityPreconditioner } from "../../src/linalg/precond.js";
import {
  buildGenerator,
  fokkerPlanck,
  initialDistribution,
  makeGrid,
  pdeExitTimeEstimate,
} from "../../src/pde/index.js";
import { richardson } from "../../src/pde/richardson.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { Interrupted, stopRequested, throwIfStopped, withStopCheck } from "../../src/stop.js";

const dw = problemFromSpec({
  name: "dw",
  loss: "x^4/4 - x^2/2",
  noise: { isotropic: 1 },
  lr: 0.2,
  batch: 1,
  domain: [[-3, 3]],
});

describe("stop check", () => {
  it("is a no-op without a check, throws Interrupted with one, and restores the outer check", () => {
    expect(stopRequested()).toBe(false);
    expect(() => throwIfStopped("x")).not.toThrow();
    expect(() =>
      withStopCheck(
        () => true,
        () => throwIfStopped("the test loop"),
      ),
    ).toThrow(new Interrupted("the test loop"));
    withStopCheck(
      () => true,
      () =>
        withStopCheck(
          () => false,
          () => expect(stopRequested()).toBe(false),
        ),
    );
    expect(stopRequested()).toBe(false);
  });

  it("pde grids: a stop after the second grid keeps the first two grids' values and says so", () => {
    // grid 401 without rtol: exactly the three grids 101, 201, 401 (1-D: tridiagonal solves, no poll inside)
    const full = pdeExitTimeEstimate(dw, [-1], "x > 0", { grid: 401 });
    expect(full.grids.length).toBe(3);
    // the clock is read at the start and at both ends of every grid's solve: after the 5th reading (end of
    // grid 2) the stop is requested, so grid 3 is not started
    let reads = 0;
    let stop = false;
    const now = () => {
      reads++;
      if (reads === 5) stop = true;
      return Date.now();
    };
    const e = withStopCheck(
      () => stop,
      () => pdeExitTimeEstimate(dw, [-1], "x > 0", { grid: 401, now }),
    );
    expect(e.stop_reason).toBe("interrupted");
    expect(e.converged).toBe(false);
    expect(e.grids).toEqual(full.grids.slice(0, 2));
    expect(e.grid_values).toEqual(full.grid_values.slice(0, 2));
    expect(e.time).toBe(full.grid_values[1]);
    // the error estimate from two grids: 2·|T₁ − T₀| (richardson), not the full run's
    expect(e.error_estimate).toBe(richardson(full.grid_values.slice(0, 2) as number[]).errorEstimate);
    expect(e.message).toMatch(/^INTERRUPTED before or while solving the 401 grid/);
    // a stop from the start: the first grid (no poll inside) is the only one kept, with no error estimate
    const one = withStopCheck(
      () => true,
      () => pdeExitTimeEstimate(dw, [-1], "x > 0", { grid: 401 }),
    );
    expect(one.grids).toEqual(full.grids.slice(0, 1));
    expect(one.time).toBe(full.grid_values[0]);
    expect(one.error_estimate).toBeNull();
  });

  it("a grid solve that polls: nothing finished, nothing kept (Interrupted)", () => {
    const Q = buildGenerator(dw, makeGrid(dw.domain, [2001])).Q;
    const b = new Float64Array(Q.n).fill(1);
    const A = { ...Q, values: Q.values.map((v) => -v) };
    // a Krylov solve polls once per iteration
    expect(() =>
      withStopCheck(
        () => true,
        () => bicgstab(A, b, new Float64Array(Q.n), identityPreconditioner(), { tol: 1e-12, maxIter: 10 }),
      ),
    ).toThrow(Interrupted);
  });

  it("fokker-planck: the snapshots reached before the stop equal an uninterrupted run's", () => {
    const g = makeGrid(dw.domain, [201]);
    const gen = buildGenerator(dw, g);
    const p0 = initialDistribution(g, { kind: "uniform" });
    const times = [0.1, 0.5, 1, 2];
    for (const method of ["uniformization", "implicit-euler"] as const) {
      const full = fokkerPlanck(gen, p0, times, { method });
      let reached = 0;
      const part = withStopCheck(
        () => reached >= 2,
        () => fokkerPlanck(gen, p0, times, { method, onProgress: (t) => (reached = t >= 0.5 ? 2 : 0) }),
      );
      expect(part.interrupted?.t, method).toBe(0.5);
      expect(part.snapshots.length).toBe(2);
      for (let k = 0; k < 2; k++) expect(part.snapshots[k].p).toEqual(full.snapshots[k].p);
      expect(full.interrupted).toBeUndefined();
    }
  });
});
