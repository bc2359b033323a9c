/**
 * The validation verdicts for a method that states only a certified lower bound of the discrete MET (pde/bounds
 * with status lower-bound, intervalKind discrete-lower-bound): the claim MET ≥ b fails only against a finite
 * reference interval lying wholly below b.
 */
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ES module shared with the validate script (no type declarations)
import { compareBounds, comparePde } from "../../validation/compare.mjs";

const bound = (method: string, b: number) => ({
  method,
  status: "lower-bound",
  time: b,
  iterations: b / 0.05,
  interval: [b, null], // Infinity after JSON
  intervalKind: "discrete-lower-bound",
  reason: "singular to double precision",
});

describe("validation verdicts of a certified lower bound", () => {
  for (const [method, cmp] of [
    ["pde", comparePde],
    ["bounds", compareBounds],
  ] as const) {
    it(`${method}: consistent with a lower-bound or infinite reference, and with a finite one only below its upper end`, () => {
      const e = bound(method, 1.34e11);
      const lb = cmp(e, { kind: "lower-bound", bound: 49.91, why: "censored" });
      expect(lb.ok).toBe(true);
      expect(lb.lowerBoundOnly).toBe(true);
      expect(lb.boundOnly).toBe(true);
      expect(cmp(e, { kind: "infinite", why: "" }).ok).toBe(true);
      const below = cmp(bound(method, 30), { kind: "value", value: 35, interval: [34, 36] });
      expect(below.ok).toBe(true);
      const above = cmp(e, { kind: "value", value: 35, interval: [34, 36] });
      expect(above.ok).toBe(false);
      expect(above.verdict).toMatch(/MISS/);
    });
  }
});
