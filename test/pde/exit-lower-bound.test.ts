import { describe, expect, it } from "vitest";
import { NumericalError } from "../../src/errors.js";
import { exitTime as engineExitTime } from "../../src/exit/index.js";
import { type Csr, csrFromTriplets, csrSubmatrix } from "../../src/linalg/csr.js";
import { certifiedRowMax, exitTimeLowerBound } from "../../src/pde/exit-lower-bound.js";
import { exitTime } from "../../src/pde/exit-time.js";
import type { DiscreteGenerator } from "../../src/pde/generator.js";
import { makeGrid } from "../../src/pde/grid.js";
import { problemFromSpec } from "../../src/problem/index.js";

/**
 * A nearly closed chain with a closed-form exit time: the symmetric nearest-neighbour walk (rate 1 per edge) on
 * the N×N grid nodes except the last one, which is absorbing; the only way out is a leak of rate δ from node
 * a = N² − 2 into it. The walk is reversible with the uniform law on its K = N² − 1 live nodes, so from a the
 * number of visits to a before the leak is geometric with mean (r_a + δ)/δ, each visit holds 1/(r_a + δ), and
 * each excursion away lasts (K − 1)/r_a on average (Kac): E_a τ = K/δ exactly.
 */
function leakyWalk(N: number, delta: number) {
  const n = N * N;
  const abs = n - 1;
  const a = n - 2;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const diag = new Float64Array(n);
  const edge = (i: number, j: number, rate: number) => {
    rows.push(i);
    cols.push(j);
    vals.push(rate);
    diag[i] -= rate;
  };
  for (let i = 0; i < n; i++) {
    if (i === abs) continue;
    const ix = i % N;
    const iy = Math.floor(i / N);
    const nb = [ix > 0 ? i - 1 : -1, ix < N - 1 ? i + 1 : -1, iy > 0 ? i - N : -1, iy < N - 1 ? i + N : -1];
    for (const j of nb) if (j >= 0 && j !== abs) edge(i, j, 1);
  }
  edge(a, abs, delta);
  for (let i = 0; i < n; i++) {
    if (i === abs) continue;
    rows.push(i);
    cols.push(i);
    vals.push(diag[i]);
  }
  const Q: Csr = csrFromTriplets(n, rows, cols, vals);
  const absorbing = new Uint8Array(n);
  absorbing[abs] = 1;
  const grid = makeGrid(
    [
      [0, 1],
      [0, 1],
    ],
    [N, N],
  );
  const gen = { Q, absorbing, grid } as unknown as DiscreteGenerator;
  return { gen, a, K: n - 1, Q, absorbing };
}

