/**
 * The one number syntax of every user-typed number outside a problem file's YAML/JSON (flags, --init specs,
 * CSV cells): plain decimal, optionally with an exponent ("2", "-1.5", ".5", "1e3"). `Number()` alone would
 * also read "0x10" as 16, "0b11" as 3, "" and " " as 0, and "Infinity".
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of a strict decimal (surrounding blanks ignored), NaN for anything else. */
export function parseDecimal(s: string | number): number {
  const t = String(s).trim();
  return DECIMAL.test(t) ? Number(t) : Number.NaN;
}
