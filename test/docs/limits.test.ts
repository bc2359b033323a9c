/**
 * docs/limits.md lists every size limit: each `MAX_*` constant exported anywhere in src/ has a row there
 * (a new limit without a row fails here).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("docs/limits.md", () => {
  it("lists every exported MAX_* constant of src/", () => {
    const names = new Set<string>();
    for (const f of sources(join(ROOT, "src"))) {
      for (const m of readFileSync(f, "utf8").matchAll(/export const (MAX_[A-Z0-9_]+)/g)) names.add(m[1]);
    }
    expect(names.size).toBeGreaterThan(10);
    const doc = readFileSync(join(ROOT, "docs", "limits.md"), "utf8");
    const missing = [...names].filter((n) => !new RegExp(`\\|\\s*\`${n}\`\\s*\\|`).test(doc));
    expect(missing).toEqual([]);
  });
});
