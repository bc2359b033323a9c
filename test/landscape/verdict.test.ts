import { describe, expect, it } from "vitest";
import { findMinima } from "../../src/landscape/critical-points.js";
import { exitTimeFromMinimum } from "../../src/landscape/kramers.js";
import { findSaddles } from "../../src/landscape/saddles.js";
import { longTimeVerdict, verdictFromLandscape } from "../../src/landscape/verdict.js";
import { doubleWell1d, isotropic, makeProblem, noiseFrom } from "./fixtures.js";

function analyse(p: ReturnType<typeof makeProblem>) {
  const mins = findMinima(p, { seed: 1, starts: 10 }).minima;
  const sad = findSaddles(p, mins).saddles;
  const exitTimes = mins.map((_, i) => exitTimeFromMinimum(p, mins, i, sad).time);
  return { mins, exitTimes };
}

describe("long-time verdict", () => {
  it("isotropic noise, no interpolating minimum: a density, rate from Kramers unless the PDE gap is given", () => {
    const p = makeProblem(doubleWell1d, { noise: isotropic(1, 1), lr: 0.1, domain: [[-3, 3]] });
    const { mins, exitTimes } = analyse(p);
    const v = verdictFromLandscape(p, mins, { exitTimes });
    expect(v.limit).toBe("density");
    expect(v.converges).toBe(true);
    expect(v.rate.source).toBe("kramers");
    expect(v.rate.value).toBeCloseTo(1 / Math.max(...exitTimes), 12);
    const w = verdictFromLandscape(p, mins, { exitTimes, spectralGap: 0.0123 });
    expect(w.rate).toEqual({ value: 0.0123, source: "spectral-gap" });
    expect(v.noisySgd).toMatch(/regular perturbation/);
  });

  it("all minima interpolating: point masses, linear SGD contraction rate", () => {
    // Σ(x) = (x² − 1)²: zero at both minima ±1.
    const noise = noiseFrom(1, "empirical", (x, o) => {
      o[0] = (x[0] ** 2 - 1) ** 2;
    });
    const p = makeProblem(doubleWell1d, { noise, lr: 0.1, domain: [[-3, 3]] });
    const { mins, exitTimes } = analyse(p);
    expect(exitTimes.every((t) => t === Number.POSITIVE_INFINITY)).toBe(true);
    const v = verdictFromLandscape(p, mins, { exitTimes });
    expect(v.limit).toBe("point-masses");
    expect(v.atoms.sort()).toEqual([0, 1]);
    // L''(±1) = 2: contraction |1 − 0.2| per step → rate −ln(0.8)/η
    expect(v.rate.source).toBe("sgd-contraction");
    expect(v.rate.value).toBeCloseTo(-Math.log(0.8) / 0.1, 7);
    expect(v.sentence).toMatch(/converge to one of the minima/);
  });

  it("one interpolating minimum: point masses there, metastable mixture over a short horizon; Noisy SGD gives a density", () => {
    const noise = noiseFrom(1, "empirical", (x, o) => {
      o[0] = (x[0] + 1) ** 2;
    });
    const p = makeProblem(doubleWell1d, { noise, lr: 0.1, domain: [[-3, 3]] });
    const { mins, exitTimes } = analyse(p);
    const left = mins.findIndex((m) => m.x[0] < 0);
    const right = 1 - left;
    expect(exitTimes[left]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(exitTimes[right])).toBe(true);
    const v = verdictFromLandscape(p, mins, { exitTimes });
    expect(v.limit).toBe("point-masses");
    expect(v.atoms).toEqual([left]);
    expect(v.metastableTime).toBeCloseTo(exitTimes[right], 9);
    const short = verdictFromLandscape(p, mins, { exitTimes, horizon: exitTimes[right] / 100 });
    expect(short.limit).toBe("mixture");
    const noisy = verdictFromLandscape(
      makeProblem(doubleWell1d, { noise, lr: 0.1, delta: 0.01, domain: [[-3, 3]] }),
      mins,
      { exitTimes },
    );
    expect(noisy.limit).toBe("density");
    expect(noisy.noisySgd).toMatch(/concentrates/);
  });

  it("pure facts: a non-interpolating minimum that cannot be left gives a mixture", () => {
    const v = longTimeVerdict({
      dim: 2,
      eta: 0.1,
      delta: 0,
      minima: [
        { value: 0, interpolating: true, noiseRank: 0, lambdaMin: 1, lambdaMax: 2 },
        {
          value: 0.1,
          interpolating: false,
          noiseRank: 1,
          lambdaMin: 1,
          lambdaMax: 3,
          exitTime: Number.POSITIVE_INFINITY,
        },
      ],
    });
    expect(v.limit).toBe("mixture");
    expect(v.atoms).toEqual([0]);
  });
});

