/**
 * Reading user files with bounds: only regular files (a device such as /dev/zero or a pipe would be read
 * for ever), at most a stated number of bytes, every failure a UserError naming the file and the limit.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { parseDecimal } from "../problem/decimal.js";

/** Largest problem file (YAML/JSON): 16 MB. */
export const MAX_PROBLEM_BYTES = 16 * 2 ** 20;
/** Largest data file a problem or a flag names (CSV data, --init samples): 512 MB. */
export const MAX_DATA_BYTES = 512 * 2 ** 20;

/**
 * The text of the regular file `path` (absolute, or relative to the working folder) if it has at most
 * `maxBytes` bytes; `where` names the key or flag for the error, `what` the file in it (default: its path).
 */
export function readTextFile(
  path: string,
  maxBytes: number,
  where: string,
  hint?: string,
  what?: string,
): string {
  const full = resolve(path);
  const shown = what ?? (full === path ? path : `${path} (${full})`);
  let size: number;
  try {
    const st = statSync(full);
    if (st.isDirectory()) throw Object.assign(new Error(), { code: "EISDIR" });
    if (!st.isFile()) {
      throw new UserError(
        `${shown} is not a regular file (a device, pipe or socket cannot be read to its end)`,
        {
          where,
          hint: hint ?? "a file on disk",
        },
      );
    }
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a folder"
          : code === "EACCES"
            ? "permission denied"
            : (code ?? String(e));
    throw new UserError(`cannot read ${shown}: ${why}`, { where, hint });
  }
  if (size > maxBytes) {
    throw new UserError(
      `${shown} has ${size} bytes, more than the ${maxBytes} (${maxBytes / 2 ** 20} MB) read`,
      {
        where,
        hint: hint ?? `a file of at most ${maxBytes / 2 ** 20} MB`,
      },
    );
  }
  try {
    return readFileSync(full, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${shown}: ${code ?? String(e)}`, { where, hint });
  }
}

/**
 * Points from a CSV file (`--init samples:FILE`), one row of `d` strict decimal numbers each, an optional
 * header row first. The file is relative to the working folder, like every file named on the command line.
 */
export function readSamplesCsv(
  file: string,
  d: number,
  flag = "--init",
): { samples: Float64Array; count: number } {
  const where = `${flag} ${file}`;
  const hint = `one row of ${d} comma-separated decimal numbers per point (an optional header first)`;
  const text = readTextFile(file, MAX_DATA_BYTES, where, hint);
  const rows = text.split(/\r?\n/);
  const vals: number[] = [];
  let first = true;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].trim() === "") continue;
    const cells = rows[i].split(",");
    const v = cells.map(parseDecimal);
    if (first && v.some(Number.isNaN)) {
      first = false; // a header row
      continue;
    }
    first = false;
    if (cells.length !== d || v.some((x) => !Number.isFinite(x))) {
      const bad = v.findIndex((x) => !Number.isFinite(x));
      throw new UserError(
        cells.length !== d
          ? `line ${i + 1} holds ${cells.length} cell(s), not ${d}`
          : `line ${i + 1}, column ${bad + 1}: ${JSON.stringify(cells[bad].trim())} is not a decimal number`,
        { where, hint },
      );
    }
    for (const x of v) vals.push(x);
  }
  if (vals.length === 0) throw new UserError("holds no data rows", { where, hint });
  return { samples: Float64Array.from(vals), count: vals.length / d };
}
