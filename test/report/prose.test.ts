/**
 * The entropy sentence names the eigenvalue its fitted rate belongs to (a wording rule, tested on a spectrum shaped
 * like the 1-D double well's: a small gap λ₂ for the exchange between the wells — an antisymmetric mode a symmetric
 * start does not excite — then λ₃ ≈ 1 for the first symmetric mode; near equilibrium H(t) ~ e^{−2λt}).
 */
import { describe, expect, it } from "vitest";
import { entropyModeText } from "../../src/report/prose.js";

const sp = { gap: 0.0335, eigenvalues: [0, 0.0335, 0.96, 2.1], converged: true };

describe("entropy rate and its eigenvalue", () => {
  it("a rate of 2λ₃ says the slow mode is not excited, with both numbers", () => {
    const t = entropyModeText(1.95, sp);
    expect(t).toMatch(/λ = 0\.96/);
    expect(t).toMatch(/gap 0\.0335/);
    expect(t).toMatch(/does not excite/);
  });
  it("a rate of 2 × the gap says so; a rate matching nothing says the fit may see a transient", () => {
    expect(entropyModeText(0.067, sp)).toBe(" = 2 × the spectral gap");
    expect(entropyModeText(10, sp)).toMatch(/none of the 3 computed eigenvalues/);
    expect(entropyModeText(1, { ...sp, converged: false })).toBe("");
  });
});
