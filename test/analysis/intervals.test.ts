import { describe, expect, it } from "vitest";
import {
  betaInc,
  binomialCdf,
  chiSquareCdf,
  chiSquareQuantile,
  formatWithCi,
  gammaP,
  gammaQ,
  logGamma,
  normalCdf,
  normalQuantile,
  quantileRankInterval,
  studentTCdf,
  studentTQuantile,
  tInterval,
  wilsonInterval,
} from "../../src/analysis/intervals.js";

/** |a − b| ≤ tol·|b| */
function expectRel(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.abs(b));
}

// Reference values: printed tables (t_{0.975,9}, χ²_{0.975,10}, z_{0.975}) and SciPy 1.17.1, computed once with
//   python3 -c "from scipy import stats, special; print(repr(stats.t.ppf(0.975, 9)), ...)"
// (stats.t.ppf, stats.chi2.ppf, stats.norm.ppf/cdf, special.gammainc/gammaincc/betainc/gammaln, stats.binom.cdf).
describe("quantiles against tables and SciPy", () => {
  it("Student t quantiles", () => {
    expectRel(studentTQuantile(0.975, 9), 2.262157163, 2e-10); // printed table value
    const cases: [number, number, number][] = [
      [0.975, 9, 2.262157162798205],
      [0.975, 1, 12.706204736174694],
      [0.975, 2, 4.302652729749462],
      [0.975, 3, 3.1824463052837078],
      [0.995, 4, 4.604094871349992],
      [0.975, 30, 2.0422724563012378],
      [0.975, 1000, 1.9623390808264083],
      [0.975, 1e6, 1.959966356814107],
      [0.9, 5, 1.4758840488244815],
      [1e-6, 7, -14.241469651981445],
      [0.025, 50, -2.008559112100761],
    ];
    for (const [p, nu, ref] of cases) expectRel(studentTQuantile(p, nu), ref, 1e-10);
    // inverse relation
    expectRel(studentTCdf(studentTQuantile(0.3, 4.5), 4.5), 0.3, 1e-13);
  });

  it("chi-square quantiles", () => {
    expectRel(chiSquareQuantile(0.975, 10), 20.48317735, 1e-9); // printed table value
    const cases: [number, number, number][] = [
      [0.975, 10, 20.483177350807388],
      [0.025, 10, 3.2469727802368413],
      [0.025, 2, 0.05063561596857975],
      [0.975, 1, 5.023886187314888],
      [0.025, 1, 0.0009820691171752555],
      [0.5, 3, 2.3659738843753377],
      [0.975, 2000, 2125.8423024497756],
      [0.025, 2000, 1877.9460368153905],
      [0.025, 2e5, 198762.30532748945],
      [0.975, 2e6, 2003921.8219309007],
      [1e-8, 4, 0.00028285604667225797],
      [0.999999, 7, 40.52183123411472],
      [0.05, 0.5, 8.437150840525987e-6],
    ];
    for (const [p, k, ref] of cases) expectRel(chiSquareQuantile(p, k), ref, 1e-10);
  });

  it("normal quantiles and CDF", () => {
    expectRel(normalQuantile(0.975), 1.959963985, 1e-9); // printed table value
    const cases: [number, number][] = [
      [0.975, 1.959963984540054],
      [0.9, 1.2815515655446004],
      [1e-10, -6.361340902404056],
      [1e-300, -37.0470962993612],
      [0.3, -0.5244005127080409],
      [0.02425, -1.972961051311885],
      [0.999, 3.090232306167813],
    ];
    for (const [p, ref] of cases) expectRel(normalQuantile(p), ref, 1e-12);
    expect(normalQuantile(0.5)).toBe(0);
    expectRel(normalCdf(-8), 6.22096057427174e-16, 1e-12);
    expectRel(normalCdf(1.5), 0.9331927987311419, 1e-14);
  });

  it("special functions and CDFs", () => {
    expectRel(gammaP(3.5, 2), 0.22022259152428406, 1e-13);
    expectRel(gammaQ(100, 130), 0.002750408367306518, 1e-11);
    expectRel(gammaP(0.5, 1e-8), 0.00011283791633342464, 1e-13);
    expectRel(betaInc(2.5, 3.5, 0.3), 0.29675298929566646, 1e-13);
    expectRel(betaInc(500, 0.5, 0.999), 0.31731044730971725, 1e-11);
    expectRel(betaInc(0.5, 0.5, 0.01), 0.06376856085851985, 1e-13);
    expectRel(logGamma(0.1), 2.252712651734206, 1e-14);
    expectRel(logGamma(50.5), 146.51925549072064, 1e-14);
    expectRel(logGamma(1e8), 1742068066.1038349, 1e-14);
    expectRel(studentTCdf(2.1, 7), 0.9630644018935387, 1e-13);
    expectRel(studentTCdf(-3.3, 3), 0.02286672531799935, 1e-12);
    expectRel(binomialCdf(3, 20, 0.3), 0.10708680450373087, 1e-12);
    expectRel(binomialCdf(45, 100, 0.5), 0.18410080866334808, 1e-12);
    // chi-square with 2 dof is exponential with mean 2
    expectRel(chiSquareCdf(3, 2), 1 - Math.exp(-1.5), 1e-14);
  });
});