describe("certified lower bound of a discrete exit time that double precision cannot resolve", () => {
  it("leak 1e-20 (exact MET K/δ = 4.4e22): singular to double precision; the bound is ≤ the exact value and large", () => {
    const { gen, a, K } = leakyWalk(21, 1e-20);
    const exact = K / 1e-20;
    // without the fallback the plain solve cannot resolve it (the stored diagonal cannot even hold the leak:
    // 4 + 1e-20 = 4): it throws, or is accepted only at the rounding floor (measured: AMG-BiCGSTAB, 1.3e15, seven
    // orders of magnitude below the exact value)
    let plain: ReturnType<typeof exitTime> | null = null;
    try {
      plain = exitTime(gen);
    } catch (e) {
      expect(e).toBeInstanceOf(NumericalError);
    }
    if (plain) expect(plain.solve.limitedByRounding).toBe(true);
    const r = exitTime(gen, { lowerBoundIfSingular: true });
    expect(r.lowerBound).toBeDefined();
    expect(r.u[a]).toBeLessThanOrEqual(exact);
    // about 1/ε with ε = 1e-14…1e-12 × the largest holding rate (4): at least 1e11 holding times
    expect(r.u[a]).toBeGreaterThanOrEqual(1e11 / 4);
    for (let i = 0; i < r.u.length - 1; i++) expect(r.u[i]).toBeLessThanOrEqual(exact);
    expect(r.u[r.u.length - 1]).toBe(0);
  });

  it("leak 1e-6 (exact MET 4.4e8): the certificate is tight, within a factor 2 below the closed form", () => {
    const { a, K, Q, absorbing, gen } = leakyWalk(21, 1e-6);
    const exact = K / 1e-6;
    // a well-conditioned case: the ordinary solve matches the closed form and no bound is substituted
    const r = exitTime(gen, { lowerBoundIfSingular: true });
    expect(r.lowerBound).toBeUndefined();
    expect(Math.abs(r.u[a] - exact) / exact).toBeLessThan(1e-6); // condition ~1e9: forward error ~1e-8
    // the certificate alone, on the same chain
    const keep = new Uint8Array(Q.n);
    for (let i = 0; i < Q.n; i++) keep[i] = absorbing[i] ? 0 : 1;
    const sub = csrSubmatrix(Q, keep);
    for (let k = 0; k < sub.matrix.values.length; k++) sub.matrix.values[k] = -sub.matrix.values[k];
    const lb = exitTimeLowerBound(Q, absorbing, sub, sub.matrix, { nx: 21, ny: 21 }, 1e-10);
    expect(lb).not.toBeNull();
    expect(lb!.lower[a]).toBeLessThanOrEqual(exact);
    expect(lb!.lower[a]).toBeGreaterThanOrEqual(0.5 * exact);
    expect(lb!.maxLower * lb!.maxRate).toBeLessThan(1e11); // not nearly closed at this scale
  });

  it("certifiedRowMax: the difference form gives (−Qv)_i exactly for a trial with known values", () => {
    const { Q, absorbing } = leakyWalk(3, 0.5);
    // v = 1 on live nodes: (−Qv)_i = rate into the absorbing node = 0.5 at node a = 7, 0 elsewhere
    const keep = Int32Array.from({ length: 8 }, (_, i) => i);
    const newIndex = Int32Array.from({ length: 9 }, (_, i) => (i < 8 ? i : -1));
    const c = certifiedRowMax(Q, absorbing, keep, newIndex, new Float64Array(8).fill(1));
    expect(c).toBeGreaterThanOrEqual(0.5);
    expect(c).toBeLessThan(0.5 * (1 + 1e-12));
    // a row that jumps to a node neither solved nor absorbing: no certificate
    const partial = Int32Array.from({ length: 9 }, (_, i) => (i < 7 ? i : -1));
    expect(certifiedRowMax(Q, absorbing, keep.slice(0, 7), partial, new Float64Array(7).fill(1))).toBeNaN();
  });

  it("Hessian noise vanishing across the band (validation case hessian-band, 27² grid): pde and bounds are certified lower bounds, consistent with the censored reference", async () => {
    const p = problemFromSpec({
      name: "hessian-band",
      loss: "x^4 - 2*x^2 + y^2 + 0.3*x*y",
      noise: { hessian: 1 },
      lr: 0.05,
      batch: 1,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    });
    const r = await engineExitTime(
      p,
      { from: [-1.00561, 0.15084], to: "x > 0" },
      { methods: ["pde", "bounds"], gridMethods: { grid: 27 } },
    );
    const [pde, bounds] = r.estimates;
    expect(pde.status).toBe("lower-bound");
    expect(pde.intervalKind).toBe("discrete-lower-bound");
    expect(pde.interval).toEqual([pde.time, Number.POSITIVE_INFINITY]);
    expect(pde.reason).toMatch(/singular to double precision/);
    expect(pde.reason).toMatch(/may be far larger or infinite/);
    // NumPy Euler–Maruyama (validation/reference): 0 of 2000 paths exited by t = 50, E τ ≥ 49.91 (95%)
    expect(pde.time!).toBeGreaterThanOrEqual(49.91);
    expect(pde.iterations).toBeCloseTo(pde.time! / 0.05, 6);
    expect(bounds.status).toBe("lower-bound");
    expect(bounds.intervalKind).toBe("discrete-lower-bound");
    expect(bounds.time).toBe(pde.time);
  });
});
