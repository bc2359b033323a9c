/**
 * Reading a problem file (YAML or JSON) from disk: the file-system edge of problemFromSpec.
 */
import { dirname, resolve } from "node:path";
import { problemFromSpec } from "../problem/index.js";
import { parseProblemText } from "../problem/parse-text.js";
import type { Problem } from "../problem/types.js";
import { MAX_DATA_BYTES, MAX_PROBLEM_BYTES, readTextFile } from "./read.js";

/** The pure text parser lives in the core (the browser page uses it too); re-exported for io/ callers. */
export { MAX_YAML_ALIASES, parseProblemText } from "../problem/parse-text.js";

export interface LoadedProblem {
  problem: Problem;
  /** The parsed file (plain JSON). */
  spec: unknown;
  /** Absolute path of the file. */
  path: string;
  /** The file's text, verbatim (for reports). */
  text: string;
}

/** Reads a text file named in a problem (CSV data), relative to the problem's folder, bounded. */
export function fileReader(baseDir: string): (p: string) => string {
  return (p: string) => readTextFile(resolve(baseDir, p), MAX_DATA_BYTES, p);
}

/** Loads and validates a problem file. Every failure is a UserError naming the file. */
export function loadProblem(path: string): LoadedProblem {
  const full = resolve(path);
  const text = readTextFile(
    full,
    MAX_PROBLEM_BYTES,
    path,
    "a YAML or JSON problem file, e.g. examples/double-well.yaml",
    "the problem file",
  );
  const spec = parseProblemText(text, path);
  const problem = problemFromSpec(spec, { readText: fileReader(dirname(full)), file: path });
  return { problem, spec, path: full, text };
}
