/**
 * The landscape facts some exit-time methods need (kramers, path-1d): minima, saddles and which minimum the
 * start flows to. Computed once per query (or handed in by `analyze`, which already has them).
 */
import {
  basinOf,
  type CriticalPoint,
  findMinima,
  findSaddles,
  type SaddlePoint,
} from "../landscape/index.js";
import type { Problem } from "../problem/types.js";

export interface LandscapeContext {
  minima: CriticalPoint[];
  saddles: SaddlePoint[];
}

/** Minima (multi-start, seed 1) and the saddles between them. */
export function landscapeContext(p: Problem): LandscapeContext {
  const minima = findMinima(p, { seed: 1 }).minima;
  const saddles = minima.length > 1 ? findSaddles(p, minima).saddles : [];
  return { minima, saddles };
}

/** Index of the minimum the gradient flow from `from` reaches (−1: none known). */
export function startMinimum(p: Problem, ctx: LandscapeContext, from: readonly number[]): number {
  return basinOf(p, from, ctx.minima, { saddles: ctx.saddles });
}
