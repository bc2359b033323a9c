/**
 * One call that runs the whole landscape side on a problem: minima (with noise), saddles, MEPs,
 * barriers, Eyring–Kramers exit times per minimum, OU covariances, basins on a grid (1-D/2-D),
 * and the long-time verdict. Plain JSON-ready result (typed arrays only in `basins.labels`).
 * Times in SDE time and iterations (t/η), DESIGN.md §1.
 */
import { UserError } from "../errors.js";
import { type BasinGrid, labelGrid } from "./basins.js";
import {
  type CriticalPoint,
  type FindMinimaOptions,
  findMinima,
  type SymmetryClass,
} from "./critical-points.js";
import { exitTimeFromMinimum, type KramersPrediction } from "./kramers.js";
import { type OuCovariance, ouCovariance } from "./ou.js";
import { type Barrier, type FindSaddlesOptions, findSaddles, type SaddlePoint } from "./saddles.js";
import type { LandscapeProblem } from "./util.js";
import { type Verdict, verdictFromLandscape } from "./verdict.js";

export interface LandscapeOptions {
  minima?: FindMinimaOptions;
  saddles?: FindSaddlesOptions;
  /** Grid nodes per axis for basin labelling in 1-D/2-D (0 = skip; default 0). */
  basinGrid?: number;
  /** Skip the saddle search (large d). */
  skipSaddles?: boolean;
  /** PDE facts for the verdict. */
  spectralGap?: number;
  entropyRate?: number;
  horizon?: number;
}

export interface LandscapeReport {
  dim: number;
  eta: number;
  batchScale: number;
  delta: number;
  minima: CriticalPoint[];
  /** Multi-start statistics: starts, failures, hits per minimum, Good–Turing chance of an unseen minimum. */
  search: { starts: number; failed: number; hits: number[]; unseenProbability: number };
  classes: SymmetryClass[];
  saddles: SaddlePoint[];
  /** Symmetry classes of the saddles. */
  saddleClasses: SymmetryClass[];
  barriers: Barrier[];
  /** Lowest barrier out of each minimum (null: none found). */
  lowest: (Barrier | null)[];
  /** Eyring–Kramers exit time out of each minimum (all its saddles, rates added). */
  kramers: (KramersPrediction & { channels: { saddle: number; time: number }[] })[];
  ou: OuCovariance[];
  basins?: BasinGrid;
  verdict: Verdict;
  log: string[];
}

export function analyseLandscape(p: LandscapeProblem, opts: LandscapeOptions = {}): LandscapeReport {
  if ((p.momentum ?? 0) > 0)
    throw new UserError(
      "the landscape asymptotics (Kramers, OU spreads, verdict) model plain SGD; heavy-ball momentum is not implemented there",
      { where: "momentum", hint: "momentum 0, or the particle methods" },
    );
  const log: string[] = [];
  const mr = findMinima(p, opts.minima);
  log.push(
    `${mr.minima.length} minima from ${mr.starts} starts (${mr.failed} failed); chance that one more start finds a new minimum ≈ ${mr.unseenProbability.toPrecision(2)} (Good–Turing)`,
  );
  const sr = opts.skipSaddles || mr.minima.length < 2 ? null : findSaddles(p, mr.minima, opts.saddles);
  if (sr) for (const l of sr.log) log.push(`pair ${l.pair.join("-")}: ${l.status}`);
  const saddles = sr?.saddles ?? [];
  const kramers = mr.minima.map((_, i) => exitTimeFromMinimum(p, mr.minima, i, saddles));
  const ou = mr.minima.map((m) => ouCovariance(p, m.x));
  const basins =
    opts.basinGrid && p.dim <= 2 && p.domain?.every(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
      ? labelGrid(p, mr.minima, { n: opts.basinGrid, saddles })
      : undefined;
  const verdict = verdictFromLandscape(p, mr.minima, {
    exitTimes: kramers.map((k) => k.time),
    spectralGap: opts.spectralGap,
    entropyRate: opts.entropyRate,
    horizon: opts.horizon,
  });
  return {
    dim: p.dim,
    eta: p.lr,
    batchScale: p.batchScale ?? 1,
    delta: p.delta ?? 0,
    minima: mr.minima,
    search: { starts: mr.starts, failed: mr.failed, hits: mr.hits, unseenProbability: mr.unseenProbability },
    classes: mr.classes,
    saddles,
    saddleClasses: sr?.classes ?? [],
    barriers: sr?.barriers ?? [],
    lowest: sr?.lowest ?? mr.minima.map(() => null),
    kramers,
    ou,
    basins,
    verdict,
    log,
  };
}
