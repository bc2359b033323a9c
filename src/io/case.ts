/**
 * The CLI's JSON is snake_case; the library's objects are camelCase. The conversion happens here, at the edge.
 */

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Deep copy of plain objects and arrays with camelCase keys written in snake_case (typed arrays kept as is). */
export function snakeCaseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeCaseKeys);
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[snake(k)] = snakeCaseKeys(x);
  return out;
}
