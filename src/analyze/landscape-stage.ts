/**
 * analyze, stage 1 — the landscape: minima (one representative of a connected valley of minima), saddles and
 * their transition paths, symmetry classes, and per minimum the facts later stages need (Hessian extremes, noise
 * at the minimum, Kramers time out of it, OU spreads of the SDE and of discrete SGD).
 */
import { formatNumber as fmt } from "../analysis/format.js";
import {
  type BasinGrid,
  type CriticalPoint,
  exitTimeFromMinimum,
  findMinima,
  findSaddles,
  labelGrid,
  ouCovariance,
  type SaddlePoint,
  type SymmetryClass,
  symmetryClasses,
} from "../landscape/index.js";
import type { Problem } from "../problem/types.js";
import type { AnalyzePolicy } from "./policy.js";

export interface MinimumInfo {
  index: number;
  x: number[];
  value: number;
  /** Hessian eigenvalues (smallest positive, largest) and the number of ≈ 0 ones (flat directions). */
  lambdaMin: number;
  lambdaMax: number;
  flatDirections: number;
  interpolating: boolean;
  noiseTrace: number;
  noiseRank: number;
  /** Size of its equivalence class (same depth, Hessian spectrum and noise at the minimum) and its members. */
  multiplicity: number;
  equivalent: number[];
  global: boolean;
  /** Eyring–Kramers exit time out of this minimum (SDE time), NaN when none. */
  kramers: { time: number; iterations: number; applicable: boolean; why: string; barrier: number };
  /** OU spreads √tr S (parameter units): order-1 SDE and discrete SGD. */
  ou: { sde: number; sgd: number; sgdStable: boolean; collapses: boolean; why: string };
}

/**
 * How the minima and saddles were found, and whether their counts depend on the search's size: with d > 2 the
 * minima come from local descents from random starts, so a count is complete only when the search saturates.
 */
export interface LandscapeSearch {
  /** Local descents from random starts, and those that reached no minimum. */
  starts: number;
  failed: number;
  /** Starts that ended at each minimum found (before a continuum of minima is merged into one representative). */
  hits: number[];
  /** Good–Turing probability that one more start finds an unseen minimum: (minima hit once) / (successful starts). */
  unseenProbability: number;
  /**
   * Every minimum found was reached by at least two starts (Good–Turing: no evidence of unseen minima). When
   * false, the number of minima is a lower bound that grows with the number of starts, and so are the saddles
   * between them and the escapes analysed from them.
   */
  saturated: boolean;
  /** The saddle search ran (false: skipped, --quick with d > 10; the saddle count is then not a count). */
  saddlesSearched: boolean;
  /** The above in words. */
  sentence: string;
}

export interface LandscapeStage {
  minima: CriticalPoint[];
  saddles: SaddlePoint[];
  barriers: { from: number; to: number; saddle: number; height: number }[];
  classes: SymmetryClass[];
  info: MinimumInfo[];
  /** Text when every minimum found lies on one connected set of minima (then `minima` holds one representative). */
  continuum: string | null;
  /** Basin labels on a grid over the domain (d ≤ 2, bounded), for labelling particles and grid nodes. */
  basinGrid: BasinGrid | null;
  search: LandscapeSearch;
  log: string[];
  notes: string[];
}

/** The search record of a multi-start minimum search (see LandscapeSearch). */
export function landscapeSearch(
  mr: { starts: number; failed: number; hits: number[]; unseenProbability: number },
  minimaKept: number,
  saddlesSearched: boolean,
): LandscapeSearch {
  const once = mr.hits.filter((h) => h === 1).length;
  const saturated = once === 0 && mr.starts > mr.failed;
  const found = `${mr.hits.length} minim${mr.hits.length === 1 ? "um" : "a"} from ${mr.starts} local searches${mr.failed ? ` (${mr.failed} failed)` : ""}`;
  const sentence = saturated
    ? `${found}, each reached by at least 2 starts (Good–Turing: no evidence of unseen minima)${minimaKept < mr.hits.length ? `; ${minimaKept} kept` : ""}`
    : `${found}, ${once} of them reached by a single start: the search is not saturated (Good–Turing probability ${fmt(mr.unseenProbability, 2)} that one more start finds a new minimum), so the number of minima is a lower bound that grows with the number of starts, and so are the saddles and escapes built on them`;
  return {
    starts: mr.starts,
    failed: mr.failed,
    hits: mr.hits,
    unseenProbability: mr.unseenProbability,
    saturated,
    saddlesSearched,
    sentence: saddlesSearched ? sentence : `${sentence}; saddle search not run`,
  };
}

