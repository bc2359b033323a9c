/**
 * The long-time verdict as a pure function of landscape facts (DESIGN.md §1, the paper's
 * long-time regime): does the law of the SDE/SGD converge, to a density, to point masses at
 * interpolating minima, or to a mixture; at what rate; and what Noisy SGD (diffusion ηΣ_B + 2δI)
 * does as δ → 0. Optional PDE facts (spectral gap of −𝓛, fitted entropy decay rate) override the
 * landscape estimates of the rate.
 *
 * Reasoning used (assumptions stated in the output):
 * - δ > 0, confining problem: A ≥ 2δI is uniformly elliptic → a unique stationary density, reached
 *   exponentially fast (rate = spectral gap).
 * - δ = 0, Σ(m) = 0 at a minimum m (interpolating): the diffusion vanishes there; a smooth Σ ≥ 0
 *   vanishes quadratically, so the exit time from m is infinite and mass near m converges to the
 *   point x* = m (OU spread collapses). Mass in basins of non-interpolating minima with
 *   non-degenerate noise leaks out on the Kramers time scale and is eventually absorbed at
 *   interpolating minima: the t → ∞ limit is a sum of point masses, a "mixture" with a spread-out
 *   part over any horizon shorter than those exit times (metastability), or for ever when some
 *   non-interpolating minimum cannot be left (infinite exit time).
 * - δ = 0, no interpolating minimum, Σ non-degenerate: a stationary density (∝ exp(−L/ε) when
 *   Σ = σ²I); rank-deficient Σ can give a singular stationary law.
 * - When the closed classes of the PDE generator are given (`closedClasses`, from pde/stationary.ts) they
 *   decide uniqueness: with several closed classes the verdict never says "unique" or "converges to a
 *   density"; it says where the mass ends from the start (probability per class) and gives a rate only as
 *   a spectral gap within a class.
 */
import { formatNumber } from "../analysis/format.js";
import type { CriticalPoint } from "./critical-points.js";
import type { LandscapeProblem } from "./util.js";

export interface MinimumFacts {
  value: number;
  /** Σ(m) ≈ 0. */
  interpolating: boolean;
  /** Numerical rank of Σ(m). */
  noiseRank: number;
  /** Smallest / largest Hessian eigenvalue at m. */
  lambdaMin: number;
  lambdaMax: number;
  /** Mean exit time (SDE time) from m, e.g. Kramers or PDE; Infinity when it cannot be left; NaN unknown. */
  exitTime?: number;
  /** Mass of the initial law in this basin (drift regime), optional. */
  mass?: number;
}

/** One closed class of the PDE generator (pde/stationary.ts `classes`). */
export interface ClosedClassFacts {
  kind: "density" | "point-mass";
  /** Probability of ending in this class from the start / initial law of interest (0…1). */
  mass: number;
  /** Mean of the class's stationary law (a point mass: its location). */
  centre?: number[];
  /** Spectral gap within the class (1/SDE time); null when not resolved, undefined when not computed. */
  gap?: number | null;
  /**
   * Lower bound (SDE time) on the mean time to leave the class when it is closed only up to jump rates below the
   * numerical resolution; Infinity (or undefined) when it is closed exactly.
   */
  minLifetime?: number;
}

export interface VerdictInput {
  dim: number;
  /** η (for iterations and SGD stability). */
  eta: number;
  /** Noisy-SGD δ. */
  delta: number;
  minima: MinimumFacts[];
  /** True when Σ(x) has full rank everywhere except at interpolating minima (e.g. isotropic). */
  nondegenerate?: boolean;
  /** The state space is confining (bounded reflecting box or L → ∞). Default true. */
  confining?: boolean;
  /** Spectral gap of −𝓛 from the PDE (1/SDE time). */
  spectralGap?: number;
  /**
   * Fitted exponential decay rate of H(ρ_t|ρ_∞) (1/SDE time). H ≈ ½χ² decays at twice the rate of the law
   * itself (OU: H ∝ e^{−2t} for gap 1), so the verdict's rate is entropyRate/2.
   */
  entropyRate?: number;
  /**
   * Closed classes of the PDE generator with the probability of ending in each from the start. When given they
   * decide uniqueness (one class) and the rate (the spectral gap within the classes that receive mass).
   */
  closedClasses?: ClosedClassFacts[];
  /** Time horizon of interest (SDE time); defines "metastable mixture". */
  horizon?: number;
  /** `nondegenerate` was judged from the rank of Σ at the minima only (no uniqueness claim from it). */
  noiseCheckedAtMinimaOnly?: boolean;
}

