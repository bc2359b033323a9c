/**
 * Richardson error estimates must cover the error. (a) A sequence T_h = T + C h² + D h³ gives order ≈ 2 and an
 * estimate at least the true error. (b) The measured pre-asymptotic case: the PDE exit time of validation case
 * loss-1d (L = (x²−1)²/4 + 0.1, loss noise 10, η = 0.2, from −1 to x > 0) on 1001/2002/4003 nodes, against the
 * exact 1-D double integral 11.051288154693605 (sgdscope's exact method; the NumPy quadrature in
 * validation/reference agrees to 1e-13): the differences shrink 18-fold (order 4.2, faster than any of the
 * schemes), yet the finest value is 4.1e-5 off — the estimate must not trust that order.
 */
import { describe, expect, it } from "vitest";
import { richardson } from "../../src/pde/richardson.js";

describe("Richardson error estimate", () => {
  it("a smooth second-order sequence: order ≈ 2, the estimate covers the error", () => {
    const T = 3.7;
    const vals = [0.1, 0.05, 0.025].map((h) => T + 2 * h * h + 5 * h ** 3);
    const r = richardson(vals);
    expect(r.monotone).toBe(true);
    expect(r.observedOrder as number).toBeGreaterThan(1.8);
    expect(r.observedOrder as number).toBeLessThan(2.5);
    expect(r.errorEstimate).toBeGreaterThanOrEqual(Math.abs(vals[2] - T));
  });

  it("a sequence converging faster than the scheme can (pre-asymptotic) is not trusted and still covered", () => {
    const exact = 11.051288154693605;
    const vals = [11.051575205047655, 11.051342111119444, 11.051329441854774];
    const r = richardson(vals);
    expect(r.monotone).toBe(false);
    expect(r.observedOrder).toBeNull();
    expect(r.errorEstimate).toBeGreaterThanOrEqual(Math.abs(vals[2] - exact));
  });
});
