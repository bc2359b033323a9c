/**
 * Numbers and points as sgdscope writes them in words (reports, explanations, CLI tables): `digits` significant
 * digits; powers of ten beyond 1e5 or below 1e-3 (1.3e-11, 2.5e15); words for ∞ and for what is not known; and
 * in a point, coordinates below 1e-9 of the point's own scale written as 0 (a minimum at (1.3e-18, 1.41) is at
 * (0, 1.41) to the accuracy it was found with).
 */

export function formatNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return "—";
  if (Number.isNaN(v)) return "unknown";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(digits - 1).replace("e+", "e");
  return Number(v.toPrecision(digits)).toString();
}

/** "(x₁, …, x_d)"; for d > 4 the first three coordinates and d. */
export function formatPoint(x: readonly number[], digits = 4): string {
  let scale = 1;
  for (const v of x) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const c = (v: number) => formatNumber(Math.abs(v) < 1e-9 * scale ? 0 : v, digits);
  return x.length <= 4
    ? `(${x.map(c).join(", ")})`
    : `(${x.slice(0, 3).map(c).join(", ")}, … ; d = ${x.length})`;
}

/**
 * JavaScript's own words for values that are not numbers — `NaN`, `Infinity`, `undefined`, `[object Object]` —
 * as they appear when a non-finite or missing value is interpolated into text unformatted.
 */
export const RAW_VALUE_WORDS = /(?<![\w.])(?:-?Infinity|NaN|undefined|\[object \w+\])(?![\w])/g;

/**
 * The last guard of human-readable text (CLI output, report prose): any raw `NaN`, `±Infinity`, `undefined` or
 * `[object …]` left in `text` is written as a word a reader understands ("∞", "not a number",
 * "not available"). Every formatter already writes these words itself (formatNumber); this guard catches a
 * number interpolated without one, and `findRawValueWords` lets tests find such places.
 */
export function readableText(text: string): string {
  return text.replace(RAW_VALUE_WORDS, (w) =>
    w === "Infinity" ? "∞" : w === "-Infinity" ? "−∞" : w === "NaN" ? "not a number" : "not available",
  );
}

/** The raw value words in `text` with a little context each (empty when the text is clean). */
export function findRawValueWords(text: string): string[] {
  return [...text.matchAll(RAW_VALUE_WORDS)].map((m) =>
    text.slice(Math.max(0, (m.index ?? 0) - 60), (m.index ?? 0) + m[0].length + 20),
  );
}
