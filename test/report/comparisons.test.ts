/**
 * analyze's escape comparisons on synthetic exit-time estimates (no simulation): the relation, tolerance and
 * resolution each case gets, against log-scale interval arithmetic done here by hand; the words of the report for
 * each relation; and docs/summary-schema.md documenting every field a comparison and the landscape search carry.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AGREEMENT_TOLERANCE } from "../../src/analysis/compare.js";
import type { AnalysisResult, EscapeResult } from "../../src/analyze/index.js";
import { compareEstimates, landscapeSearch } from "../../src/analyze/index.js";
import type { ExitEstimate } from "../../src/exit/index.js";
import { comparisonText, escapeSentence } from "../../src/report/prose.js";

/** A Monte Carlo estimate (sample mean with its 95% interval) of `n` runs; censored: a lower bound. */
function mc(
  method: "sgd" | "sde",
  time: number,
  ci: [number, number],
  n: number,
  censored = false,
): ExitEstimate {
  return {
    method,
    status: censored ? "lower-bound" : "estimate",
    time,
    iterations: time / 0.1,
    interval: censored ? [time, Number.POSITIVE_INFINITY] : ci,
    intervalKind: "ci95",
    uncertainty: "",
    how: "",
    reason: null,
    seconds: 0,
    detail: {
      kind: "monte-carlo",
      particles: n,
      exited: censored ? n - 1 : n,
      censored,
      ci95: ci,
    } as unknown as ExitEstimate["detail"],
  };
}
function exact(time: number, err: number): ExitEstimate {
  return {
    method: "exact",
    status: "estimate",
    time,
    iterations: time / 0.1,
    interval: [time - err, time + err],
    intervalKind: "error-estimate",
    uncertainty: "",
    how: "",
    reason: null,
    seconds: 0,
    detail: null,
  };
}
const ctx = { etaLambdaMax: 0.4, finiteSum: false };
const T = Math.log1p(AGREEMENT_TOLERANCE);
/** 95% interval of a/b on the log scale, half-widths in quadrature (the documented construction). */
function logRatio(a: [number, number, number], b: [number, number, number]): [number, number] {
  const [ta, la, ha] = a;
  const [tb, lb, hb] = b;
  const d = Math.log(ta / tb);
  return [
    Math.exp(d - Math.hypot(Math.log(ta / la), Math.log(hb / tb))),
    Math.exp(d + Math.hypot(Math.log(ha / ta), Math.log(tb / lb))),
  ];
}

