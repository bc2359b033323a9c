/**
 * `analyze`: the three questions for one problem, in stages (each exported with typed input and output). Isomorphic.
 */
export {
  type AnalysisFields,
  type AnalysisResult,
  type AnalyzeOptions,
  analyze,
  type MinimumInfo,
} from "./analyze.js";
export { type ConvergenceStage, convergenceStage } from "./convergence-stage.js";
export {
  analyseEscape,
  type Comparison,
  type ComparisonCause,
  type ComparisonRelation,
  type ComparisonResolution,
  compareEstimates,
  type EscapeOptions,
  type EscapeResult,
  type EscapeSetup,
} from "./escape.js";
export { escapeSetups, escapeStage } from "./escape-stage.js";
export { type FirstStage, firstStage, type SpreadAtMinimum } from "./first-stage.js";
export { type GridStage, gridStage } from "./grid-stage.js";
export {
  type LandscapeSearch,
  type LandscapeStage,
  landscapeSearch,
  landscapeStage,
} from "./landscape-stage.js";
export { type AnalyzePolicy, analyzePolicy, longHorizon, type TimeScale } from "./policy.js";
