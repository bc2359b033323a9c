/**
 * The three-valued comparison (src/analysis/compare.ts): synthetic intervals for each outcome and its boundaries,
 * the sample size it says would decide, and — on simulated Monte Carlo means of known exponential laws, summarised
 * by the same exitTimeStats analyze uses — that a quick-sized (200) and a full-sized (2000) sample of the same
 * laws never give "agree" in one and "disagree" in the other while both intervals cover the truth, whereas the
 * old rule ("agree" = intervals overlap) does contradict itself on the same draws.
 */
import { describe, expect, it } from "vitest";
import {
  AGREEMENT_TOLERANCE,
  compareRatio,
  compareWithLowerBound,
  type IntervalValue,
} from "../../src/analysis/compare.js";
import { exitTimeStats } from "../../src/analysis/exit-stats.js";
import { Rng } from "../../src/random/rng.js";

const det = (v: number, lo = v, hi = v): IntervalValue => ({ value: v, interval: [lo, hi], samples: null });
const mc = (v: number, rel: number, n: number): IntervalValue => ({
  value: v,
  interval: [v * (1 - rel), v * (1 + rel)],
  samples: n,
});

describe("compareRatio on synthetic intervals", () => {
  it("agree: the ratio's whole 95% interval inside ±10%; disagree: wholly outside; otherwise not resolved", () => {
    expect(AGREEMENT_TOLERANCE).toBe(0.1);
    // log half-widths: ln(1.02) and ln(1.03) in quadrature ≈ 0.0359 → ratio 1.05 [1.013, 1.088]
    const a = compareRatio(det(1.05, 1.05 / 1.02, 1.05 * 1.02), det(1, 1 / 1.03, 1.03));
    expect(a.relation).toBe("agree");
    const w = Math.hypot(Math.log(1.02), Math.log(1.03));
    expect(a.ratioInterval[0]).toBeCloseTo(1.05 * Math.exp(-w), 12);
    expect(a.ratioInterval[1]).toBeCloseTo(1.05 * Math.exp(w), 12);
    expect(a.differs).toBe(true); // a 5% difference is seen, and it is inside the tolerance: "agree"
    expect(a.resolution).toBeCloseTo(Math.expm1(w), 12);
    // 30% apart with ±3% errors: disagree (both directions)
    expect(compareRatio(det(1.3, 1.26, 1.34), det(1, 0.97, 1.03)).relation).toBe("disagree");
    expect(compareRatio(det(1, 0.97, 1.03), det(1.3, 1.26, 1.34)).relation).toBe("disagree");
    // equal values with ±20% errors: not resolved, and the differences it can see are ≥ ±28%
    const nr = compareRatio(mc(1, 0.2, 200), mc(1, 0.2, 200));
    expect(nr.relation).toBe("not-resolved");
    expect(nr.differs).toBe(false);
    expect(nr.resolution).toBeGreaterThan(0.28);
  });

  it("the boundaries: an interval reaching the band edge from inside agrees, 1e-9 past it does not; the verdict is symmetric in a, b", () => {
    const T = Math.log(1.1);
    // b exact, a's upper log half-width puts the ratio's upper end exactly on 1.1
    const v = Math.exp(T / 2);
    const onEdge = compareRatio(det(v, v, v * Math.exp(T / 2 - 1e-9)), det(1));
    expect(onEdge.relation).toBe("agree");
    const over = compareRatio(det(v, v, v * Math.exp(T / 2 + 1e-9)), det(1));
    expect(over.relation).toBe("not-resolved");
    // lower end just below 1.1: not resolved; just above: disagree
    const w = Math.exp(1.5 * T);
    expect(compareRatio(det(w, w * Math.exp(-T / 2 - 1e-9), w), det(1)).relation).toBe("not-resolved");
    expect(compareRatio(det(w, w * Math.exp(-T / 2 + 1e-9), w), det(1)).relation).toBe("disagree");
    for (const [x, y] of [
      [mc(1.2, 0.05, 500), det(1, 0.99, 1.01)],
      [mc(1.04, 0.03, 500), mc(1, 0.04, 500)],
      [mc(1.12, 0.08, 500), mc(1, 0.08, 500)],
    ] as [IntervalValue, IntervalValue][]) {
      const ab = compareRatio(x, y);
      const ba = compareRatio(y, x);
      expect(ba.relation).toBe(ab.relation);
      expect(ba.ratioInterval[0]).toBeCloseTo(1 / ab.ratioInterval[1], 12);
    }
  });

  it("a model band as the tolerance: within ±50% agrees, beyond it disagrees", () => {
    expect(compareRatio(det(1.4), det(1, 0.99, 1.01), 0.5).relation).toBe("agree");
    expect(compareRatio(det(1.4), det(1, 0.99, 1.01)).relation).toBe("disagree");
    expect(compareRatio(det(2), det(1, 0.99, 1.01), 0.5).relation).toBe("disagree");
  });

  it("not resolved: the sample size it names decides the comparison when the measured ratio stays", () => {
    for (const [ratio, rel] of [
      [1.0, 0.15],
      [1.14, 0.12],
      [1.06, 0.06],
      [0.8, 0.2],
    ]) {
      const n = 200;
      const c = compareRatio(mc(ratio, rel, n), mc(1, rel, n));
      expect(c.relation).toBe("not-resolved");
      const m = c.samplesNeeded as number;
      expect(m).toBeGreaterThan(n);
      // the same means with the half-widths of m samples (∝ 1/√m), and of 0.8 m (not yet enough)
      const at = (k: number) =>
        compareRatio(mc(ratio, rel * Math.sqrt(n / k), k), mc(1, rel * Math.sqrt(n / k), k));
      expect(at(Math.ceil(1.02 * m)).relation).not.toBe("not-resolved");
      expect(at(Math.floor(0.8 * m)).relation).toBe("not-resolved");
    }
    // a deterministic side whose error alone exceeds what is needed: more runs cannot decide
    const stuck = compareRatio(mc(1.05, 0.02, 1000), det(1, 0.9, 1.1));
    expect(stuck.relation).toBe("not-resolved");
    expect(stuck.samplesNeeded).toBeNull();
    // no Monte Carlo side: no sample size
    expect(compareRatio(det(1, 0.8, 1.2), det(1)).samplesNeeded).toBeNull();
  });

  it("bad input is refused with what was wrong", () => {
    expect(() => compareRatio(det(0), det(1))).toThrow(/a\.value must be positive/);
    expect(() => compareRatio(det(1), { value: 2, interval: [0, 1], samples: null })).toThrow(
      /b\.interval \[0, 1\] must contain its value 2/,
    );
    expect(() => compareRatio(det(1), det(1), 0)).toThrow(/tolerance must be > 0/);
  });
});

