/**
 * analyze, grid set-up (d ≤ 2, bounded domain): the grid for the long-time questions, the one generator Q on it,
 * and its spectrum near 0 (the spectral gap, and how many closed classes the zero eigenvalues say there are).
 */
import {
  autoGridShape,
  buildGenerator,
  type DiscreteGenerator,
  type Grid,
  makeGrid,
  type SpectralResult,
  spectralGap,
} from "../pde/index.js";
import type { Problem } from "../problem/types.js";
import type { AnalyzePolicy } from "./policy.js";

export interface GridStage {
  grid: Grid;
  info: { shape: number[]; reason: string };
  generator: DiscreteGenerator | null;
  spectral: SpectralResult | null;
  /** The gap describes the relaxation of the whole law: one zero eigenvalue (one closed class), converged. */
  gapIsRelaxationRate: boolean;
  notes: string[];
}

export function gridStage(p: Problem, pol: AnalyzePolicy, gridPoints: number | undefined): GridStage {
  const notes: string[] = [];
  const auto = autoGridShape(p);
  const cap = pol.gridCap;
  const shape = gridPoints ? auto.shape.map(() => gridPoints) : auto.shape.map((n) => Math.min(n, cap));
  const info = {
    shape,
    reason: gridPoints
      ? `--grid ${gridPoints}`
      : `${auto.reason}${shape.some((n, k) => n < auto.shape[k]) ? `; capped at ${cap} per axis (${pol.quick ? "--quick" : "time"})` : ""}`,
  };
  const grid = makeGrid(p.domain, shape);
  let generator: DiscreteGenerator | null = null;
  let spectral: SpectralResult | null = null;
  try {
    generator = buildGenerator(p, grid);
    try {
      spectral = spectralGap(generator, { k: 4 });
    } catch (e) {
      notes.push(`spectral gap not computed: ${(e as Error).message}`);
    }
  } catch (e) {
    notes.push(`the generator could not be built: ${(e as Error).message}`);
  }
  const gapIsRelaxationRate = spectral !== null && spectral.converged && spectral.zeroEigenvalues === 1;
  if (spectral && spectral.zeroEigenvalues > 1)
    notes.push(
      `the generator has ${spectral.zeroEigenvalues} zero eigenvalues: several closed classes (separate long-time laws), so its smallest non-zero eigenvalue is not the relaxation rate of the whole law`,
    );
  return { grid, info, generator, spectral, gapIsRelaxationRate, notes };
}
