/**
 * sgdscope — the library. For a loss, a learning rate η and a batch size B: how SGD moves at first, how long it
 * takes to escape a bad minimum, whether it converges — by real SGD and its SDE (particles), the Fokker–Planck
 * generator on a grid, and landscape theory, side by side. The numerical core is isomorphic (no Node APIs);
 * file I/O, threads and the CLI live at the edges. Times are SDE time t = η × iterations.
 *
 *   problemFromSpec(spec) → Problem
 *   exitTime(problem, {from, to}, {methods})      one engine, one result type per method (src/exit)
 *   simulate(problem, options)                    particle ensembles
 *   landscape(problem)                            minima, saddles, barriers, Kramers, OU, verdict
 *   fokkerPlanck(problem, {init, times})          the law on a grid over time
 *   stationary(problem)                           the long-time law and the spectral gap
 *   analyze(problem)                              the three questions at once (data; words: sgdscope/report)
 *   runCell / analyzeSweep (sgdscope/sweep)       sweeps over η, B, δ: one cell, and the laws fitted to a table
 *
 * Lower-level pieces are under the subpaths sgdscope/problem, /dynamics, /exit, /pde, /landscape, /analysis,
 * /analyze, /sweep (see docs/api.md, docs/sweeps.md).
 */

export {
  type ExitTimeStats,
  exitTimeStats,
  formatWithCi,
  type SnapshotStats,
  snapshotStats,
} from "./analysis/index.js";
export { type AnalysisResult, type AnalyzeOptions, analyze } from "./analyze/index.js";
export {
  DYNAMICS,
  type DynamicsKind,
  type InitialLaw,
  type SimulateOptions,
  type SimulateResult,
  simulate,
} from "./dynamics/index.js";
export { NumericalError, UserError } from "./errors.js";
export {
  defaultSdeStep,
  type EnsembleRunner,
  EXIT_METHOD_SPECS,
  EXIT_METHODS,
  type ExitEstimate,
  type ExitMethodName,
  type ExitQuery,
  type ExitStatus,
  type ExitTimeOptions,
  type ExitTimeResult,
  exitTime,
  inProcessRunner,
  type MonteCarloDetail,
} from "./exit/index.js";
export {
  analyseLandscape as landscape,
  type LandscapeOptions,
  type LandscapeReport,
} from "./landscape/index.js";
export {
  type FokkerPlanckLaw,
  type FokkerPlanckLawOptions,
  fokkerPlanckLaw as fokkerPlanck,
  type InitialLaw as GridInitialLaw,
  type StationaryLaw,
  type StationaryLawOptions,
  stationaryLaw as stationary,
} from "./pde/index.js";
export {
  compileRegion,
  diffusionMatrix,
  type Problem,
  type ProblemSpec,
  problemFromSpec,
  validateProblemSpec,
} from "./problem/index.js";
export { Interrupted, installStopCheck, withStopCheck } from "./stop.js";
export { VERSION } from "./version.js";
