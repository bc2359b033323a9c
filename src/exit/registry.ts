/**
 * The typed registry of exit-time methods: what each needs (checked before any work starts) and how it runs.
 * Adding a method = one entry here plus the file that computes it.
 */
import { DYNAMICS, type DynamicsKind } from "../dynamics/simulate.js";
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
  sgd: particleSpec("sgd", "real minibatch SGD (Monte Carlo, 95% interval)"),
  sde: particleSpec("sde", "order-1 SDE by Euler–Maruyama with the Brownian-bridge exit correction"),
  sde2: particleSpec("sde2", "order-2 stochastic modified equation (Euler–Maruyama)"),
  "noisy-sgd": particleSpec("noisy-sgd", "SGD with added Gaussian noise N(0, 2δη I) per step"),
  gd: particleSpec("gd", "plain gradient descent (exits only if the flow leads there)"),
  pde: {
    name: "pde",
    kind: "deterministic",
    summary: "the discrete generator on a grid, with an error estimate from refinement (d ≤ 3)",
    cannotRun: (p) =>
      p.dim > 3
        ? `grid methods need d ≤ 3 (this problem has d = ${p.dim}); use particles or kramers`
        : needsDomain("the pde method")(p),
    run: (p, q, i) => pdeExitTime(p, q, i.grid),
  },
  exact: {
    name: "exact",
    kind: "deterministic",
    summary: "the exact 1-D double-integral formula by quadrature",
    cannotRun: (p) =>
      p.dim !== 1
        ? `the exact formula is 1-D only (this problem has d = ${p.dim})`
        : needsDomain("the exact formula")(p),
    run: (p, q) => exactExitTime(p, q),
  },
  kramers: {
    name: "kramers",
    kind: "deterministic",
    summary: "Eyring–Kramers over the saddles into the target (asymptotic, small noise)",
    cannotRun: () => null,
    run: (p, q, i) => kramersExitTime(p, q, i.landscape()),
  },
  bounds: {
    name: "bounds",
    kind: "deterministic",
    summary: "two-sided bracket: rigorous in 1-D; the discrete generator's certified bracket in 2-D/3-D",
    cannotRun: (p) =>
      p.dim > 3 ? `bounds need d ≤ 3 (this problem has d = ${p.dim})` : needsDomain("the bounds method")(p),
    run: (p, q, i) => boundsExitTime(p, q, i.grid),
  },
  "path-1d": {
    name: "path-1d",
    kind: "deterministic",
    summary: "the 1-D formula along the minimum-energy path (reduced model)",
    cannotRun: () => null,
    run: (p, q, i) => pathExitTime(p, q, i.path === undefined ? i.landscape() : null, i.path),
  },
};

/** Is `name` a particle method? */
export function isParticleMethod(name: ExitMethodName): name is DynamicsKind {
  return (DYNAMICS as readonly string[]).includes(name);
}
