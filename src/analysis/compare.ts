/**
 * Comparing two positive numbers that carry 95% intervals (Monte Carlo means, grid values with their error
 * estimate, exact values): a three-valued verdict that says only what the intervals support.
 *
 * The quantity compared is the ratio a/b, with a 95% interval built on the log scale (each side's half-widths
 * combined in quadrature, lower and upper sides separately). Against a relative tolerance τ (one constant,
 * AGREEMENT_TOLERANCE, reported with every verdict) the tolerance band is ratio ∈ [1/(1+τ), 1+τ]:
 * - "agree": the whole interval lies inside the band — the difference is below τ;
 * - "disagree": the whole interval lies outside the band — the difference exceeds τ;
 * - "not-resolved": the interval straddles an edge of the band; the half-width reached (the resolution) and the
 *   Monte Carlo sample size that would decide it are returned.
 * "agree" and "disagree" are statements about disjoint sets of true ratios, so two runs of different sizes whose
 * intervals both cover the truth can never give one "agree" and the other "disagree"; a larger sample can only
 * turn "not-resolved" into one of them. (An interval that excludes 1 but reaches past the band edge is reported
 * as `differs` within "not-resolved": a real difference whose size relative to τ is not yet resolved.)
 * Pure functions, no allocation beyond the result.
 */

/** Relative tolerance of "agree": two values agree when their ratio lies within 1.1× either way at 95%. */
export const AGREEMENT_TOLERANCE = 0.1;

/** A positive value with its 95% interval; `samples` is the Monte Carlo sample size when the interval is a CI. */
export interface IntervalValue {
  value: number;
  interval: readonly [number, number];
  /** Monte Carlo sample size (half-width ∝ 1/√samples), or null for a deterministic error band. */
  samples: number | null;
}

export type RatioRelation = "agree" | "disagree" | "not-resolved";

export interface RatioComparison {
  relation: RatioRelation;
  /** a/b at the point estimates. */
  ratio: number;
  /** 95% interval of a/b. */
  ratioInterval: [number, number];
  /** The relative tolerance τ of "agree" (band [1/(1+τ), 1+τ] on the ratio). */
  tolerance: number;
  /** The interval of a/b excludes 1: a difference is resolved (whatever its size relative to τ). */
  differs: boolean;
  /** Relative half-width of the ratio's interval, exp(w) − 1: differences smaller than this cannot be seen. */
  resolution: number;
  /** Monte Carlo sample size of the comparison (the largest of the two sides), null when neither is Monte Carlo. */
  samples: number | null;
  /**
   * For "not-resolved": samples per Monte Carlo method that would decide against τ if the measured ratio stayed
   * as it is (Infinity when it sits on the band edge); null when no Monte Carlo side, or when the deterministic
   * side's error alone is wider than needed (more samples cannot decide it).
   */
  samplesNeeded: number | null;
}

/** Log-scale half-widths below and above the value (Infinity when the interval reaches 0 or below). */
function logWidths(x: IntervalValue): [number, number] {
  const [lo, hi] = x.interval;
  const l = lo > 0 ? Math.max(0, Math.log(x.value) - Math.log(lo)) : Number.POSITIVE_INFINITY;
  const u = Number.isFinite(hi) ? Math.max(0, Math.log(hi) - Math.log(x.value)) : Number.POSITIVE_INFINITY;
  return [l, u];
}

/** Checks a value for comparison: positive and finite, inside its interval. */
function check(x: IntervalValue, name: string): void {
  const [lo, hi] = x.interval;
  if (!(x.value > 0 && Number.isFinite(x.value)))
    throw new RangeError(`compareRatio: ${name}.value must be positive and finite (got ${x.value})`);
  if (!(lo <= x.value && x.value <= hi))
    throw new RangeError(`compareRatio: ${name}.interval [${lo}, ${hi}] must contain its value ${x.value}`);
  if (x.samples !== null && !(x.samples >= 1))
    throw new RangeError(`compareRatio: ${name}.samples must be ≥ 1 or null (got ${x.samples})`);
}

/** The three-valued comparison of a and b (see the file comment). */
export function compareRatio(
  a: IntervalValue,
  b: IntervalValue,
  tolerance: number = AGREEMENT_TOLERANCE,
): RatioComparison {
  check(a, "a");
  check(b, "b");
  if (!(tolerance > 0)) throw new RangeError(`compareRatio: tolerance must be > 0 (got ${tolerance})`);
  const [la, ua] = logWidths(a);
  const [lb, ub] = logWidths(b);
  const d = Math.log(a.value) - Math.log(b.value);
  const lo = d - Math.hypot(la, ub);
  const hi = d + Math.hypot(ua, lb);
  const T = Math.log1p(tolerance);
  const relation: RatioRelation =
    lo >= -T && hi <= T ? "agree" : lo > T || hi < -T ? "disagree" : "not-resolved";
  const w = (hi - lo) / 2;
  const mc = [a, b].filter((x) => x.samples !== null);
  const samples = mc.length ? Math.max(...mc.map((x) => x.samples as number)) : null;
  let samplesNeeded: number | null = null;
  if (relation === "not-resolved" && samples !== null && Number.isFinite(w)) {
    // w² = (Monte Carlo part) + (deterministic part); only the first shrinks, as 1/n
    const sq = (x: IntervalValue) => {
      const [l, u] = logWidths(x);
      return ((l + u) / 2) ** 2;
    };
    const det = [a, b].filter((x) => x.samples === null).reduce((s, x) => s + sq(x), 0);
    const mcPart = Math.max(0, w * w - det);
    const target = Math.abs(Math.abs(d) - T); // the half-width that would put the interval on one side of the edge
    if (target === 0) samplesNeeded = Number.POSITIVE_INFINITY;
    else if (target * target > det && mcPart > 0)
      samplesNeeded = Math.ceil((samples * mcPart) / (target * target - det));
  }
  return {
    relation,
    ratio: a.value / b.value,
    ratioInterval: [Math.exp(lo), Math.exp(hi)],
    tolerance,
    differs: lo > 0 || hi < 0,
    resolution: Math.expm1(w),
    samples,
    samplesNeeded,
  };
}

export type BoundRelation = "bound" | "disagree" | "not-resolved";

/**
 * A censored Monte Carlo mean (a lower bound on the true mean) against an estimate: "bound" when the estimate is
 * at least the bound (consistent, as a bound only); "disagree" when the estimate's whole interval lies below the
 * bound's; otherwise "not-resolved" (the estimate is below the bound, within their errors).
 */
export function compareWithLowerBound(bound: IntervalValue, estimate: IntervalValue): BoundRelation {
  if (estimate.value >= bound.value) return "bound";
  return estimate.interval[1] < bound.interval[0] ? "disagree" : "not-resolved";
}
