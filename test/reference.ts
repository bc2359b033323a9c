/**
 * Closed-form reference values, kept in the repository (test/fixtures/reference/, each file states its
 * formula; compute.py there re-derives every number with NumPy/SciPy). Tests read nothing outside the
 * repository.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const referenceDir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "reference");

// biome-ignore lint/suspicious/noExplicitAny: JSON reference tables
export function loadReference(name: string): any {
  return JSON.parse(readFileSync(join(referenceDir, name), "utf8"));
}