export interface Verdict {
  /** The law converges (to the limit below, which may depend on the start). */
  converges: boolean | "unknown";
  /**
   * One stationary law whatever the start: true for one closed class of the PDE generator (or an elliptic,
   * confining problem when no classes are given), false for several closed classes, "unknown" otherwise.
   */
  unique: boolean | "unknown";
  /** Closed classes the verdict was built on (from `closedClasses`), with the probability of ending in each. */
  classes?: { count: number; kinds: ("density" | "point-mass")[]; masses: number[] };
  limit: "density" | "point-masses" | "mixture" | "singular" | "unknown";
  /** Indices of the minima carrying point masses in the limit. */
  atoms: number[];
  /** Asymptotic rate (1/SDE time) and where it came from. */
  rate: {
    value: number;
    source: "spectral-gap" | "entropy-fit" | "kramers" | "hessian" | "sgd-contraction" | "none";
  };
  /** Time scale (SDE time) of metastable leakage when it exists. */
  metastableTime?: number;
  /** Noisy-SGD δ → 0 statement. */
  noisySgd: string;
  sentence: string;
  assumptions: string[];
  /** Minima where η·λ_max ≥ 2 (discrete SGD linearly unstable). */
  sgdUnstable?: number[];
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : formatNumber(v));

/**
 * The verdict from landscape facts. Adds a warning (and `sgdUnstable`) when η·λ_max ≥ 2 at some
 * minima: discrete SGD is linearly unstable there and cannot settle, whatever the SDE does.
 */
export function longTimeVerdict(inp: VerdictInput): Verdict {
  const cls = inp.closedClasses;
  const v =
    cls && cls.length > 1
      ? severalClasses(inp, cls)
      : cls && cls.length === 1
        ? oneClass(inp, cls[0])
        : verdictCore(inp);
  const unstable = inp.minima.map((m, i) => (inp.eta * m.lambdaMax >= 2 ? i : -1)).filter((i) => i >= 0);
  v.sgdUnstable = unstable;
  if (unstable.length === inp.minima.length && unstable.length > 0) {
    v.sentence = `Warning: SGD with η = ${fmt(inp.eta)} is linearly unstable at every minimum (η·λ_max ≥ 2), so it cannot settle in any of them; the SDE picture below does not describe SGD. SDE: ${v.sentence}`;
  } else if (unstable.length > 0) {
    v.sentence += ` SGD is linearly unstable (η·λ_max ≥ 2) at minima ${unstable.join(", ")}: it cannot settle there.`;
  }
  return v;
}

