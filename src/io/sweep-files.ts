/**
 * Sweep files: the table (sweep.csv, sweep.arrow), the wall times (timings.csv), and shard files
 * (shard-i-of-N.json) that `merge` reduces into the same bytes as an unsharded run. Every file is written
 * atomically; a shard file exists only once its shard is complete.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeVector, Table, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import { UserError } from "../errors.js";
import type { CellResult, SweepContext, SweepPlan, SweepRow } from "../sweep/index.js";
import { writeCsv, writeFileAtomic } from "./write.js";

/** Columns of the sweep table, in order: [name in files, row field, kind]. */
export const SWEEP_COLUMNS: readonly [string, keyof SweepRow, "f64" | "i32" | "str"][] = [
  ["cell", "cell", "i32"],
  ["lr", "lr", "f64"],
  ["batch", "batch", "i32"],
  ["delta", "delta", "f64"],
  ["seed", "seed", "f64"],
  ["method", "method", "str"],
  ["status", "status", "str"],
  ["mean_exit_time", "time", "f64"],
  ["low", "low", "f64"],
  ["high", "high", "f64"],
  ["interval_kind", "intervalKind", "str"],
  ["n", "n", "f64"],
  ["exited", "exited", "f64"],
  ["censored", "censored", "f64"],
  ["diverged", "diverged", "f64"],
  ["horizon", "horizon", "f64"],
  ["epsilon", "epsilon", "f64"],
  ["reason", "reason", "str"],
];

/** What each column means (docs/sweeps.md repeats this). */
export const SWEEP_COLUMN_DOC =
  "one row per cell and method; mean_exit_time in SDE time (t = η × iterations), a lower bound when status is " +
  "lower-bound; [low, high] its interval (interval_kind: ci95 = 95% Monte Carlo interval, error-estimate = " +
  "value ± discretisation error, bracket, discrete-lower-bound = [bound, ∞) certified for the grid's chain, " +
  "asymptotic-band); n particles, exited, censored (still outside at " +
  "the horizon), diverged, horizon (SDE time) for Monte Carlo rows; epsilon with A = 2εI for isotropic " +
  "constant noise; empty (CSV) or NaN (Arrow) where a column does not apply. Wall times: timings.csv.";

const cellText = (v: unknown) => (typeof v === "number" && Number.isNaN(v) ? "" : v);

/** sweep.csv and sweep.arrow from rows in cell order. */
export function writeSweepTable(dir: string, rows: readonly SweepRow[]): void {
  writeCsv(
    join(dir, "sweep.csv"),
    SWEEP_COLUMNS.map((c) => c[0]),
    rows.map((r) => SWEEP_COLUMNS.map(([, k]) => cellText(r[k]))),
  );
  const cols: Record<string, ReturnType<typeof makeVector> | ReturnType<typeof vectorFromArray>> = {};
  for (const [name, k, kind] of SWEEP_COLUMNS) {
    const vals = rows.map((r) => r[k]);
    cols[name] =
      kind === "str"
        ? vectorFromArray(vals as string[], new Utf8())
        : kind === "i32"
          ? makeVector(Int32Array.from(vals as number[]))
          : makeVector(Float64Array.from(vals as number[]));
  }
  // Utf8 columns, not dictionaries: arrow numbers dictionaries globally, which would change the bytes
  writeFileAtomic(join(dir, "sweep.arrow"), tableToIPC(new Table(cols), "file"));
}

/** timings.csv: wall time of each cell and method (seconds), not part of the reproducible table. */
export function writeTimings(dir: string, results: readonly CellResult[]): void {
  const rows: unknown[][] = [];
  for (const c of results)
    c.rows.forEach((r, k) => {
      rows.push([c.cell, r.method, c.seconds[k]]);
    });
  writeCsv(join(dir, "timings.csv"), ["cell", "method", "seconds"], rows);
}

/** Content key of a sweep: SHA-256 of the problem spec and the plan (shards and queue jobs carry it). */
export function sweepKey(spec: unknown, plan: SweepPlan): string {
  return createHash("sha256").update(JSON.stringify({ spec, plan })).digest("hex").slice(0, 24);
}

/** JSON that keeps NaN and ±Infinity (as the strings "NaN", "Infinity", "-Infinity" inside numeric columns). */
export function encodeResult(c: CellResult): unknown {
  return {
    cell: c.cell,
    seconds: c.seconds,
    rows: c.rows.map((r) =>
      SWEEP_COLUMNS.map(([, k, kind]) => {
        const v = r[k];
        return kind !== "str" && !Number.isFinite(v as number) ? String(v) : v;
      }),
    ),
  };
}

export function decodeResult(j: unknown): CellResult {
  const o = j as { cell: number; seconds: number[]; rows: unknown[][] };
  return {
    cell: o.cell,
    seconds: o.seconds,
    rows: o.rows.map((vals) => {
      const r: Record<string, unknown> = {};
      SWEEP_COLUMNS.forEach(([, k, kind], i) => {
        r[k] = kind === "str" ? vals[i] : Number(vals[i]);
      });
      return r as unknown as SweepRow;
    }),
  };
}

export interface ShardFile {
  format: "sgdscope-sweep-shard";
  version: 1;
  key: string;
  shard: { index: number; count: number };
  problemName: string;
  plan: SweepPlan;
  context: SweepContext;
  results: CellResult[];
}

export const shardFileName = (index: number, count: number) => `shard-${index}-of-${count}.json`;

/**
 * The finished cells of an interrupted `sweep` run (a shard file of the same format under this name; `merge`
 * does not read it): a rerun with the same sweep key reuses them and runs only the rest.
 */
export const partialFileName = (shard: { index: number; count: number } | null) =>
  shard ? `partial-${shardFileName(shard.index, shard.count)}` : "partial-sweep.json";

/** Writes a shard file (under `fileName`, default its shard name) atomically. */
export function writeShardFile(dir: string, s: ShardFile, fileName?: string): void {
  writeFileAtomic(
    join(dir, fileName ?? shardFileName(s.shard.index, s.shard.count)),
    `${JSON.stringify({ ...s, results: s.results.map(encodeResult) })}\n`,
  );
}

/** The shard file at `path` if it exists and belongs to the sweep `key` (a finished shard), else null. */
export function readShardIfDone(path: string, key: string): ShardFile | null {
  if (!existsSync(path)) return null;
  try {
    const s = readShardFile(path);
    return s.key === key ? s : null;
  } catch {
    return null;
  }
}

export function readShardFile(path: string): ShardFile {
  let j: ShardFile;
  try {
    j = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UserError(`is not a readable shard file: ${(e as Error).message}`, { where: path });
  }
  if (j.format !== "sgdscope-sweep-shard" || j.version !== 1)
    throw new UserError("is not a sweep shard file (format sgdscope-sweep-shard, version 1)", {
      where: path,
    });
  return { ...j, results: (j.results as unknown[]).map(decodeResult) };
}

/** Every shard file in the folders, in folder order. */
export function findShardFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d))
      throw new UserError("no such folder", { where: d, hint: "folders written by sweep --shard" });
    for (const f of readdirSync(d).sort()) if (/^shard-\d+-of-\d+\.json$/.test(f)) out.push(join(d, f));
  }
  return out;
}
