/**
 * The PDE side from a problem in one call each (the library's `fokkerPlanck` and `stationary`): choose the grid
 * (automatic unless given), build the one generator Q, and run. Times are SDE time; iterations = t/η.
 */
import { NumericalError, UserError } from "../errors.js";
import type { Problem } from "../problem/types.js";
import { gridBasins } from "./basins.js";
import { type EntropyReport, entropyDecay } from "./entropy.js";
import {
  type FokkerPlanckResult,
  fokkerPlanck,
  type InitialLaw,
  initialDistribution,
  type NamedRegion,
} from "./fokker-planck.js";
import { buildGenerator, type DiscreteGenerator } from "./generator.js";
import { autoGridShape, type Grid, makeGrid } from "./grid.js";
import { classSpectrum, type SpectralResult, spectralGap } from "./spectral.js";
import { type StationaryResult, stationary } from "./stationary.js";

export interface GridChoice {
  /** Points per axis: a number (every axis), one per axis, or undefined for the automatic choice. */
  grid?: number | readonly number[];
}

/** The grid for a problem: the given points per axis, or the automatic choice with its reason. */
export function problemGrid(p: Problem, g: GridChoice = {}): { grid: Grid; reason: string } {
  if (!p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi)))
    throw new UserError("grid methods need a bounded box: give `domain` in the problem file", {
      where: "domain",
    });
  if (p.dim > 3)
    throw new UserError(`grid methods need d ≤ 3 (this problem has d = ${p.dim})`, { where: "grid" });
  if (g.grid === undefined) {
    const a = autoGridShape(p);
    return { grid: makeGrid(p.domain, a.shape), reason: a.reason };
  }
  const shape = typeof g.grid === "number" ? new Array(p.dim).fill(g.grid) : [...g.grid];
  return { grid: makeGrid(p.domain, shape), reason: `${shape.join("×")} points as asked` };
}

export interface FokkerPlanckLawOptions extends GridChoice {
  /** Initial law on the grid (point masses are spread to the surrounding nodes). */
  init: InitialLaw;
  /** Snapshot times (SDE time), increasing. */
  times: readonly number[];
  method?: "uniformization" | "implicit-euler";
  /** Implicit Euler step (SDE time). */
  dt?: number;
  regions?: NamedRegion[];
  /** Add the order-2 drift correction −(η/4)∇|∇L|². */
  order2?: boolean;
  onProgress?: (t: number, tEnd: number) => void;
}

export interface FokkerPlanckLaw {
  grid: Grid;
  gridReason: string;
  generator: DiscreteGenerator;
  /** The long-time law (relative entropy and L¹ of the snapshots are measured against it when it is a density). */
  stationary: StationaryResult;
  /** Snapshots of the law at the requested times, with mass per basin of attraction of L on the grid. */
  evolution: FokkerPlanckResult;
  basins: ReturnType<typeof gridBasins>;
  /** Relative entropy decay, when the stationary law is a density. */
  entropy: EntropyReport | null;
}

/** The law of the SDE on a grid at the requested times (Fokker–Planck), from an initial law. */
export function fokkerPlanckLaw(p: Problem, o: FokkerPlanckLawOptions): FokkerPlanckLaw {
  const { grid, reason } = problemGrid(p, o);
  const p0 = initialDistribution(grid, o.init);
  const generator = buildGenerator(p, grid, { order2: o.order2 === true });
  const st = stationary(p, generator, { init: p0 });
  const basins = gridBasins(grid, generator.loss);
  const evolution = fokkerPlanck(generator, p0, o.times, {
    method: o.method,
    dt: o.dt,
    regions: o.regions,
    basins,
    stationary: st.probabilities,
    onProgress: o.onProgress,
  });
  const entropy = st.probabilities
    ? entropyDecay(p, grid, generator.Q, evolution.snapshots, st.probabilities)
    : null;
  return { grid, gridReason: reason, generator, stationary: st, evolution, basins, entropy };
}

export interface StationaryLawOptions extends GridChoice {
  /** Initial law (decides where the mass goes when there are several limits). Default uniform. */
  init?: InitialLaw;
  /** Eigenvalues of −Q to compute near 0 (spectral gap). Default 4; 0 skips. */
  eigs?: number;
}

export interface StationaryLaw {
  grid: Grid;
  gridReason: string;
  generator: DiscreteGenerator;
  stationary: StationaryResult;
  /**
   * Eigenvalues of −Q nearest 0, or null with the reason in `spectralError`. Its gap is the relaxation rate of
   * the law only when `stationary.unique`; otherwise see `classGaps`.
   */
  spectral: SpectralResult | null;
  spectralError: string | null;
  /** Spectral gap within each closed class (same order as `stationary.classes`; null: point mass or not resolved). */
  classGaps: (number | null)[];
}

/** The long-time law of the SDE on a grid: a density or point masses, and the spectral gap (1/SDE time). */
export function stationaryLaw(p: Problem, o: StationaryLawOptions = {}): StationaryLaw {
  const { grid, reason } = problemGrid(p, o);
  const generator = buildGenerator(p, grid);
  const st = stationary(p, generator, { init: initialDistribution(grid, o.init ?? { kind: "uniform" }) });
  let spectral: SpectralResult | null = null;
  let spectralError: string | null = null;
  if ((o.eigs ?? 4) > 0) {
    try {
      spectral = spectralGap(generator, { k: o.eigs ?? 4 });
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      spectralError = e.message;
    }
  }
  const classGaps = st.unique
    ? [spectral?.gap ?? null]
    : st.classes.map((c) =>
        c.kind === "density" && (o.eigs ?? 4) > 0
          ? classSpectrum(generator.Q, c.members, { cut: st.cut }).gap
          : null,
      );
  return { grid, gridReason: reason, generator, stationary: st, spectral, spectralError, classGaps };
}
