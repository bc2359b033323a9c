/**
 * Landscape theory (issue 4): critical points, saddles and minimum energy paths, basins,
 * Eyring–Kramers, rigorous 1-D exit-time bounds, OU covariances, the drift regime and the
 * long-time verdict. Isomorphic: no I/O. Conventions: DESIGN.md §1 (A = ηΣ_B + 2δI, SDE time t = kη).
 */
export { analyseLandscape, type LandscapeOptions, type LandscapeReport } from "./analyse.js";
export {
  type BasinGrid,
  type BasinOptions,
  basinLabelAt,
  basinOf,
  labelGrid,
  labelSamples,
  type SampleLabels,
} from "./basins.js";
export { type BoundsOptions, type ExitTimeBounds, exitTimeBounds } from "./bounds.js";
export {
  type CriticalPoint,
  descend,
  describePoint,
  type FindMinimaOptions,
  findMinima,
  type MinimaResult,
  newtonPolish,
  type SymmetryClass,
  symmetryClasses,
} from "./critical-points.js";
export {
  type BasinDrift,
  basinCovariance,
  type DriftRegime,
  type DriftRegimeOptions,
  driftRegime,
  massByBasin,
} from "./drift-regime.js";
export { captureRadii, type FlowOptions, type FlowResult, type FlowTargets, gradientFlow } from "./flow.js";
export {
  exitTimeFromMinimum,
  eyringKramers,
  type KramersOptions,
  type KramersPrediction,
} from "./kramers.js";
export { type OuCovariance, type OuSolution, ouCovariance } from "./ou.js";
export {
  type Barrier,
  type FindSaddlesOptions,
  findSaddles,
  type MinimumEnergyPath,
  type NebOptions,
  type NebResult,
  nudgedElasticBand,
  type SaddlePoint,
  type SaddleResult,
  traceSaddle,
} from "./saddles.js";
export { diffusionAt, type LandscapeProblem, type PointNoise } from "./util.js";
export {
  longTimeVerdict,
  type MinimumFacts,
  type Verdict,
  type VerdictInput,
  verdictFromLandscape,
} from "./verdict.js";