describe("SGD stability in the verdict", () => {
  it("flags minima with η·λ_max ≥ 2", () => {
    const base = { dim: 1, delta: 0, nondegenerate: true };
    const mk = (lmax: number) => ({
      value: 0,
      interpolating: false,
      noiseRank: 1,
      lambdaMin: 1,
      lambdaMax: lmax,
    });
    const all = longTimeVerdict({ ...base, eta: 0.5, minima: [mk(5), mk(4)] });
    expect(all.sgdUnstable).toEqual([0, 1]);
    expect(all.sentence).toMatch(/^Warning: SGD .* unstable at every minimum/);
    const some = longTimeVerdict({ ...base, eta: 0.5, minima: [mk(5), mk(1)] });
    expect(some.sgdUnstable).toEqual([0]);
    expect(some.sentence).toMatch(/unstable .* at minima 0/);
    expect(longTimeVerdict({ ...base, eta: 0.1, minima: [mk(5)] }).sgdUnstable).toEqual([]);
  });
});

describe("verdict and the closed classes of the PDE generator", () => {
  const facts = (interpolating: boolean) => ({
    value: 0,
    interpolating,
    noiseRank: interpolating ? 0 : 2,
    lambdaMin: 1,
    lambdaMax: 3,
  });
  it("state-dependent noise judged at the minima only: no uniqueness claim until one closed class is given", () => {
    const base = { dim: 2, eta: 0.1, delta: 0, minima: [facts(false), facts(false)], nondegenerate: true };
    const v = longTimeVerdict({ ...base, noiseCheckedAtMinimaOnly: true });
    expect(v.unique).toBe("unknown");
    expect(v.sentence).not.toMatch(/unique/);
    const one = longTimeVerdict({
      ...base,
      noiseCheckedAtMinimaOnly: true,
      closedClasses: [{ kind: "density", mass: 1, gap: 0.25 }],
    });
    expect(one.unique).toBe(true);
    expect(one.rate).toEqual({ value: 0.25, source: "spectral-gap" });
    expect(one.sentence).toMatch(/unique stationary density \(the PDE generator has a single closed class\)/);
    // the fitted entropy rate is that of H ≈ ½χ²: the law's rate is half of it
    expect(longTimeVerdict({ ...base, entropyRate: 0.5 }).rate).toEqual({
      value: 0.25,
      source: "entropy-fit",
    });
  });

  it("several classes: not unique, probabilities from the start, the slowest gap among the classes reached", () => {
    const v = longTimeVerdict({
      dim: 2,
      eta: 0.1,
      delta: 0,
      minima: [facts(true), facts(false)],
      closedClasses: [
        { kind: "point-mass", mass: 0.25, centre: [0, 0] },
        { kind: "density", mass: 0.75, centre: [1, 1], gap: 0.5 },
        { kind: "density", mass: 0, centre: [2, 2], gap: 0.01 },
      ],
    });
    expect(v.unique).toBe(false);
    expect(v.limit).toBe("mixture");
    expect(v.rate).toEqual({ value: 0.5, source: "spectral-gap" }); // the unreached class's gap does not count
    expect(v.classes).toEqual({
      count: 3,
      kinds: ["point-mass", "density", "density"],
      masses: [0.25, 0.75, 0],
    });
    expect(v.sentence).toMatch(
      /0\.750 in a stationary density around \(1\.00, 1\.00\); 0\.250 in a point mass at \(0\.00, 0\.00\)/,
    );
    const unresolved = longTimeVerdict({
      dim: 1,
      eta: 0.1,
      delta: 0.01,
      minima: [facts(false)],
      closedClasses: [
        { kind: "density", mass: 0.5, gap: null, minLifetime: 1e12 },
        { kind: "density", mass: 0.5, gap: 2 },
      ],
    });
    expect(unresolved.rate.source).toBe("none");
    expect(unresolved.metastableTime).toBe(1e12);
    expect(unresolved.sentence).toMatch(/elliptic, so strictly its stationary law is unique/);
  });
});
