/** The report of `sgdscope analyze`: figures (Vega-Lite → SVG/PNG), report.html, summary.json, data files. */
export { buildHtml, esc, type HtmlMeta } from "./html.js";
export { type Figure, reportFigures } from "./plots.js";
export {
  comparisonText,
  convergenceAnswer,
  describeAnalysis,
  driftAnswer,
  escapeAnswer,
  escapeSentence,
} from "./prose.js";
export { renderSvg, svgToPng } from "./render.js";
export { buildSummary, SCHEMA_VERSION, type SummaryMeta, UNITS } from "./summary.js";
export { type WriteReportOptions, type WrittenReport, writeReport } from "./write.js";