describe("compareWithLowerBound", () => {
  const bound: IntervalValue = { value: 100, interval: [100, Number.POSITIVE_INFINITY], samples: 200 };
  it("bound only when the estimate reaches the bound; disagree when its whole interval is below", () => {
    expect(compareWithLowerBound(bound, det(100))).toBe("bound");
    expect(compareWithLowerBound(bound, mc(130, 0.1, 200))).toBe("bound");
    expect(compareWithLowerBound(bound, mc(95, 0.1, 200))).toBe("not-resolved");
    expect(compareWithLowerBound(bound, mc(80, 0.1, 200))).toBe("disagree");
  });
});

/** Mean of n exponential times of mean `mean`, as the particle methods summarise it (95% t-interval). */
function mcMean(rng: Rng, n: number, mean: number): IntervalValue {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = -mean * Math.log(1 - rng.uniform());
  const s = exitTimeStats(t, { horizon: 1e12, lr: 1, exponentiality: false, maxCurvePoints: 2 });
  return { value: s.mean.time, interval: [s.mean.ci95[0], s.mean.ci95[1]], samples: n };
}

describe("quick-sized and full-sized samples of the same laws", () => {
  it("never contradict (agree vs disagree) when both intervals cover the true ratio; the overlap rule does", () => {
    const ratios = [1, 1.05, 1.1, 1.15, 1.3];
    const trials = 60;
    let contradictions = 0;
    let contradictionsCovered = 0;
    let overlapContradictions = 0;
    let pairs = 0;
    const fullVerdicts = new Map<number, Record<string, number>>();
    for (const [k, r] of ratios.entries()) {
      const counts: Record<string, number> = { agree: 0, disagree: 0, "not-resolved": 0 };
      for (let j = 0; j < trials; j++) {
        const rng = new Rng(20261202, 1000 * k + j);
        const verdict = (n: number) => {
          const a = mcMean(rng, n, r);
          const b = mcMean(rng, n, 1);
          const c = compareRatio(a, b);
          const covered = c.ratioInterval[0] <= r && r <= c.ratioInterval[1];
          const overlap = a.interval[0] <= b.interval[1] && b.interval[0] <= a.interval[1];
          return { rel: c.relation, covered, overlap };
        };
        const q = verdict(200);
        const f = verdict(2000);
        counts[f.rel]++;
        pairs++;
        const contra =
          (q.rel === "agree" && f.rel === "disagree") || (q.rel === "disagree" && f.rel === "agree");
        if (contra) contradictions++;
        if (contra && q.covered && f.covered) contradictionsCovered++;
        if (q.overlap !== f.overlap) overlapContradictions++;
      }
      fullVerdicts.set(r, counts);
    }
    // the logical guarantee: with both intervals covering the truth, agree and disagree cannot both occur
    expect(contradictionsCovered).toBe(0);
    // and contradictions need two coverage failures in opposite directions (≤ 0.025² per pair): none expected here
    expect(contradictions).toBe(0);
    expect(pairs).toBe(ratios.length * trials);
    // the old rule flips on the same draws (quick overlaps, full does not) — the test can fail
    expect(overlapContradictions).toBeGreaterThan(10);
    // the verdicts say something: full samples (±6% per mean) agree at ratio 1 and disagree at 1.3 most of the time
    expect(fullVerdicts.get(1)?.agree).toBeGreaterThan(0.5 * trials);
    expect(fullVerdicts.get(1)?.disagree).toBe(0);
    expect(fullVerdicts.get(1.3)?.disagree).toBeGreaterThan(0.8 * trials);
    expect(fullVerdicts.get(1.3)?.agree).toBe(0);
  });
});
