/**
 * sgdscope's PDE engine: one discrete generator Q (a Markov chain on a grid) and everything computed from it —
 * Fokker–Planck evolution, exit times, committors, stationary laws, spectral gap, entropy decay — plus the exact
 * 1-D exit-time quadrature. Isomorphic: no I/O. Times are SDE time (iterations = t/η).
 */

export { type Absorption, absorption } from "./absorption.js";
export { type Basins, gridBasins } from "./basins.js";
export { solveBirthDeath } from "./birth-death.js";
export {
  type ClassStructure,
  communicatingClasses,
  generatorNorm,
  restrictToClass,
} from "./classes.js";
export {
  type EntropyReport,
  entropyDecay,
  entropyProduction,
  isotropicEps,
  minHessianEig,
} from "./entropy.js";
export {
  exactExitTimeEstimate,
  type PdeExitEstimate,
  pdeExitTimeAt,
  pdeExitTimeEstimate,
} from "./estimates.js";
export type { Exact1dResult } from "./exact-1d.js";
export { type CommittorResult, committor, type ExitTimeResult, exitTime } from "./exit-time.js";
export {
  type FokkerPlanckOptions,
  type FokkerPlanckResult,
  fokkerPlanck,
  type InitialLaw,
  initialDistribution,
  type NamedRegion,
  relativeEntropy,
  type Snapshot,
} from "./fokker-planck.js";
export {
  buildGenerator,
  checkGenerator,
  type DiscreteGenerator,
  type GeneratorOptions,
  sgRate,
} from "./generator.js";
export {
  absorbingMask,
  autoGridShape,
  axisCoords,
  type Grid,
  interpolate,
  makeGrid,
  nearestNode,
  nodeCoords,
  type RegionFn,
} from "./grid.js";
export {
  type FokkerPlanckLaw,
  type FokkerPlanckLawOptions,
  fokkerPlanckLaw,
  type GridChoice,
  problemGrid,
  type StationaryLaw,
  type StationaryLawOptions,
  stationaryLaw,
} from "./law.js";
export { canReach, infiniteExitNodes, type SlowExit, slowExitNodes } from "./reach.js";
export { type RichardsonEstimate, richardson } from "./richardson.js";
export { selling } from "./selling.js";
export {
  basinQuasiStationary,
  type ClassSpectrum,
  classSpectrum,
  generatorSpectrum,
  type QuasiStationaryResult,
  quasiStationary,
  type SpectralResult,
  spectralGap,
  transientDecayRate,
  ZERO_EIGENVALUE,
} from "./spectral.js";
export {
  findTraps,
  type PointMass,
  type StationaryClass,
  type StationaryResult,
  stationary,
  WEAK_RATE,
} from "./stationary.js";
export {
  diffusionStencil,
  minEigenvalue,
  type StencilPolicy,
  type StencilWork,
  stencilPolicy,
  stencilWork,
} from "./stencil.js";
