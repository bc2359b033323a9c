/**
 * Result files, written atomically (temporary file + rename): a reader never sees half a file. A whole
 * result folder is swapped in at once by result-set.ts.
 */
import { existsSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { UserError } from "../errors.js";

/**
 * mkdir -p, one level at a time: Node 20's `mkdirSync(p, { recursive: true })` never returns when
 * the parent refuses new entries with ENOENT (e.g. /proc/x).
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let cur = resolve(dir);
  while (!existsSync(cur)) {
    missing.push(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  if (existsSync(cur) && !statSync(cur).isDirectory()) {
    throw Object.assign(new Error(`${cur} is a file, not a folder`), { code: "ENOTDIR" });
  }
  for (const m of missing.reverse()) mkdirSync(m);
}

/** A file-system error in words. */
export function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const text: Record<string, string> = {
    ENOENT: "the folder cannot be created there",
    ENOTDIR: "a file stands where a folder is needed",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EISDIR: "a folder stands where a file is needed",
  };
  return (code && text[code]) ?? (e as Error).message;
}

/**
 * Checks that `dir` can be created and written (sweep and merge, whose folders accumulate shard files written
 * atomically one by one; the other commands replace their whole folder with `openResultSet`, result-set.ts).
 */
export function checkOutDir(dir: string, flag = "--out"): void {
  if (dir.trim() === "")
    throw new UserError("is empty", { where: flag, hint: "a folder name, e.g. out/sweep1" });
  try {
    ensureDir(dir);
    const probe = join(dir, `.sgdscope-probe-${process.pid}`);
    writeFileSync(probe, "");
    unlinkSync(probe);
  } catch (e) {
    throw new UserError(`cannot write into ${JSON.stringify(dir)}: ${why(e)}`, {
      where: flag,
      hint: "a folder you can write to",
    });
  }
}

/** Writes `data` to `path` atomically, creating folders as needed; a failure is a UserError naming the path. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  try {
    ensureDir(dirname(path));
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    throw new UserError(`cannot write ${path}: ${why(e)}`);
  }
}

/**
 * JSON with typed arrays as arrays and non-finite numbers as null (JSON has no Infinity/NaN; each
 * document says what null means where it can occur).
 */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === "number") return Number.isFinite(v) ? v : null;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
      }
      return v;
    },
    indent,
  );
}

export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${toJson(value)}\n`);
}

function csvCell(v: unknown): string {
  if (typeof v === "number")
    return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";
  const s = String(v ?? "");
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header row; numbers printed with full precision (Inf/NaN spelled out). */
export function writeCsv(
  path: string,
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
): void {
  const lines = [header.map(csvCell).join(",")];
  for (const r of rows) lines.push(r.map(csvCell).join(","));
  writeFileAtomic(path, `${lines.join("\n")}\n`);
}

/** An Apache Arrow IPC file (the "file" format, .arrow) of equal-length numeric columns. */
export function writeArrow(path: string, columns: Record<string, Float64Array | Int32Array>): void {
  const table = tableFromArrays(columns);
  writeFileAtomic(path, tableToIPC(table, "file"));
}
