/**
 * Shared statistical helpers: special functions, quantiles of the normal, Student-t and chi-square
 * laws, the Wilson interval for a proportion, distribution-free (binomial order-statistic) intervals
 * for quantiles, and a formatter for "value [lo, hi]".
 *
 * Accuracy: the quantile functions are accurate to ~1e-12 relative for probabilities in
 * [1e-12, 1 − 1e-12] and degrees of freedom up to ~1e7 (tested against SciPy to 1e-10).
 * Pure functions, no allocation beyond the returned values.
 */

const LN_SQRT_2PI = 0.9189385332046728; // log(sqrt(2π))
const EPS = 1e-16;
const TINY = 1e-300;

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7; reflection below 0.5). Relative error ~1e-15. */
export function logGamma(x: number): number {
  if (!(x > 0)) {
    if (x === 0) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  if (x < 0.5) {
    // Γ(x)Γ(1−x) = π / sin(πx)
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  if (x > 1e7) {
    // Stirling series (lgamma(x) with 1/(12x) − 1/(360x³) correction); Lanczos loses digits here.
    return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + 1 / (12 * x) - 1 / (360 * x * x * x);
  }
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS_G + 2; i++) s += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** log of the prefactor x^a e^{−x} / Γ(a) shared by the incomplete-gamma expansions. */
function logGammaPrefactor(a: number, x: number): number {
  return a * Math.log(x) - x - logGamma(a);
}

/** Series for P(a, x), valid (fast) for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let n = 0; n < 1_000_000; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(logGammaPrefactor(a, x));
}

/** Continued fraction (modified Lentz) for Q(a, x), valid (fast) for x ≥ a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1_000_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(logGammaPrefactor(a, x)) * h;
}

/** Regularised lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0. */
export function gammaP(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x < a + 1) return gammaPSeries(a, x);
  return 1 - gammaQContinuedFraction(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x), computed without cancellation. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < a + 1) return 1 - gammaPSeries(a, x);
  return gammaQContinuedFraction(a, x);
}

/** Continued fraction for the incomplete beta (Numerical Recipes `betacf`, modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 1_000_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function betaInc(a: number, b: number, x: number): number {
  if (!(a > 0) || !(b > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Complementary incomplete beta 1 − I_x(a, b) = I_{1−x}(b, a), without cancellation. */
export function betaIncComplement(a: number, b: number, x: number): number {
  return betaInc(b, a, 1 - x);
}

/* ----------------------------------- normal ----------------------------------- */

/** Standard normal CDF Φ(z), accurate in both tails (via the incomplete gamma: erfc(u) = Q(½, u²)). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const tail = 0.5 * gammaQ(0.5, 0.5 * z * z);
  return z < 0 ? tail : 1 - tail;
}

/** Upper tail 1 − Φ(z), accurate for large z. */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LN_SQRT_2PI);
}

const AK = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const BK = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const CK = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const DK = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/**
 * Standard normal quantile z_p = Φ⁻¹(p): Acklam's rational approximation (rel. error ~1e-9) refined by
 * two Halley steps on the accurate CDF, computed from the nearer tail.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p > 0.5) return -normalQuantile(1 - p);
  // p ≤ 0.5: lower tail, x ≤ 0
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((CK[0] * q + CK[1]) * q + CK[2]) * q + CK[3]) * q + CK[4]) * q + CK[5]) /
      ((((DK[0] * q + DK[1]) * q + DK[2]) * q + DK[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((AK[0] * r + AK[1]) * r + AK[2]) * r + AK[3]) * r + AK[4]) * r + AK[5]) * q) /
      (((((BK[0] * r + BK[1]) * r + BK[2]) * r + BK[3]) * r + BK[4]) * r + 1);
  }
  for (let it = 0; it < 2; it++) {
    const e = normalCdf(x) - p;
    const u = e * Math.exp(0.5 * x * x + LN_SQRT_2PI);
    x = x - u / (1 + 0.5 * x * u);
  }
  return x;
}

/* ------------------------------ root finding helper ------------------------------ */

/**
 * Safeguarded Newton for an increasing function f on [lo, hi] with f(lo) < 0 < f(hi):
 * Newton steps that leave the bracket become bisections. fp is f's derivative.
 */
function solveIncreasing(
  f: (x: number) => number,
  fp: (x: number) => number,
  x0: number,
  lo: number,
  hi: number,
): number {
  let x = Math.min(Math.max(x0, lo), hi);
  for (let it = 0; it < 300; it++) {
    const fx = f(x);
    if (fx === 0) return x;
    if (fx < 0) lo = x;
    else hi = x;
    const d = fp(x);
    let next = x - fx / d;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-15 * Math.abs(next) || hi - lo <= 1e-15 * Math.abs(hi)) return next;
    x = next;
  }
  return x;
}

/* ---------------------------------- Student t ---------------------------------- */