function verdictCore(inp: VerdictInput): Verdict {
  const { minima, eta, delta } = inp;
  const confining = inp.confining ?? true;
  const assumptions: string[] = [];
  if (!confining) assumptions.push("the problem is not confining: mass may escape to infinity");
  const interp = minima.map((m, i) => (m.interpolating ? i : -1)).filter((i) => i >= 0);
  const nonInterp = minima.map((m, i) => (m.interpolating ? -1 : i)).filter((i) => i >= 0);
  const pdeRate =
    inp.spectralGap !== undefined
      ? { value: inp.spectralGap, source: "spectral-gap" as const }
      : inp.entropyRate !== undefined
        ? { value: inp.entropyRate / 2, source: "entropy-fit" as const }
        : undefined;
  const exitMax = Math.max(...minima.map((m) => m.exitTime ?? Number.NaN).filter((t) => !Number.isNaN(t)), 0);
  const densityRate = (): Verdict["rate"] => {
    if (pdeRate) return pdeRate;
    if (minima.length > 1 && exitMax > 0 && Number.isFinite(exitMax))
      return { value: 1 / exitMax, source: "kramers" };
    if (minima.length === 1) return { value: minima[0].lambdaMin, source: "hessian" };
    return { value: Number.NaN, source: "none" };
  };
  let noisySgd: string;
  if (interp.length > 0) {
    noisySgd =
      "Noisy SGD (δ > 0) has A ≥ 2δI, so for every δ > 0 the law converges to a unique density; near the interpolating minima the noise is only 2δ, so as δ → 0 that density concentrates on them and the time to leave them grows without bound (the spectral gap closes): the limits t → ∞ and δ → 0 do not commute, and δ → 0 recovers the point-mass picture only at ever longer times.";
  } else if (inp.nondegenerate ?? false) {
    noisySgd =
      "Σ is non-degenerate at every minimum, so δ → 0 is a regular perturbation: the δ-stationary densities tend to the δ = 0 stationary density and the rate stays bounded away from 0.";
  } else {
    noisySgd =
      "Σ is rank-deficient somewhere: δ > 0 makes the diffusion elliptic (unique density); as δ → 0 the stationary law may become singular along the directions without noise.";
  }
  // δ > 0: elliptic.
  if (delta > 0 || (interp.length === 0 && (inp.nondegenerate ?? false))) {
    const rate = densityRate();
    const byClasses = inp.closedClasses?.length === 1;
    const onlyAtMinima = delta === 0 && (inp.noiseCheckedAtMinimaOnly ?? false) && !byClasses;
    const why =
      delta > 0
        ? `Noisy SGD with δ = ${fmt(delta)} makes A ≥ 2δI elliptic`
        : byClasses
          ? "the PDE generator has a single closed class"
          : onlyAtMinima
            ? "the noise is non-degenerate at every minimum; between the minima its rank was not checked — where it degenerates there can be several closed classes, which the PDE generator's class structure would show"
            : "the noise is non-degenerate";
    return {
      converges: confining ? true : "unknown",
      unique: confining && !onlyAtMinima ? true : "unknown",
      limit: confining ? "density" : "unknown",
      atoms: [],
      rate,
      noisySgd,
      sentence: confining
        ? `Converges to ${onlyAtMinima ? "a" : "a unique"} stationary density (${why}); ${
            Number.isFinite(rate.value)
              ? `asymptotic rate ${fmt(rate.value)} per unit SDE time (${rate.source})`
              : "asymptotic rate not estimated (no spectral gap, Kramers time or single non-degenerate minimum to base it on)"
          }${rate.source === "kramers" ? ", i.e. set by the slowest escape between minima" : ""}.`
        : `Not confining: ${why}, but mass may escape to infinity.`,
      assumptions,
    };
  }
  if (interp.length === 0) {
    const rate = densityRate();
    const ranks = minima.map((m) => m.noiseRank);
    return {
      converges: "unknown",
      unique: "unknown",
      limit: "singular",
      atoms: [],
      rate,
      noisySgd,
      sentence: `No minimum is interpolating, but Σ is rank-deficient (rank ${ranks.join(", ")} of ${inp.dim} at the minima): the law converges to a stationary law that need not have a density (hypoellipticity not checked).`,
      assumptions,
    };
  }
  // δ = 0 with interpolating minima.
  const stuck = nonInterp.filter((i) => {
    const t = minima[i].exitTime;
    return (
      t === Number.POSITIVE_INFINITY ||
      ((t === undefined || Number.isNaN(t)) && minima[i].noiseRank < inp.dim)
    );
  });
  const leaky = nonInterp.filter((i) => !stuck.includes(i));
  const stable = interp.filter((i) => eta * minima[i].lambdaMax < 2);
  const rho = Math.max(
    ...stable.map((i) => Math.abs(1 - eta * minima[i].lambdaMin)),
    Math.max(...stable.map((i) => Math.abs(1 - eta * minima[i].lambdaMax))),
  );
  const contraction: Verdict["rate"] = stable.length
    ? { value: -Math.log(rho) / eta, source: "sgd-contraction" }
    : { value: Number.NaN, source: "none" };
  const unstable = interp.filter((i) => !stable.includes(i));
  if (unstable.length)
    assumptions.push(`η·λ_max ≥ 2 at interpolating minima ${unstable.join(", ")}: SGD cannot settle there`);
  const leakTime = Math.max(
    ...leaky.map((i) => minima[i].exitTime ?? Number.NaN).filter((t) => !Number.isNaN(t)),
    0,
  );
  if (stuck.length > 0) {
    return {
      converges: true,
      unique: false,
      limit: "mixture",
      atoms: stable,
      rate: pdeRate ?? contraction,
      noisySgd,
      sentence: `A mixture: point masses at the interpolating minima ${stable.join(", ")} plus a spread-out part that never leaves the non-interpolating minima ${stuck.join(", ")} (their noise is degenerate or their exit time infinite).`,
      assumptions,
    };
  }
  if (leaky.length > 0) {
    const within = inp.horizon !== undefined && leakTime > inp.horizon;
    return {
      converges: true,
      unique: stable.length === 1,
      limit: within ? "mixture" : "point-masses",
      atoms: stable,
      rate: leakTime > 0 ? { value: 1 / leakTime, source: "kramers" } : (pdeRate ?? contraction),
      metastableTime: leakTime > 0 ? leakTime : undefined,
      noisySgd,
      sentence: within
        ? `Over the horizon ${fmt(inp.horizon!)} (SDE time) a metastable mixture: point masses at interpolating minima ${stable.join(", ")} and noisy clouds at minima ${leaky.join(", ")}, which empty only on the time scale ${fmt(leakTime)} (${fmt(leakTime / eta)} iterations).`
        : `Converges to point masses at the interpolating minima ${stable.join(", ")}: mass at the non-interpolating minima ${leaky.join(", ")} leaks out on the time scale ${
            leakTime > 0 ? `${fmt(leakTime)} (${fmt(leakTime / eta)} iterations)` : "of their exit time"
          } and is absorbed where the noise vanishes.`,
      assumptions,
    };
  }
  return {
    converges: stable.length > 0,
    unique: stable.length === 1,
    limit: "point-masses",
    atoms: stable,
    rate: pdeRate ?? contraction,
    noisySgd,
    sentence: `Every minimum is interpolating (Σ = 0 there): the parameters converge to one of the minima ${stable.join(", ")} (point masses, weights set by the initial law's basins), linearly at rate ${fmt(contraction.value)} per unit SDE time.`,
    assumptions,
  };
}

