import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SECH2_K8, TANH_K8, tanh } from "../../src/problem/models/tanh.js";

// 50-digit reference values (validation/reference/tanh-reference.py, mpmath): [x, r0, residual] with r0 the
// correctly rounded tanh(x) and residual = (tanh(x) − r0)/ulp(r0).
const ref = JSON.parse(readFileSync(new URL("./tanh-reference.json", import.meta.url), "utf8")) as {
  points: [number, number, number][];
};

/** ulp of a double (the gap to the next double away from zero). */
function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -1022) return 2 ** -1074;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 52);
}

/** Error of y as an approximation of the reference point, in ulp of the correctly rounded value. */
const ulpErr = (y: number, [, r0, res]: [number, number, number]) => Math.abs((y - r0) / ulp(r0) - res);

describe("tanh (branch-free, table + Taylor, src/problem/models/tanh.ts)", () => {
  it("is within 1.5 ulp of the exact tanh on 4241 reference points (50-digit mpmath)", () => {
    let worst = 0;
    let worstMath = 0;
    for (const p of ref.points) {
      worst = Math.max(worst, ulpErr(tanh(p[0]), p));
      worstMath = Math.max(worstMath, ulpErr(Math.tanh(p[0]), p));
    }
    expect(ref.points.length).toBe(4241);
    expect(worst).toBeLessThan(1.5); // measured 1.33
    // the reference itself is sound: V8's Math.tanh (fdlibm) is within a few ulp of it
    expect(worstMath).toBeLessThan(3);
  });

  it("its tables hold tanh(k/8) and sech²(k/8): odd/even, T² + S = 1 to rounding, ±1 at the ends", () => {
    const K = (TANH_K8.length - 1) / 2;
    expect(K).toBe(153);
    for (let k = -K; k <= K; k++) {
      const T = TANH_K8[K + k];
      const S = SECH2_K8[K + k];
      expect(T + TANH_K8[K - k]).toBe(0);
      expect(S).toBe(SECH2_K8[K - k]);
      expect(Math.abs(T * T + S - 1)).toBeLessThanOrEqual(4e-16);
      expect(Math.abs(T - Math.tanh(k / 8))).toBeLessThanOrEqual(3 * ulp(T));
    }
    expect(TANH_K8[2 * K]).toBe(1);
    expect(TANH_K8[2 * K - 1]).toBeLessThan(1); // K is the first knot where tanh rounds to 1
  });

  it("handles the edges: NaN, ±∞, ±0, saturation, tiny arguments", () => {
    expect(tanh(Number.NaN)).toBeNaN();
    expect(tanh(Number.POSITIVE_INFINITY)).toBe(1);
    expect(tanh(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(tanh(0)).toBe(0);
    expect(Math.abs(tanh(-0))).toBe(0);
    expect(tanh(19.125)).toBe(1);
    expect(tanh(1e300)).toBe(1);
    expect(tanh(-1e300)).toBe(-1);
    expect(tanh(1e-300)).toBe(1e-300);
    expect(tanh(-3e-10)).toBe(-3e-10);
  });
});