describe("escape comparisons", () => {
  it("the double well's quick and full SGD-vs-SDE numbers: not resolved with 200 runs, disagree with 2000", () => {
    // the two runs of docs/gallery-modes.md (overlap rule: "agree" vs "disagree")
    const quick = compareEstimates(
      [mc("sgd", 33.32, [29.19, 37.45], 200), mc("sde", 33.27, [29.01, 37.53], 200)],
      ctx,
    )[0];
    const full = compareEstimates(
      [mc("sgd", 36.12, [34.61, 37.62], 2000), mc("sde", 30.41, [29.11, 31.71], 2000)],
      ctx,
    )[0];
    const iq = logRatio([33.32, 29.19, 37.45], [33.27, 29.01, 37.53]);
    const iff = logRatio([36.12, 34.61, 37.62], [30.41, 29.11, 31.71]);
    expect(quick.ratioInterval?.[0]).toBeCloseTo(iq[0], 10);
    expect(quick.ratioInterval?.[1]).toBeCloseTo(iq[1], 10);
    expect(iq[0] < 1 / 1.1 && iq[1] > 1.1).toBe(true); // straddles both edges
    expect(quick.relation).toBe("not-resolved");
    expect(quick.tolerance).toBe(AGREEMENT_TOLERANCE);
    expect(quick.resolution?.particles).toBe(200);
    // runs that would put the half-width w√(200/M) at the distance from the measured log ratio to the edge
    const w = Math.log(iq[1] / iq[0]) / 2;
    const target = T - Math.abs(Math.log(33.32 / 33.27));
    expect(quick.resolution?.particlesNeeded).toBe(Math.ceil((200 * w * w) / (target * target)));
    expect(iff[0]).toBeGreaterThan(1.1);
    expect(full.relation).toBe("disagree");
    expect(full.consistent).toBe(false);
    expect(comparisonText(quick)).toMatch(
      /not resolved against ±10%.*cannot be seen with 200 runs per method/,
    );
    expect(comparisonText(full)).toMatch(/^disagree by more than ±10%: ratio 1\.19 \[1\.12, 1\.26\]/);
  });

  it("agree within the tolerance; a censored lower bound only when reached; two lower bounds: not resolved", () => {
    const [agree] = compareEstimates([mc("sde", 31, [30.2, 31.8], 2000), exact(30.82, 0.001)], ctx);
    expect(agree.b).toBe("exact");
    expect(agree.relation).toBe("agree");
    expect(comparisonText(agree)).toMatch(/^agree within ±10%: ratio 1\.01/);
    const below = compareEstimates([mc("sde", 25, [25, 25], 200, true), exact(30.82, 0.001)], ctx)[0];
    expect(below.relation).toBe("bound");
    expect(below.lowerBound).toBe("sde");
    const above = compareEstimates([mc("sde", 35, [35, 35], 200, true), exact(30.82, 0.001)], ctx)[0];
    expect(above.relation).toBe("disagree");
    const both = compareEstimates(
      [mc("sgd", 159, [159, 159], 200, true), mc("sde", 70, [70, 70], 200, true)],
      ctx,
    );
    expect(both).toHaveLength(1);
    expect(both[0].relation).toBe("not-resolved");
    expect(comparisonText(both[0])).toMatch(/both are censored lower bounds/);
    // an error that is not known (NaN ends) is taken as unbounded, never as exact: not "agree"
    const unknown = { ...exact(30.82, 0), interval: [Number.NaN, Number.NaN] as [number, number] };
    const [u] = compareEstimates([mc("sde", 30.9, [30.2, 31.6], 2000), unknown], ctx);
    expect(u.relation).toBe("not-resolved");
    expect(u.resolution?.halfWidth).toBe(Number.POSITIVE_INFINITY);
    // zero exit times (start inside the target) give no ratio and no comparison
    expect(compareEstimates([mc("sde", 0, [0, 0], 10), exact(0, 0)], ctx)).toEqual([]);
  });

  it("the escape sentence heads each group by its relation and names the tolerance and resolution", () => {
    const sentence = (est: ExitEstimate[], mode: string) => {
      const e: EscapeResult = {
        label: "problem start",
        from: [-1],
        fromMinimum: 1,
        target: "x > 0",
        targetWhy: "the target",
        estimates: est,
        comparisons: compareEstimates(est, ctx),
        best: { method: "sgd", time: est[0].time, iterations: est[0].iterations },
      };
      return escapeSentence(e, { mode } as unknown as AnalysisResult);
    };
    const q = sentence(
      [mc("sgd", 33.32, [29.19, 37.45], 200), mc("sde", 33.27, [29.01, 37.53], 200)],
      "quick",
    );
    expect(q).toMatch(/Not resolved: sgd vs sde — against ±10%: ratio 1 \[0\.83\d, 1\.2\] at 95%/);
    expect(q).toMatch(/differences below ±20% cannot be seen with 200 runs per method/);
    expect(q).toContain("(--quick: a full run has more runs per method)");
    expect(q).not.toMatch(/agree/i);
    const f = sentence(
      [mc("sgd", 36.12, [34.61, 37.62], 2000), mc("sde", 30.41, [29.11, 31.71], 2000)],
      "full",
    );
    expect(f).toMatch(/Disagreement: sgd vs sde — by more than ±10%: ratio 1\.19/);
    expect(f).toContain("learning rate too large for the SDE");
    const a = sentence([mc("sgd", 31, [30.2, 31.8], 2000), mc("sde", 30.5, [29.7, 31.3], 2000)], "full");
    expect(a).toContain("All methods agree within ±10% (95% intervals of each ratio)");
    // two censored runs: a longer horizon, not more runs, would help; no "--quick" promise
    const c = sentence(
      [mc("sgd", 9.1, [9.1, 9.1], 100, true), mc("sde", 2.27, [2.27, 2.27], 100, true)],
      "quick",
    );
    expect(c).toMatch(/Not resolved: sgd vs sde — both are censored lower bounds/);
    expect(c).not.toContain("--quick");
  });

  it("docs/summary-schema.md names every field of a comparison and of the landscape search", () => {
    const doc = readFileSync(join(__dirname, "../../docs/summary-schema.md"), "utf8");
    const [c] = compareEstimates(
      [mc("sgd", 33.32, [29.19, 37.45], 200), mc("sde", 33.27, [29.01, 37.53], 200)],
      ctx,
    );
    const keys = [...Object.keys(c), ...Object.keys(c.resolution ?? {}), "explanation"];
    for (const k of keys) expect(doc, `comparison field ${k}`).toContain(k);
    for (const rel of ["agree", "disagree", "not-resolved", "bound"]) expect(doc).toContain(`\`${rel}\``);
    const s = landscapeSearch(
      { starts: 60, failed: 1, hits: [5, 1, 1], unseenProbability: 2 / 59 },
      3,
      false,
    );
    expect(s.saturated).toBe(false);
    expect(s.sentence).toMatch(/not saturated.*saddle search not run/);
    for (const k of Object.keys(s)) expect(doc, `landscape.search field ${k}`).toContain(k);
    expect(
      landscapeSearch({ starts: 30, failed: 0, hits: [17, 13], unseenProbability: 0 }, 2, true).saturated,
    ).toBe(true);
  });
});