const where = (c: ClosedClassFacts) =>
  c.centre ? ` ${c.kind === "point-mass" ? "at" : "around"} (${c.centre.map((v) => fmt(v)).join(", ")})` : "";

/** Ellipticity claimed by the landscape facts (δ > 0, or non-degenerate noise known everywhere). */
const elliptic = (inp: VerdictInput) =>
  inp.delta > 0 ||
  ((inp.nondegenerate ?? false) &&
    !inp.noiseCheckedAtMinimaOnly &&
    inp.minima.every((m) => !m.interpolating));

/** One closed class: the limit is unique; its kind and its gap decide the rest. */
function oneClass(inp: VerdictInput, c: ClosedClassFacts): Verdict {
  const gap = c.gap ?? undefined;
  const v = verdictCore({ ...inp, spectralGap: gap ?? inp.spectralGap });
  v.unique = true;
  v.classes = { count: 1, kinds: [c.kind], masses: [1] };
  if (c.kind === "density" && v.limit !== "density" && v.limit !== "unknown") {
    v.assumptions.push(
      `the PDE generator has a single closed class carrying a density${where(c)}, while the landscape facts suggest "${v.limit}": the grid may not resolve where the noise vanishes`,
    );
  } else if (c.kind === "point-mass" && v.limit === "density") {
    v.limit = "point-masses";
    v.converges = true;
    v.rate = { value: Number.NaN, source: "none" };
    v.sentence = `Converges to a single point mass${where(c)}: the PDE generator has one closed class, a point where no jump leaves (the noise and the drift vanish there).`;
  }
  if (c.kind === "density" && c.gap === null)
    v.assumptions.push(
      "the spectral gap within the class is below the eigenvalue solver's resolution: the class is itself metastable",
    );
  return v;
}

