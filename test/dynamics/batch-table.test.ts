import { describe, expect, it } from "vitest";
import { batchTable, outcomeBatch } from "../../src/dynamics/batch-table.js";
import { mulHigh } from "../../src/dynamics/lanes-kernel.js";
import { mergeResults, type SimulateResult, simulate } from "../../src/dynamics/simulate.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { Rng } from "../../src/random/rng.js";

/** All B-subsets of 0..n−1 as sorted arrays (independent enumeration, lexicographic). */
function subsets(n: number, B: number): number[][] {
  if (B === 0) return [[]];
  const out: number[][] = [];
  for (let c = B - 1; c < n; c++) for (const s of subsets(c, B - 1)) out.push([...s, c]);
  return out;
}

const problem = (samples: string[], batch: number, replacement: boolean, lr = 0.1, box = 3) =>
  problemFromSpec({
    name: "batches",
    loss: { samples },
    lr,
    batch,
    replacement,
    domain: samples[0].includes("y")
      ? [
          [-box, box],
          [-box, box],
        ]
      : [[-box, box]],
  } as Parameters<typeof problemFromSpec>[0]);

// L + a·x + b·y + c·x·y (as bench/finite-sum.js): one family, gradient affine in (a, b, c)
const fam = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const c = [Math.sin(i + 1), Math.cos(2 * i + 1), 0.5 * Math.sin(3 * i + 2)].map((v) => v.toFixed(3));
    return `(x^2-1)^2/4 + y^2/2 + ${c[0]}*x + ${c[1]}*y + ${c[2]}*x*y`;
  });

