/**
 * Reading a problem file (YAML or JSON) from disk: the file-system edge of problemFromSpec.
 */
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { UserError } from "../errors.js";
import { problemFromSpec } from "../problem/index.js";
import type { Problem } from "../problem/types.js";
import { MAX_DATA_BYTES, MAX_PROBLEM_BYTES, readTextFile } from "./read.js";

/** Most alias expansions (*name) in a YAML problem file: a few lines could otherwise expand to gigabytes. */
export const MAX_YAML_ALIASES = 100;

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

/** Line and column (1-based) of a character offset. */
function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/**
 * Parses YAML/JSON text into plain data; syntax errors become UserErrors with line and column. A file
 * named *.json must be strict JSON (no trailing commas, comments or single quotes, which YAML would
 * accept silently).
 */
export function parseProblemText(text: string, file: string): unknown {
  if (/\.json$/i.test(file)) {
    try {
      JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (e) {
      const msg = (e as Error).message;
      const m = / at position (\d+)/.exec(msg);
      const at = m ? lineCol(text, Number(m[1])) : undefined;
      throw new UserError(
        `is not valid JSON${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${msg.replace(/ in JSON at position \d+.*$| at position \d+.*$/, "")}`,
        { where: file, hint: "strict JSON (no trailing commas or comments), or write the problem as .yaml" },
      );
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : "";
    throw new UserError(`is not valid YAML/JSON${at}: ${e.message.split("\n")[0]}`, { where: file });
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    throw new UserError(`cannot be expanded: ${(e as Error).message}`, {
      where: file,
      hint: "a problem file without heavily nested YAML aliases (*name)",
    });
  }
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