/** Several closed classes: no unique limit; report where the mass ends from the start and the within-class rates. */
function severalClasses(inp: VerdictInput, cls: ClosedClassFacts[]): Verdict {
  const core = verdictCore(inp);
  const tiny = 1e-9;
  const reached = cls.filter((c) => c.mass > tiny);
  const got = reached.length ? reached : cls;
  const dens = got.filter((c) => c.kind === "density");
  const limit: Verdict["limit"] =
    dens.length === got.length ? "density" : dens.length === 0 ? "point-masses" : "mixture";
  const gaps = dens.map((c) => c.gap);
  let rate: Verdict["rate"];
  if (dens.length === 0)
    rate = core.rate.source === "sgd-contraction" ? core.rate : { value: Number.NaN, source: "none" };
  else if (gaps.every((g) => typeof g === "number" && g > 0))
    rate = { value: Math.min(...(gaps as number[])), source: "spectral-gap" };
  else rate = { value: Number.NaN, source: "none" };
  const lifetimes = cls.map((c) => c.minLifetime ?? Number.POSITIVE_INFINITY);
  const finiteLife = lifetimes.filter((t) => Number.isFinite(t));
  const metastableTime = finiteLife.length ? Math.min(...finiteLife) : undefined;
  const order = [...got].sort((a, b) => b.mass - a.mass);
  const list = order
    .slice(0, 6)
    .map(
      (c) =>
        `${fmt(c.mass)} ${c.kind === "point-mass" ? "in a point mass" : "in a stationary density"}${where(c)}`,
    );
  if (order.length > 6)
    list.push(`${fmt(order.slice(6).reduce((a, c) => a + c.mass, 0))} in ${order.length - 6} more`);
  const kinds = `${cls.length} closed classes (${cls.filter((c) => c.kind === "density").length} densities, ${cls.filter((c) => c.kind === "point-mass").length} point masses)`;
  const rateText =
    rate.source === "spectral-gap"
      ? ` Within each class the law relaxes at least at rate ${fmt(rate.value)} per unit SDE time (the smallest spectral gap within the classes reached).`
      : dens.length > 0
        ? " The relaxation rate within the classes is not resolved (a spectral gap below the solver's resolution, or not computed)."
        : "";
  const assumptions = [...core.assumptions];
  let caveat = "";
  if (elliptic(inp)) {
    caveat =
      metastableTime !== undefined
        ? ` (The continuum diffusion is elliptic, so strictly its stationary law is unique; the grid classes exchange mass only through jump rates below the numerical resolution, after a mean time ≥ ${fmt(metastableTime)} (${fmt(metastableTime / inp.eta)} iterations): on any shorter horizon they are separate.)`
        : " (The continuum diffusion is elliptic, yet the grid generator is reducible: rates that underflowed to 0 — refine the grid.)";
    assumptions.push("grid classes override the ellipticity argument for uniqueness on practical horizons");
  } else if (metastableTime !== undefined) {
    caveat = ` Some classes are closed only up to jump rates below the numerical resolution: they exchange mass after a mean time ≥ ${fmt(metastableTime)} (${fmt(metastableTime / inp.eta)} iterations) at the earliest.`;
  }
  return {
    converges: true,
    unique: false,
    limit,
    atoms: limit === "density" ? [] : core.atoms,
    rate,
    metastableTime,
    noisySgd: core.noisySgd,
    sentence: `No unique stationary law: the PDE generator has ${kinds}, so where the law ends depends on the start. From the start: ${list.join("; ")}.${rateText}${caveat}`,
    assumptions,
    classes: { count: cls.length, kinds: cls.map((c) => c.kind), masses: cls.map((c) => c.mass) },
  };
}

/**
 * Convenience: the verdict from findMinima output (noise at each minimum) and optional exit times
 * (e.g. `exitTimeFromMinimum(...).time` per minimum) and PDE facts. "Non-degenerate" is taken to
 * mean: Σ has full rank at every non-interpolating minimum (stated in the assumptions).
 */
export function verdictFromLandscape(
  p: LandscapeProblem,
  minima: CriticalPoint[],
  extra: { exitTimes?: number[]; masses?: number[] } & Pick<
    VerdictInput,
    "spectralGap" | "entropyRate" | "horizon" | "confining" | "closedClasses"
  > = {},
): Verdict {
  const facts: MinimumFacts[] = minima.map((m, i) => ({
    value: m.value,
    interpolating: m.noise ? m.noise.interpolating : true,
    noiseRank: m.noise ? m.noise.rank : 0,
    lambdaMin: m.eigenvalues[0],
    lambdaMax: m.eigenvalues[m.eigenvalues.length - 1],
    exitTime: extra.exitTimes?.[i],
    mass: extra.masses?.[i],
  }));
  const nondegenerate = facts.every((f) => f.interpolating || f.noiseRank === p.dim);
  const v = longTimeVerdict({
    dim: p.dim,
    eta: p.lr,
    delta: p.delta ?? 0,
    minima: facts,
    nondegenerate,
    confining: extra.confining,
    spectralGap: extra.spectralGap,
    entropyRate: extra.entropyRate,
    horizon: extra.horizon,
    closedClasses: extra.closedClasses,
    // a constant Σ has the same rank everywhere; otherwise only the minima were looked at
    noiseCheckedAtMinimaOnly: !(p.noise === undefined || p.noise.constant),
  });
  v.assumptions.push(
    p.noise === undefined || p.noise.constant
      ? "constant noise: its rank at the minima is its rank everywhere"
      : "non-degeneracy judged from the rank of Σ at the minima only",
  );
  return v;
}
