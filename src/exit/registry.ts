/**
 * The typed registry of exit-time methods: what each needs (checked before any work starts) and how it runs.
 * Adding a method = one entry here plus the file that computes it.
 */
import { DYNAMICS, DYNAMICS_SUMMARY, type DynamicsKind } from "../dynamics/kinds.js";
import type { Problem } from "../problem/types.js";
import { boundsExitTime } from "./bounds.js";
import { exactExitTime, pdeExitTime } from "./grid-methods.js";
import { kramersExitTime } from "./kramers.js";
import type { LandscapeContext } from "./landscape-context.js";
import { pathExitTime } from "./path-1d.js";
import type { ExitEstimate, ExitMethodName, ExitQuery, GridSettings, TransitionPath } from "./types.js";

/** What a deterministic method gets besides the problem and the query. */
export interface MethodInputs {
  grid: GridSettings;
  /** Landscape facts, computed once per query on first use. */
  landscape: () => LandscapeContext;
  path?: TransitionPath | null;
}

export interface ExitMethodSpec {
  name: ExitMethodName;
  /** "particles": a Monte Carlo ensemble of a dynamics; "deterministic": a solve or a formula. */
  kind: "particles" | "deterministic";
  /** One line for --help. */
  summary: string;
  /**
   * Why the method cannot answer this problem at all (dimension, missing domain), or null. Checked before any
   * method runs, so that a request that cannot be served is refused at once.
   */
  cannotRun(p: Problem): string | null;
  /** Deterministic methods only. */
  run?: (p: Problem, q: ExitQuery, inputs: MethodInputs) => ExitEstimate;
}

/** The grid and landscape methods model plain SGD's SDE; with momentum only the particles do (honestly refused). */
const plainOnly = (p: Problem): string | null =>
  p.momentum > 0
    ? `not implemented for heavy-ball momentum (β = ${p.momentum}): its SDE has drift and noise scaled by 1/(1 − β); use the particle methods sgd, sde`
    : null;

const bounded = (p: Problem) => p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
const needsDomain = (what: string) => (p: Problem) =>
  bounded(p) ? null : `${what} needs a bounded box: give \`domain\` in the problem file`;

const particleSpec = (k: DynamicsKind, summary: string): ExitMethodSpec => ({
  name: k,
  kind: "particles",
  summary,
  cannotRun: (p) =>
    k === "noisy-sgd" && !(p.delta > 0) ? "noisy-sgd needs δ > 0 (`delta` in the problem file)" : null,
});

export const EXIT_METHOD_SPECS: Record<ExitMethodName, ExitMethodSpec> = {
  // one Monte Carlo method per particle dynamics
  ...(Object.fromEntries(DYNAMICS.map((k) => [k, particleSpec(k, DYNAMICS_SUMMARY[k])])) as Record<
    DynamicsKind,
    ExitMethodSpec
  >),
  pde: {
    name: "pde",
    kind: "deterministic",
    summary: "the discrete generator on a grid, with an error estimate from refinement (d ≤ 3)",
    cannotRun: (p) =>
      plainOnly(p) ??
      (p.dim > 3
        ? `grid methods need d ≤ 3 (this problem has d = ${p.dim}); use particles or kramers`
        : needsDomain("the pde method")(p)),
    run: (p, q, i) => pdeExitTime(p, q, i.grid),
  },
  exact: {
    name: "exact",
    kind: "deterministic",
    summary: "the exact 1-D double-integral formula by quadrature",
    cannotRun: (p) =>
      plainOnly(p) ??
      (p.dim !== 1
        ? `the exact formula is 1-D only (this problem has d = ${p.dim})`
        : needsDomain("the exact formula")(p)),
    run: (p, q) => exactExitTime(p, q),
  },
  kramers: {
    name: "kramers",
    kind: "deterministic",
    summary: "Eyring–Kramers over the saddles into the target (asymptotic, small noise)",
    cannotRun: plainOnly,
    run: (p, q, i) => kramersExitTime(p, q, i.landscape()),
  },
  bounds: {
    name: "bounds",
    kind: "deterministic",
    summary: "two-sided bracket: rigorous in 1-D; the discrete generator's certified bracket in 2-D/3-D",
    cannotRun: (p) =>
      plainOnly(p) ??
      (p.dim > 3 ? `bounds need d ≤ 3 (this problem has d = ${p.dim})` : needsDomain("the bounds method")(p)),
    run: (p, q, i) => boundsExitTime(p, q, i.grid),
  },
  "path-1d": {
    name: "path-1d",
    kind: "deterministic",
    summary: "the 1-D formula along the minimum-energy path (reduced model)",
    cannotRun: plainOnly,
    run: (p, q, i) => pathExitTime(p, q, i.path === undefined ? i.landscape() : null, i.path),
  },
};

/** Is `name` a particle method? */
export function isParticleMethod(name: ExitMethodName): name is DynamicsKind {
  return (DYNAMICS as readonly string[]).includes(name);
}
