/**
 * The closed-form reference values of ../shared/reference (beside the repository, as in CI).
 * SGDSCOPE_REFERENCE may point elsewhere.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function referenceDir(): string {
  const candidates = [process.env.SGDSCOPE_REFERENCE, join(repo, "..", "shared", "reference")].filter(
    Boolean,
  ) as string[];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`shared/reference not found (looked in ${candidates.join(", ")}); set SGDSCOPE_REFERENCE`);
}

// biome-ignore lint/suspicious/noExplicitAny: JSON reference tables
export function loadReference(name: string): any {
  return JSON.parse(readFileSync(join(referenceDir(), name), "utf8"));
}