export function landscapeStage(p: Problem, pol: AnalyzePolicy, gridOk: boolean): LandscapeStage {
  const d = p.dim;
  const notes: string[] = [];
  const mr = findMinima(p, { seed: pol.seed, starts: pol.landscapeStarts });
  let minima = mr.minima;
  const log = [`${mr.minima.length} minima from ${mr.starts} starts (${mr.failed} failed)`];
  const flatCount = (m: CriticalPoint) => {
    const lmax = Math.max(...m.eigenvalues.map(Math.abs), 1e-300);
    return m.eigenvalues.filter((v) => Math.abs(v) <= 1e-8 * lmax).length;
  };
  // A continuum of minima (flat directions, same value): keep one representative.
  let continuum: string | null = null;
  if (minima.length > 1) {
    const v0 = minima[0].value;
    const tol = 1e-8 * Math.max(1, Math.abs(v0));
    const same = minima.filter((m) => Math.abs(m.value - v0) <= tol && flatCount(m) > 0);
    if (same.length === minima.length) {
      continuum = `the ${minima.length} minima found all have L = ${fmt(v0, 6)} and ${flatCount(minima[0])} flat Hessian direction(s): they are points of one connected set of minima (a ${flatCount(minima[0])}-dimensional valley), shown by one representative`;
      minima = [minima[0]];
      notes.push(continuum);
    }
  }
  const skip = minima.length < 2 || pol.skipSaddles;
  if (minima.length >= 2 && pol.skipSaddles)
    notes.push(
      `saddle search skipped in --quick mode for d = ${d} > 10 (run without --quick for transition paths and Kramers times)`,
    );
  const sr = skip ? null : findSaddles(p, minima, d > 10 ? { neighbours: 2 } : {});
  const search = landscapeSearch(mr, minima.length, !(minima.length >= 2 && pol.skipSaddles));
  if (!search.saturated && minima.length > 1) notes.push(`Landscape: ${search.sentence}`);
  if (sr) for (const l of sr.log) log.push(`pair ${l.pair.join("-")}: ${l.status}`);
  const saddles: SaddlePoint[] = sr?.saddles ?? [];
  const classes = symmetryClasses(minima);
  const vmin = minima[0].value;
  const gtol = 1e-6 * Math.max(1, Math.abs(vmin));
  const info: MinimumInfo[] = minima.map((m, i) => {
    const k = exitTimeFromMinimum(p, minima, i, saddles);
    const ou = ouCovariance(p, m);
    const cls = classes.find((c) => c.members.includes(i));
    const pos = m.eigenvalues.filter((v) => v > 1e-8 * Math.max(...m.eigenvalues.map(Math.abs), 1e-300));
    return {
      index: i,
      x: m.x,
      value: m.value,
      lambdaMin: pos.length ? pos[0] : m.eigenvalues[0],
      lambdaMax: m.eigenvalues[m.eigenvalues.length - 1],
      flatDirections: flatCount(m),
      interpolating: m.noise?.interpolating ?? false,
      noiseTrace: m.noise?.traceSigma ?? Number.NaN,
      noiseRank: m.noise?.rank ?? 0,
      multiplicity: cls?.multiplicity ?? 1,
      equivalent: cls ? [...cls.members] : [i],
      global: m.value <= vmin + gtol,
      kramers: {
        time: k.infinite ? Number.POSITIVE_INFINITY : k.time,
        iterations: k.infinite ? Number.POSITIVE_INFINITY : k.iterations,
        applicable: k.applicable,
        why: k.why,
        barrier: k.barrier,
      },
      ou: {
        sde: Math.sqrt(Math.max(0, ou.sde.trace)),
        sgd: ou.sgd.stable ? Math.sqrt(Math.max(0, ou.sgd.trace)) : Number.POSITIVE_INFINITY,
        sgdStable: ou.sgd.stable,
        collapses: ou.collapses,
        why: ou.why,
      },
    };
  });
  const basinGrid = gridOk ? labelGrid(p, minima, { n: d === 1 ? 801 : 101, saddles }) : null;
  return {
    minima,
    saddles,
    barriers: (sr?.barriers ?? []).map((b) => ({
      from: b.from,
      to: b.to,
      saddle: b.saddle,
      height: b.height,
    })),
    classes,
    info,
    continuum,
    basinGrid,
    search,
    log,
    notes,
  };
}
