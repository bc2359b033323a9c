/**
 * CI subset of the validation suite (the full suite is `npm run validate`, docs/validation.md): five cheap 1-D
 * cases of validation/cases.json through the exit-time engine, checked against the committed independent
 * references (validation/reference/results/, NumPy/SciPy: exact quadrature, Euler–Maruyama with the bridge
 * correction, Markov chains of the SGD scheme) with the same verdicts as the full suite.
 */
import { describe, expect, it } from "vitest";
import { exitTime } from "../../src/exit/index.js";
import { problemFromSpec } from "../../src/problem/index.js";
// @ts-expect-error plain ES module shared with the validate script (no type declarations)
import { compareCase, loadCases, loadReference } from "../../validation/compare.mjs";

const CASES = ["iso-1d", "diag-1d-state", "loss-1d", "empirical-1d-norepl", "interpolating-1d"];

describe("validation subset: exit times against independent references", () => {
  // biome-ignore lint/suspicious/noExplicitAny: JSON cases
  const all: any[] = loadCases();
  for (const id of CASES) {
    it(id, async () => {
      const c = all.find((x) => x.id === id);
      const ref = loadReference(id);
      expect(ref, `reference ${id} committed`).not.toBeNull();
      const p = problemFromSpec(c.problem);
      const infinite = ref.exact?.kind === "absorption";
      // particles only where the MET is finite (an infinite MET would only give censored runs)
      const methods = infinite ? ["pde", "exact", "bounds"] : ["pde", "exact", "bounds", "sgd", "sde"];
      const r = await exitTime(
        p,
        { from: c.from, to: c.to },
        { methods, particles: { particles: 600, seed: 1 } },
      );
      const v = compareCase(r.estimates, ref);
      expect(v.truth.kind).toBe(infinite ? "infinite" : "value");
      expect(v.pde.ok, `pde: ${v.pde.verdict}`).toBe(true);
      expect(v.exact.ok, `exact: ${v.exact.verdict}`).toBe(true);
      // an infinite MET: bounds may decline (not-applicable), but must never give a finite bracket
      if (infinite) expect(v.bounds.ok, `bounds: ${v.bounds.verdict}`).not.toBe(false);
      else expect(v.bounds.ok, `bounds: ${v.bounds.verdict}`).toBe(true);
      if (!infinite) {
        expect(v.sgd.ok, `sgd: ${v.sgd.verdict}`).toBe(true);
        expect(v.sde.ok, `sde: ${v.sde.verdict}`).toBe(true);
      }
    });
  }
});
