/**
 * A problem file's text (YAML or JSON) → plain data, with every syntax error a located UserError. Pure (no file
 * system): the CLI's loader (io/load-problem.ts) and the browser page (web/src/spec.ts) both call it.
 */
import { parseDocument } from "yaml";
import { UserError } from "../errors.js";

/** Most alias expansions (*name) in a YAML problem file: a few lines could otherwise expand to gigabytes. */
export const MAX_YAML_ALIASES = 100;

/** Line and column (1-based) of a character offset. */
function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/**
 * Parses YAML/JSON text into plain data; syntax errors become UserErrors with line and column, `where` = `file`
 * (a path, or a label such as "problem"). A file named *.json must be strict JSON (no trailing commas, comments
 * or single quotes, which YAML would accept silently).
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