describe("intervals", () => {
  it("Wilson interval matches the closed form and is valid at the edges", () => {
    // 7 of 20: p̂ = 0.35, z = 1.959963984540054; closed form evaluated by hand:
    // centre = (0.35 + z²/40)/(1 + z²/20), half = z/(1+z²/20)·sqrt(0.35·0.65/20 + z²/1600)
    const z = 1.959963984540054;
    const c = (0.35 + (z * z) / 40) / (1 + (z * z) / 20);
    const h = (z / (1 + (z * z) / 20)) * Math.sqrt((0.35 * 0.65) / 20 + (z * z) / 1600);
    const [lo, hi] = wilsonInterval(7, 20);
    expectRel(lo, c - h, 1e-14);
    expectRel(hi, c + h, 1e-14);
    // published value (e.g. statsmodels proportion_confint(7, 20, method="wilson")): (0.18117, 0.56712)
    expect(lo).toBeCloseTo(0.18117, 4);
    expect(hi).toBeCloseTo(0.56712, 4);
    const [l0, h0] = wilsonInterval(0, 10);
    expect(l0).toBe(0);
    expect(h0).toBeGreaterThan(0.2);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });

  it("order-statistic interval for a quantile: classical median ranks and exact coverage", () => {
    // n = 20: the classical 95% interval for the median is (X_(6), X_(15)), coverage 0.9586
    const r = quantileRankInterval(20, 0.5);
    expect(r.lower).toBe(6);
    expect(r.upper).toBe(15);
    expectRel(r.coverage, binomialCdf(14, 20, 0.5) - binomialCdf(5, 20, 0.5), 1e-14);
    expect(r.coverage).toBeGreaterThanOrEqual(0.95);
    expect(r.coverage).toBeCloseTo(0.9586, 4);
    // too few points for a two-sided 95% interval of a tail quantile
    const t = quantileRankInterval(10, 0.05);
    expect(t.lower).toBe(0);
    // large n: ranks near nq ± z sqrt(nq(1−q))
    const big = quantileRankInterval(10000, 0.25);
    const sd = Math.sqrt(10000 * 0.25 * 0.75);
    expect(Math.abs(big.lower - (2500 - 1.96 * sd))).toBeLessThan(3);
    expect(Math.abs(big.upper - (2500 + 1.96 * sd))).toBeLessThan(3);
    expect(big.coverage).toBeGreaterThanOrEqual(0.95);
    expect(big.coverage).toBeLessThan(0.956);
  });

  it("t interval", () => {
    const [lo, hi] = tInterval(10, 2, 10);
    expectRel(hi - 10, (2.262157162798205 * 2) / Math.sqrt(10), 1e-10);
    expectRel(10 - lo, (2.262157162798205 * 2) / Math.sqrt(10), 1e-10);
    expect(Number.isNaN(tInterval(1, 0, 1)[0])).toBe(true);
  });

  it("formatWithCi", () => {
    expect(formatWithCi(14.2777, [13.91, 14.65])).toBe("14.28 [13.91, 14.65]");
    expect(formatWithCi(14.2777, [12.1, 16.3])).toBe("14.3 [12.1, 16.3]");
    expect(formatWithCi(361.9, [300, 420])).toBe("362 [300, 420]");
    expect(formatWithCi(5.5, [5.1, Number.POSITIVE_INFINITY])).toBe("5.50 [5.10, ∞]");
    expect(formatWithCi(51050.7, [50000, 52000])).toBe("51100 [50000, 52000]");
    expect(formatWithCi(1.234e7, [1.2e7, 1.27e7])).toBe("1.234e+7 [1.200e+7, 1.270e+7]");
    expect(formatWithCi(Number.NaN, [0, 1])).toBe("n/a");
    // a near-exact value (quadrature, ± 3e-8) is not printed to 15 digits: at most 8 significant
    expect(formatWithCi(30.821302472665927, [30.821302441844626, 30.821302503487228])).toBe(
      "30.821302 [30.821302, 30.821303]",
    );
    expect(formatWithCi(1.2345678912e7, [1.2345678911e7, 1.2345678913e7])).toBe(
      "1.2345679e+7 [1.2345679e+7, 1.2345679e+7]",
    );
  });
});
