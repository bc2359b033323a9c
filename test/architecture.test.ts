/**
 * The import rule of ARCHITECTURE.md, checked on every source file: a folder imports only from folders in a
 * lower layer (or itself); the numerical core imports nothing from Node, the CLI, files, threads or the report.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(__dirname, "..", "src");

/** Layer of each top-level folder (or file) of src/; a lower number is lower in the house. */
const LAYER: Record<string, number> = {
  errors: 0,
  version: 0,
  stop: 0,
  random: 0,
  linalg: 1,
  analysis: 1,
  problem: 2,
  dynamics: 3,
  pde: 3,
  landscape: 3,
  exit: 4,
  analyze: 5,
  sweep: 5,
  // edges (Node): files, threads, the report, the CLI, the package entry
  io: 6,
  parallel: 7,
  report: 7,
  cli: 8,
  index: 9,
};
const CORE = new Set([
  "errors",
  "version",
  "stop",
  "random",
  "linalg",
  "analysis",
  "problem",
  "dynamics",
  "pde",
  "landscape",
  "exit",
  "analyze",
  "sweep",
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}
/** Module specifiers of the file's import/export-from statements and dynamic imports. */
function imports(text: string): string[] {
  const st = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]);
  const dyn = [...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]);
  return [...st, ...dyn];
}
const unit = (file: string) =>
  relative(src, file)
    .split(/[/\\]/)[0]
    .replace(/\.(ts|js)$/, "");

describe("architecture (ARCHITECTURE.md)", () => {
  const all = files(src);
  it("knows every folder of src/", () => {
    for (const f of all) expect(Object.hasOwn(LAYER, unit(f)), f).toBe(true);
  });

  it("no import runs back up, and the core imports nothing from Node or the edges", () => {
    const bad: string[] = [];
    for (const f of all) {
      const from = unit(f);
      for (const spec of imports(readFileSync(f, "utf8"))) {
        if (spec.startsWith("node:")) {
          if (CORE.has(from)) bad.push(`${relative(src, f)}: core imports ${spec}`);
          continue;
        }
        if (!spec.startsWith(".")) continue; // packages: checked by the core's own package list below
        const to = unit(normalize(join(dirname(f), spec)));
        if (to !== from && LAYER[to] >= LAYER[from])
          bad.push(`${relative(src, f)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("the core uses no package that needs Node (only zod, yaml for the problem files)", () => {
    const allowed = new Set(["zod", "yaml"]);
    const bad: string[] = [];
    for (const f of all) {
      if (!CORE.has(unit(f))) continue;
      for (const spec of imports(readFileSync(f, "utf8")))
        if (!spec.startsWith(".") && !spec.startsWith("node:") && !allowed.has(spec.split("/")[0]))
          bad.push(`${relative(src, f)}: ${spec}`);
    }
    expect(bad).toEqual([]);
  });

  it("the core's errors name parameters, not CLI flags (the CLI maps them)", () => {
    const bad: string[] = [];
    for (const f of all) {
      if (!CORE.has(unit(f))) continue;
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/where:\s*["'`]--[a-z]/g)) bad.push(`${relative(src, f)}: ${m[0]}`);
    }
    expect(bad).toEqual([]);
  });
});
