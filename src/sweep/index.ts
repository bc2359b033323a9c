/**
 * Sweeps over η, B and δ (issue 13): the plan and its cells, one cell as a pure function of (spec, plan, cell),
 * and the laws fitted to the table. Isomorphic: no files, threads or queues here (see io/, parallel/, cli/).
 */
export {
  analyzeSweep,
  type LawResult,
  type RatioPoint,
  type SweepAnalysis,
  type SweepContext,
  sweepContext,
} from "./analysis.js";
export {
  type CellHooks,
  type CellResult,
  cellProblem,
  failedCell,
  isotropicEpsilon,
  runCell,
  type SweepRow,
} from "./cell.js";
export { fitLaw, fitLinear, type LawFit, type LinearFit } from "./fits.js";
export { type ListRules, parseSweepList } from "./lists.js";
export { checkPlan, parseShard, type SweepCell, type SweepPlan, shardCells, sweepCells } from "./plan.js";