describe("tabulated minibatch means (samples differing only in literals, gradient affine in them)", () => {
  it("outcome k ↔ batch is a bijection: the C(N, B) subsets, the N^B ordered tuples", () => {
    const fs = problem(fam(7), 3, false).loss.finiteSum!;
    const t = batchTable(fs, 3, false)!;
    expect(t.outcomes).toBe(35);
    const idx = new Int32Array(3);
    const seen = new Set<string>();
    for (let k = 0; k < t.outcomes; k++) {
      outcomeBatch(t, k, idx);
      expect(idx[0] < idx[1] && idx[1] < idx[2] && idx[0] >= 0 && idx[2] < 7).toBe(true);
      seen.add(Array.from(idx).join(","));
    }
    expect([...seen].sort()).toEqual(
      subsets(7, 3)
        .map((s) => s.join(","))
        .sort(),
    );
    const tr = batchTable(fs, 4, true)!;
    expect(tr.outcomes).toBe(7 ** 4);
    const id4 = new Int32Array(4);
    const tuples = new Set<string>();
    for (let k = 0; k < tr.outcomes; k++) {
      outcomeBatch(tr, k, id4);
      tuples.add(Array.from(id4).join(","));
    }
    expect(tuples.size).toBe(7 ** 4);
  });

  it("each outcome's tabulated literals are the batch mean of the samples' literals (to rounding)", () => {
    const fs = problem(fam(9), 4, false).loss.finiteSum!;
    const t = batchTable(fs, 4, false)!;
    const P = fs.family!.params;
    expect(P).toBe(3);
    const all = subsets(9, 4);
    // the table, as a set of mean-literal vectors, equals the means computed here for every subset
    const key = (v: number[]) => v.map((q) => q.toFixed(12)).join(",");
    const want = new Set(
      all.map((s) => key([0, 1, 2].map((p) => s.reduce((a, i) => a + fs.family!.table[i * P + p], 0) / 4))),
    );
    const got = new Set<string>();
    for (let k = 0; k < t.outcomes; k++) got.add(key(Array.from(t.means.subarray(k * P, k * P + P))));
    expect(got).toEqual(want);
  });

  it("reports the path that ran, and why the table was not used", () => {
    const path = (samples: string[], B: number, repl: boolean) => {
      const r = simulate(problem(samples, B, repl), {
        dynamics: "sgd",
        particles: 4,
        steps: 3,
        seed: 1,
        init: { kind: "point", point: [-1, 0] },
      });
      return r.batchMean;
    };
    expect(path(fam(16), 8, false)).toEqual({ path: "tabulated", outcomes: 12870 });
    expect(path(fam(16), 2, true)).toEqual({ path: "tabulated", outcomes: 256 });
    expect(path(fam(16), 8, true)).toMatchObject({
      path: "per-sample",
      reason: expect.stringContaining("N^B"),
    });
    const quartic = ["(x - 0.5)^4 + y^2", "(x - 1.5)^4 + y^2", "(x - (-1))^4 + y^2"];
    expect(path(quartic, 2, false)).toMatchObject({ reason: expect.stringContaining("not proved affine") });
    const mixed = ["x^2 + y^2", "x^4 + y^2", "x^2 + 0.5*y^2"];
    expect(path(mixed, 2, false)).toMatchObject({ reason: expect.stringContaining("more than literals") });
    // GD on a finite sum draws no batches
    const gd = simulate(problem(fam(4), 2, false), {
      dynamics: "gd",
      particles: 2,
      steps: 2,
      seed: 1,
      init: { kind: "point", point: [-1, 0] },
    });
    expect(gd.batchMean).toBeUndefined();
  });

  it("a non-affine family keeps the per-sample path in both loops, bit for bit", () => {
    const p = problem(
      ["(x - 0.5)^4/4 + y^2", "(x - 1.5)^4/4 + y^2", "(x - (-1))^4/4 + y^2", "(x - 0.1)^4/4 + y^2"],
      2,
      false,
    );
    const o = {
      dynamics: "sgd" as const,
      particles: 200,
      steps: 100,
      seed: 3,
      init: { kind: "gaussian" as const, mean: [0, 0], std: [0.5, 0.5] },
    };
    const a = simulate(p, o);
    const b = simulate(p, { ...o, general: true });
    expect([a.loop, b.loop]).toEqual(["generated", "general"]);
    expect(a.batchMean).toMatchObject({
      path: "per-sample",
      reason: expect.stringContaining("not proved affine"),
    });
    expect(Buffer.from(a.final.buffer).equals(Buffer.from(b.final.buffer))).toBe(true);
  });

  it("particles in lockstep (the kernel's lanes) match the general loop: exits, divergence, snapshots, ranges", () => {
    const same = (a: SimulateResult, b: SimulateResult) => {
      for (const k of ["final", "snapshots", "exitTime", "divergedStep"] as const)
        expect(Buffer.from(a[k].buffer).equals(Buffer.from(b[k].buffer))).toBe(true);
      expect([a.startedInside, a.completed]).toEqual([b.startedInside, b.completed]);
    };
    const p = problem(fam(11), 3, false);
    // 303 particles (not a multiple of the lanes), some start inside the target, some leave through it, some
    // go beyond the divergence bound |x|, |y| ≤ 1.25 first
    const o = {
      dynamics: "sgd" as const,
      particles: 303,
      steps: 150,
      seed: 8,
      init: { kind: "gaussian" as const, mean: [-0.9, 0], std: [0.3, 0.3] },
      snapshotSteps: [0, 2, 50, 150],
      target: "x > -0.85",
      bound: 1.25,
    };
    const fast = simulate(p, o);
    const general = simulate(p, { ...o, general: true });
    expect(fast.loop).toBe("generated");
    expect(fast.batchMean?.path).toBe("tabulated");
    same(fast, general);
    const exits = Array.from(fast.exitTime).filter((t) => t > 0 && Number.isFinite(t)).length;
    const diverged = Array.from(fast.divergedStep).filter((k) => k >= 0).length;
    expect(fast.startedInside).toBeGreaterThan(50);
    expect(exits).toBeGreaterThan(20);
    expect(diverged).toBeGreaterThan(10);
    expect(fast.startedInside + exits + diverged).toBeLessThan(303); // some stay out to the horizon
    // particle p's path depends on (seed, p) only: odd ranges give the same numbers
    const parts = [simulate(p, { ...o, range: [0, 101] }), simulate(p, { ...o, range: [101, 303] })];
    same(mergeResults(parts), general);
  });

  it("Noisy SGD (added noise δ: one particle at a time) takes the table too, bit for bit", () => {
    const p = problemFromSpec({
      name: "noisy",
      loss: { samples: fam(13) },
      lr: 0.1,
      batch: 3,
      replacement: false,
      delta: 0.05,
      domain: [
        [-3, 3],
        [-3, 3],
      ],
    });
    const o = {
      dynamics: "noisy-sgd" as const,
      particles: 101,
      steps: 120,
      seed: 4,
      init: { kind: "point" as const, point: [-1, 0] },
      snapshotSteps: [60],
      target: "x > -0.7",
    };
    const fast = simulate(p, o);
    const general = simulate(p, { ...o, general: true });
    expect([fast.loop, general.loop]).toEqual(["generated", "general"]);
    expect(fast.batchMean).toEqual({ path: "tabulated", outcomes: 286 });
    for (const k of ["final", "snapshots", "exitTime"] as const)
      expect(Buffer.from(fast[k].buffer).equals(Buffer.from(general[k].buffer))).toBe(true);
    expect(Array.from(fast.exitTime).filter((t) => t > 0 && Number.isFinite(t)).length).toBeGreaterThan(10);
  });

  /**
   * The law of the batches, read off one SGD step: samples x²/2 + a_i·x with a_i = base^i, lr 1, from x = 0:
   * x₁ = −ā = −(Σ_b a_{i_b})/B, so round(−B·x₁) written in base `base` counts how often each sample is in the
   * batch. Pearson's χ² of the counts against the law (every B-subset equally likely; ordered tuples equally
   * likely with replacement), on both loops. Fixed seed: the test is deterministic; the bound is the 0.999
   * quantile of χ² with (cells − 1) degrees of freedom.
   */
  const chi2 = (res: SimulateResult, B: number, base: number, prob: Map<string, number>) => {
    const M = res.to - res.from;
    const counts = new Map<string, number>();
    for (let j = 0; j < M; j++) {
      let v = Math.round(-B * res.final[j]);
      const digits: number[] = [];
      for (let i = 0; i < 6; i++) {
        digits.push(v % base);
        v = Math.floor(v / base);
      }
      const key = digits.join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const key of counts.keys()) expect(prob.has(key)).toBe(true); // no batch outside the law's support
    let c2 = 0;
    for (const [key, p] of prob) c2 += ((counts.get(key) ?? 0) - M * p) ** 2 / (M * p);
    return c2;
  };
  const oneStep = (N: number, B: number, replacement: boolean, base: number, general: boolean) =>
    simulate(
      problem(
        Array.from({ length: N }, (_, i) => `x^2/2 + ${base ** i}*x`),
        B,
        replacement,
        1,
        10000,
      ),
      { dynamics: "sgd", particles: 20000, steps: 1, seed: 5, init: { kind: "point", point: [0] }, general },
    );
  it.each([false, true])(
    "without replacement every B-subset is equally likely (N = 6, B = 3; general loop %s)",
    (general) => {
      const prob = new Map<string, number>();
      for (const s of subsets(6, 3))
        prob.set([0, 1, 2, 3, 4, 5].map((i) => (s.includes(i) ? 1 : 0)).join(""), 1 / 20);
      const r = oneStep(6, 3, false, 2, general);
      expect(r.batchMean).toEqual({ path: "tabulated", outcomes: 20 });
      expect(chi2(r, 3, 2, prob)).toBeLessThan(43.82); // χ²₁₉ 0.999 quantile
    },
  );
  it.each([false, true])(
    "with replacement the ordered pairs are equally likely (N = 4, B = 2; general loop %s)",
    (general) => {
      const prob = new Map<string, number>();
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          const c = [0, 0, 0, 0, 0, 0];
          c[i]++;
          c[j]++;
          const key = c.join("");
          prob.set(key, (prob.get(key) ?? 0) + 1 / 16);
        }
      const r = oneStep(4, 2, true, 4, general);
      expect(r.batchMean).toEqual({ path: "tabulated", outcomes: 16 });
      expect(chi2(r, 2, 4, prob)).toBeLessThan(27.88); // χ²₉ 0.999 quantile
    },
  );
});

describe("the kernels' integer high word of Lemire's product", () => {
  it("⌊w·n/2³²⌋ in int32 arithmetic equals the exact value (BigInt) for n ≤ 2¹⁶", () => {
    const hi = new Function("w", "n", `return ${mulHigh("w", "n")};`) as (w: number, n: number) => number;
    const rng = new Rng(3, 0);
    const ns = [1, 2, 3, 7, 16, 120, 12870, 65535, 65536];
    const ws = [0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, -0x10000];
    for (let k = 0; k < 2000; k++) ws.push(rng.nextU32());
    for (const n of ns)
      for (const w of ws) {
        const exact = Number((BigInt(w >>> 0) * BigInt(n)) >> 32n);
        expect(hi(w, n)).toBe(exact);
      }
  });
});
