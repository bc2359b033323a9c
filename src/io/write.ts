/**
 * Result files, written atomically (temporary file + rename): a reader never sees half a file and an
 * interrupted run leaves every file it had finished intact.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";

/** Writes `data` to `path` atomically, creating folders as needed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
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