/** Student-t CDF with ν > 0 degrees of freedom. */
export function studentTCdf(t: number, nu: number): number {
  if (Number.isNaN(t) || !(nu > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const x = nu / (nu + t * t);
  const tail = 0.5 * betaInc(0.5 * nu, 0.5, x); // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

/** Student-t density. */
export function studentTPdf(t: number, nu: number): number {
  const lc = logGamma(0.5 * (nu + 1)) - logGamma(0.5 * nu) - 0.5 * Math.log(nu * Math.PI);
  return Math.exp(lc - 0.5 * (nu + 1) * Math.log1p((t * t) / nu));
}

/** Student-t quantile t_{p,ν}: closed forms for ν = 1, 2; otherwise Newton on the CDF from a Cornish–Fisher start. */
export function studentTQuantile(p: number, nu: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(nu > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (p > 0.5) return -studentTQuantile(1 - p, nu);
  // now p < 0.5, quantile negative; work with the lower tail probability p
  if (nu === 1) return Math.tan(Math.PI * (p - 0.5));
  if (nu === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const z = normalQuantile(p);
  // Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5)
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  let x0 = z + g1 / nu + g2 / (nu * nu) + g3 / (nu * nu * nu);
  if (!Number.isFinite(x0) || x0 >= 0) x0 = z;
  // bracket [lo, 0]
  let lo = Math.min(x0, z) * 2 - 1;
  while (studentTCdf(lo, nu) > p) lo *= 2;
  return solveIncreasing(
    (t) => studentTCdf(t, nu) - p,
    (t) => studentTPdf(t, nu),
    x0,
    lo,
    0,
  );
}

/* ---------------------------------- chi-square ---------------------------------- */

/** Chi-square CDF with k > 0 degrees of freedom. */
export function chiSquareCdf(x: number, k: number): number {
  return gammaP(0.5 * k, 0.5 * x);
}

/** Chi-square upper tail 1 − F(x), accurate for large x. */
export function chiSquareSf(x: number, k: number): number {
  return gammaQ(0.5 * k, 0.5 * x);
}

/** Chi-square density. */
export function chiSquarePdf(x: number, k: number): number {
  if (x <= 0) return k === 2 ? (x === 0 ? 0.5 : 0) : k < 2 && x === 0 ? Number.POSITIVE_INFINITY : 0;
  const a = 0.5 * k;
  return Math.exp((a - 1) * Math.log(x) - 0.5 * x - a * Math.LN2 - logGamma(a));
}

/** Chi-square quantile χ²_{p,k}: Newton on the CDF (from the nearer tail) from a Wilson–Hilferty start. */
export function chiSquareQuantile(p: number, k: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(k > 0)) return Number.NaN;
  if (p === 0) return 0;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (k === 2) return -2 * Math.log1p(-p); // exponential with mean 2
  const a = 0.5 * k;
  const z = normalQuantile(p);
  const c = 2 / (9 * k);
  let x0 = k * (1 - c + z * Math.sqrt(c)) ** 3;
  if (!(x0 > 0)) {
    // small-x start from P(a, x/2) ≈ (x/2)^a / Γ(a + 1)
    x0 = 2 * Math.exp((Math.log(p) + logGamma(a + 1)) / a);
  }
  const upper = p > 0.5;
  const q = 1 - p;
  // f increasing in x; use the nearer tail for the residual to avoid cancellation
  const f = upper ? (x: number) => q - chiSquareSf(x, k) : (x: number) => chiSquareCdf(x, k) - p;
  let hi = Math.max(x0 * 2, k + 10);
  while (f(hi) < 0) hi *= 2;
  return solveIncreasing(f, (x) => chiSquarePdf(x, k), x0, 0, hi);
}

/* ------------------------------- proportions, ranks ------------------------------- */

/** An interval [lo, hi]. `hi` may be Infinity (unbounded); JSON.stringify renders that as null. */
export type Interval = [lo: number, hi: number];

/**
 * Wilson score interval for a binomial proportion: `successes` out of `n` trials, two-sided level
 * (default 0.95). n = 0 gives [0, 1].
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (n <= 0) return [0, 1];
  const z = normalQuantile(0.5 + 0.5 * level);
  const ph = successes / n;
  const z2n = (z * z) / n;
  const denom = 1 + z2n;
  const center = (ph + 0.5 * z2n) / denom;
  const half = (z / denom) * Math.sqrt((ph * (1 - ph)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/** Binomial CDF P(K ≤ k), K ~ Bin(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const kk = Math.floor(k);
  return betaInc(n - kk, kk + 1, 1 - p);
}

/** Ranks of a distribution-free confidence interval for the q-quantile of a continuous law. */
export interface OrderStatisticInterval {
  /** 1-based rank of the lower order statistic; 0 means "no lower bound" (−∞, or 0 for times). */
  lower: number;
  /** 1-based rank of the upper order statistic; n + 1 means "no upper bound" (+∞). */
  upper: number;
  /** Exact coverage P(X_(lower) ≤ ξ_q < X_(upper)) under any continuous law (≥ level when both ranks exist). */
  coverage: number;
}

/**
 * Distribution-free interval for the q-quantile ξ_q from n i.i.d. continuous observations:
 * with K = #{X_i ≤ ξ_q} ~ Bin(n, q), P(X_(l) ≤ ξ_q < X_(u)) = P(l ≤ K ≤ u − 1).
 * Chooses the largest l with P(K ≤ l − 1) ≤ α/2 and the smallest u with P(K ≥ u) ≤ α/2 (equal tails).
 */
export function quantileRankInterval(n: number, q: number, level = 0.95): OrderStatisticInterval {
  const halfAlpha = 0.5 * (1 - level);
  if (n <= 0) return { lower: 0, upper: 1, coverage: 1 };
  // lower: largest l in [1, n] with F(l − 1) ≤ α/2; F increasing in its argument
  let lower = 0;
  {
    let a = 1;
    let b = n;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (binomialCdf(m - 1, n, q) <= halfAlpha) {
        lower = m;
        a = m + 1;
      } else b = m - 1;
    }
  }
  // upper: smallest u in [1, n] with 1 − F(u − 1) ≤ α/2
  let upper = n + 1;
  {
    let a = 1;
    let b = n;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (1 - binomialCdf(m - 1, n, q) <= halfAlpha) {
        upper = m;
        b = m - 1;
      } else a = m + 1;
    }
  }
  const fUpper = upper <= n ? binomialCdf(upper - 1, n, q) : 1;
  const fLower = lower >= 1 ? binomialCdf(lower - 1, n, q) : 0;
  return { lower, upper, coverage: fUpper - fLower };
}

/* ------------------------------------ mean ------------------------------------ */

/** Student-t interval for a mean from (mean, sample sd, n). n < 2 gives [NaN, NaN]. */
export function tInterval(mean: number, sd: number, n: number, level = 0.95): Interval {
  if (n < 2 || !Number.isFinite(sd)) return [Number.NaN, Number.NaN];
  const h = (studentTQuantile(0.5 + 0.5 * level, n - 1) * sd) / Math.sqrt(n);
  return [mean - h, mean + h];
}

/* ---------------------------------- formatting ---------------------------------- */

function fmtFixed(v: number, decimals: number): string {
  if (v === Number.POSITIVE_INFINITY) return "∞";
  if (v === Number.NEGATIVE_INFINITY) return "−∞";
  if (Number.isNaN(v)) return "n/a";
  if (decimals < 0) {
    const unit = 10 ** -decimals;
    const r = Math.round(v / unit) * unit;
    return String(r === 0 ? 0 : r);
  }
  const s = v.toFixed(decimals);
  return s === "-0" || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

function fmtExp(v: number, digits: number): string {
  if (v === Number.POSITIVE_INFINITY) return "∞";
  if (v === Number.NEGATIVE_INFINITY) return "−∞";
  if (Number.isNaN(v)) return "n/a";
  return v.toExponential(digits);
}

/**
 * "value [lo, hi]" with as many digits as the interval supports: the half-width is shown to two
 * significant digits and the value and bounds to the same decimal place. Unbounded ends print as ∞,
 * missing ones as n/a. Very large or small magnitudes use exponent notation.
 * Example: formatWithCi(14.2777, [13.91, 14.65]) === "14.28 [13.91, 14.65]".
 */
export function formatWithCi(value: number, ci: Interval): string {
  const [lo, hi] = ci;
  if (Number.isNaN(value)) return "n/a";
  const widths = [value - lo, hi - value].filter((w) => Number.isFinite(w) && w > 0);
  const half = widths.length > 0 ? Math.max(...widths) : 0;
  const mag = Math.max(Math.abs(value), Number.isFinite(hi) ? Math.abs(hi) : 0);
  const useExp = Number.isFinite(mag) && mag !== 0 && (mag >= 1e6 || mag < 1e-3);
  if (useExp) {
    const e = Math.floor(Math.log10(Math.abs(value) || mag));
    const digits =
      half > 0 ? Math.min(7, Math.max(1, e - Math.floor(Math.log10(half)) + 1)) : Math.min(15, 5);
    return `${fmtExp(value, digits)} [${fmtExp(lo, digits)}, ${fmtExp(hi, digits)}]`;
  }
  // two significant digits of the half-width, but never more than 8 significant digits of the value
  const cap = Math.max(0, 7 - Math.floor(Math.log10(Math.abs(value) || 1)));
  let decimals: number;
  if (half > 0) decimals = Math.min(15, cap, 1 - Math.floor(Math.log10(half)));
  else decimals = Math.min(15, Math.max(0, 4 - Math.floor(Math.log10(Math.abs(value) || 1))));
  return `${fmtFixed(value, decimals)} [${fmtFixed(lo, decimals)}, ${fmtFixed(hi, decimals)}]`;
}
