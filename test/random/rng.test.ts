import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";

/** Φ via the Numerical Recipes erfc approximation (|relative error| < 1.2e-7). */
function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

describe("Rng", () => {
  it("is a pure function of (seed, stream)", () => {
    const a = new Rng(42, 7);
    const b = new Rng(1, 1);
    b.reseed(42, 7);
    for (let i = 0; i < 100; i++) expect(a.nextU32()).toBe(b.nextU32());
    const c = new Rng(42, 8);
    const d = new Rng(42, 7);
    let same = 0;
    for (let i = 0; i < 100; i++) if (c.nextU32() === d.nextU32()) same++;
    expect(same).toBeLessThan(3);
  });

  it("uniform has mean 1/2 and variance 1/12 within 5 standard errors", () => {
    const r = new Rng(3);
    const n = 200000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      if (!(u >= 0 && u < 1)) throw new Error(`uniform out of range: ${u}`);
      s += u;
      s2 += u * u;
    }
    const mean = s / n;
    const v = s2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // var of U^2 is 4/45 - 1/9 = 1/180
    expect(Math.abs(v - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
  });

  it("int(n) for n ≤ 2¹⁶ is Lemire's method: the same draws as the exact double arithmetic (x·n < 2⁴⁸)", () => {
    for (const n of [1, 2, 3, 7, 10, 32, 1000, 4097, 65535, 65536]) {
      const a = new Rng(11, n);
      const b = new Rng(11, n);
      const threshold = (4294967296 - n) % n;
      for (let k = 0; k < 20000; k++) {
        let ref: number;
        for (;;) {
          const m = (b.nextU32() >>> 0) * n;
          if (m % 4294967296 >= threshold) {
            ref = Math.floor(m / 4294967296);
            break;
          }
        }
        const v = a.int(n);
        if (v !== ref) expect(v).toBe(ref);
      }
      // alternating sizes must not reuse a stale threshold
      expect(a.int(3)).toBe(b.int(3));
    }
  });

  it("int(n) is uniform (chi-square, 10 cells)", () => {
    const r = new Rng(5);
    const counts = new Array(10).fill(0);
    const n = 100000;
    for (let i = 0; i < n; i++) counts[r.int(10)]++;
    const chi = counts.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.877); // χ²_{9, 0.999}
    const big = 3_000_000_007;
    for (let i = 0; i < 1000; i++) {
      const k = r.int(big);
      expect(k >= 0 && k < big && Number.isInteger(k)).toBe(true);
    }
  });

  it("normal matches N(0,1): moments and a Kolmogorov–Smirnov test", () => {
    const r = new Rng(11, 3);
    const n = 200000;
    const xs = new Float64Array(n);
    r.fillNormal(xs);
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    for (const x of xs) {
      s += x;
      s2 += x * x;
      s4 += x ** 4;
    }
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    xs.sort();
    let dmax = 0;
    for (let i = 0; i < n; i++) {
      const f = normCdf(xs[i]);
      dmax = Math.max(dmax, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    // KS critical value at level 0.001: 1.949/√n
    expect(dmax).toBeLessThan(1.949 / Math.sqrt(n));
    // tails: P(|X| > 3.5) = 4.6525e-4 (ziggurat tail branch)
    let tail = 0;
    for (const x of xs) if (Math.abs(x) > 3.5) tail++;
    const p = 4.6525e-4;
    expect(Math.abs(tail / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });
});
