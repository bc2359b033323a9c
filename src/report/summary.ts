/**
 * summary.json: every number of the report as plain JSON (see docs/summary-schema.md). Infinite values are
 * written as the strings "Infinity"/"-Infinity", unavailable ones (NaN) as null; bulk arrays (densities,
 * particle clouds) are left out and written to data/ as Arrow/CSV.
 */
import type { AnalysisResult } from "../analyze/index.js";
import { VERSION } from "../version.js";
import { estimateSummary } from "./estimates.js";
import { comparisonText, describeAnalysis, escapeSentence } from "./prose.js";

export const SCHEMA_VERSION = 3;

export interface SummaryMeta {
  command: string;
  problemFile: string;
  problemText: string;
  files?: string[];
}

export const UNITS = {
  time: "SDE time t = η × iterations (every *time* field; *iterations* fields are t/η)",
  rate: "1 / SDE time",
  x: "parameter units (the problem's coordinates)",
  loss: "units of the loss L",
  mass: "probability (fraction of the law)",
  entropy: "nats",
  spread: "parameter units: root mean square distance to the minimum, √tr S",
  timings: "milliseconds of wall-clock time",
};

function clean(v: unknown): unknown {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return null;
    if (v === Number.POSITIVE_INFINITY) return "Infinity";
    if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
    return v;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return Array.from(v as unknown as ArrayLike<number>, clean);
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = clean(x);
    return o;
  }
  return v;
}

/** The summary object (JSON-ready). */
export function buildSummary(r: AnalysisResult, meta: SummaryMeta): Record<string, unknown> {
  const { fields: _f, escapes, ...rest } = r;
  return clean({
    schema_version: SCHEMA_VERSION,
    sgdscope_version: VERSION,
    command: meta.command,
    problem_file: meta.problemFile,
    problem_text: meta.problemText,
    units: UNITS,
    ...rest,
    escapes: escapes.map((e) => ({
      ...e,
      sentence: escapeSentence(e, r),
      estimates: e.estimates.map(estimateSummary),
      comparisons: e.comparisons.map((c) => ({ ...c, explanation: comparisonText(c) })),
    })),
    answers: describeAnalysis(r),
    files: meta.files ?? [],
  }) as Record<string, unknown>;
}
