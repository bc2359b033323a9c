/**
 * analyze, stage 4 — convergence: the long-time verdict from the landscape facts, the exit times measured in the
 * escape stage (else Kramers), the spectral gap only when it is the relaxation rate of the whole law (one closed
 * class), and the entropy decay rate fitted above the round-off floor.
 */
import { type Verdict, verdictFromLandscape } from "../landscape/index.js";
import type { EntropyReport, SpectralResult, StationaryResult } from "../pde/index.js";
import type { Problem } from "../problem/types.js";
import type { EscapeResult } from "./escape.js";
import type { GridStage } from "./grid-stage.js";
import type { LandscapeStage } from "./landscape-stage.js";

export interface ConvergenceStage {
  verdict: Verdict;
  stationary: {
    normalisable: boolean;
    message: string;
    pointMasses: { x: number[]; fraction: number }[];
    /** One closed class: one long-time law whatever the start. */
    unique: boolean;
    /** The closed classes of the generator, with the probability of ending in each from the uniform law. */
    classes: {
      kind: "density" | "point-mass";
      centre: number[];
      mass: number;
      gap: number | null;
      minLifetime: number;
    }[];
  } | null;
  spectral: {
    gap: number | null;
    relaxationTime: number | null;
    eigenvalues: number[];
    zeroEigenvalues: number;
    /** The gap is the relaxation rate of the whole law (one closed class). */
    describesWholeLaw: boolean;
    converged: boolean;
  } | null;
  entropy: {
    t: number[];
    H: number[];
    fittedRate: number | null;
    bakryEmeryRate: number | null;
    lambdaMin: number;
  } | null;
}

export function convergenceStage(
  p: Problem,
  land: LandscapeStage,
  gs: GridStage | null,
  st: StationaryResult | null,
  entropy: EntropyReport | null,
  escapes: EscapeResult[],
  horizon: number,
): ConvergenceStage {
  const bounded = p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
  const exitTimes = land.info.map((m) => {
    const e = escapes.find((x) => x.fromMinimum === m.index && x.label !== "problem start");
    if (e?.best.time !== null && e?.best.time !== undefined) return e.best.time;
    return m.kramers.time;
  });
  const forVerdict = land.minima.map((m, i) => ({
    ...m,
    eigenvalues: [land.info[i].lambdaMin, ...m.eigenvalues.slice(1)],
  }));
  const sp: SpectralResult | null = gs?.spectral ?? null;
  const whole = gs?.gapIsRelaxationRate ?? false;
  const closedClasses = st
    ? st.classes.map((c, k) => ({
        kind: c.kind,
        mass: c.mass,
        centre: c.centre,
        gap: st.unique ? (whole ? (sp?.gap ?? null) : undefined) : (gs?.classGaps[k] ?? undefined),
        minLifetime: c.minLifetime,
      }))
    : undefined;
  const verdict = verdictFromLandscape(p, forVerdict, {
    closedClasses,
    exitTimes,
    spectralGap: whole ? (sp?.gap ?? undefined) : undefined,
    entropyRate: whole ? (entropy?.fittedRate ?? undefined) : undefined,
    horizon,
    confining: bounded ? true : undefined,
  });
  if (!bounded)
    verdict.assumptions.push("the state space is unbounded: confinement assumed from the loss's growth");
  if (sp && !whole)
    verdict.assumptions.push(
      `the generator's spectrum has ${sp.zeroEigenvalues} zero eigenvalue(s)${sp.converged ? "" : " (not converged)"}: its gap is not used as the rate of the whole law`,
    );
  return {
    verdict,
    stationary: st
      ? {
          normalisable: st.normalisable,
          message: st.message,
          pointMasses: st.pointMasses.map((m) => ({ x: m.x, fraction: m.fraction })),
          unique: st.unique,
          classes: st.classes.map((c, k) => ({
            kind: c.kind,
            centre: c.centre,
            mass: c.mass,
            gap: st.unique ? (whole ? (sp?.gap ?? null) : null) : (gs?.classGaps[k] ?? null),
            minLifetime: c.minLifetime,
          })),
        }
      : null,
    spectral: sp
      ? {
          gap: sp.gap,
          relaxationTime: sp.gap ? 1 / sp.gap : null,
          eigenvalues: sp.re,
          zeroEigenvalues: sp.zeroEigenvalues,
          describesWholeLaw: whole,
          converged: sp.converged,
        }
      : null,
    entropy: entropy
      ? {
          t: entropy.t,
          H: entropy.H,
          fittedRate: entropy.fittedRate,
          bakryEmeryRate: entropy.bakryEmeryRate,
          lambdaMin: entropy.lambdaMin,
        }
      : null,
  };
}
