/**
 * analyze, grid set-up (d ≤ 2, bounded domain): the grid for the long-time questions, the one generator Q on it,
 * its closed classes and stationary law(s) from the uniform initial law (pde/stationary.ts), and its spectrum
 * near 0: the whole generator's gap only when there is one closed class, else the gap within each class that
 * receives mass.
 */
import {
  autoGridShape,
  buildGenerator,
  classSpectrum,
  type DiscreteGenerator,
  type Grid,
  initialDistribution,
  makeGrid,
  type SpectralResult,
  type StationaryResult,
  spectralGap,
  stationary,
} from "../pde/index.js";
import type { Problem } from "../problem/types.js";
import type { AnalyzePolicy } from "./policy.js";

export interface GridStage {
  grid: Grid;
  info: { shape: number[]; reason: string };
  generator: DiscreteGenerator | null;
  spectral: SpectralResult | null;
  /** Closed classes and the long-time law from the uniform initial law. */
  stationary: StationaryResult | null;
  /** Spectral gap within each closed class (same order as stationary.classes; null: not resolved or not computed). */
  classGaps: (number | null)[];
  /** The gap describes the relaxation of the whole law: one closed class, converged. */
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
  let st: StationaryResult | null = null;
  const classGaps: (number | null)[] = [];
  if (generator) {
    try {
      st = stationary(p, generator, {
        init: initialDistribution(grid, { kind: "uniform" }),
        // the same eigenvalues of the same matrix: not computed twice
        wholeSpectrum: spectral?.converged ? spectral : undefined,
      });
      if (!st.unique) {
        // several long-time laws: the rate that matters is the gap within each class that receives mass
        for (const [k, c] of st.classes.entries()) {
          if (c.kind === "density" && c.mass >= 1e-3 && k < 4) {
            try {
              classGaps.push(classSpectrum(generator.Q, c.members, { cut: st.cut }).gap);
            } catch (e) {
              notes.push(`gap within class ${k} not computed: ${(e as Error).message}`);
              classGaps.push(null);
            }
          } else classGaps.push(null);
        }
        notes.push(
          `the generator has ${st.classes.length} closed classes (separate long-time laws): its smallest non-zero eigenvalue is not the relaxation rate of the whole law`,
        );
      }
    } catch (e) {
      notes.push(`stationary law failed: ${(e as Error).message}`);
    }
  }
  const gapIsRelaxationRate = spectral?.converged === true && st?.unique === true;
  return { grid, info, generator, spectral, stationary: st, classGaps, gapIsRelaxationRate, notes };
}
