/**
 * `analyze`: the orchestration behind `sgdscope analyze` (issue 5). Isomorphic: no I/O.
 */
export {
  type AnalysisFields,
  type AnalysisResult,
  type AnalyzeOptions,
  analyze,
  type MinimumInfo,
} from "./analyze.js";
export {
  analyseEscape,
  type Comparison,
  type EscapeOptions,
  type EscapeResult,
  type EscapeSetup,
} from "./escape.js";
