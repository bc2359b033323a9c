/**
 * Parameter lists of a sweep: "a,b,c" (the values as written) or "a:b:n" (n values log-spaced from a to b,
 * both included; interior values rounded to 12 significant digits, so 0.05:0.4:4 gives 0.1 and 0.2 rather than
 * 0.19999999999999998). Bad lists are refused with the flag named and what would be valid.
 */
import { UserError } from "../errors.js";

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function num(t: string, flag: string, text: string): number {
  const s = t.trim();
  if (!DECIMAL.test(s))
    throw new UserError(`"${s}" in "${text}" is not a number`, {
      where: flag,
      hint: "a,b,c or a:b:n (n log-spaced values from a to b)",
    });
  return Number(s);
}

export interface ListRules {
  /** Values must be whole numbers (batch sizes); log-spaced values are rounded. */
  integer?: boolean;
  /** Smallest allowed value (inclusive) and whether it may equal 0 (δ). */
  min: number;
  /** Refuse 0 even when min is 0. */
  positive?: boolean;
}

/** Parses a sweep list; values keep the order written (a:b:n runs from a to b). */
export function parseSweepList(text: string, flag: string, rules: ListRules): number[] {
  const hint = "a,b,c or a:b:n (n log-spaced values from a to b, n ≥ 2)";
  let values: number[];
  if (text.includes(":")) {
    const parts = text.split(":");
    if (parts.length !== 3) throw new UserError(`"${text}" is not a list`, { where: flag, hint });
    const a = num(parts[0], flag, text);
    const b = num(parts[1], flag, text);
    const n = num(parts[2], flag, text);
    if (!Number.isInteger(n) || n < 2 || n > 1000)
      throw new UserError(`the count ${parts[2].trim()} in "${text}" must be a whole number in 2..1000`, {
        where: flag,
        hint,
      });
    if (!(a > 0 && b > 0))
      throw new UserError(`log-spaced ends must be positive, got "${text}"`, {
        where: flag,
        hint: "a,b,c for lists that contain 0",
      });
    values = Array.from({ length: n }, (_, k) =>
      k === 0 ? a : k === n - 1 ? b : Number((a * (b / a) ** (k / (n - 1))).toPrecision(12)),
    );
    if (rules.integer) values = values.map((v) => Math.round(v));
  } else {
    const parts = text.split(",");
    if (parts.some((p) => p.trim() === ""))
      throw new UserError(`"${text}" has an empty entry`, { where: flag, hint });
    values = parts.map((p) => num(p, flag, text));
  }
  for (const v of values) {
    if (!Number.isFinite(v) || v < rules.min || (rules.positive && v === 0))
      throw new UserError(`${v} is out of range`, {
        where: flag,
        hint: rules.positive ? `values > ${rules.min}` : `values ≥ ${rules.min}`,
      });
    if (rules.integer && !Number.isInteger(v))
      throw new UserError(`${v} is not a whole number`, { where: flag, hint: "whole numbers ≥ 1" });
  }
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice !== undefined)
    throw new UserError(
      `${twice} appears twice in "${text}"${text.includes(":") && rules.integer ? " (after rounding to whole numbers)" : ""}`,
      { where: flag, hint: "distinct values" },
    );
  return values;
}
