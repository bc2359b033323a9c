/**
 * `sgdscope merge DIR… [--out DIR]`: reads the shard files (shard-i-of-N.json) of one sweep from the folders,
 * checks that every shard is there once, and writes the table and page of the whole sweep — the same bytes as
 * the unsharded run.
 */
import type { Command } from "commander";
import { UserError } from "../../errors.js";
import { findShardFiles, readShardFile, type ShardFile } from "../../io/sweep-files.js";
import { checkOutDir } from "../../io/write.js";
import { sweepCells } from "../../sweep/index.js";
import { COMMANDS } from "../command-list.js";

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description(COMMANDS.merge.description)
    .argument("<dirs...>", "folders holding shard files of one sweep")
    .option("--out <dir>", "output folder (default: the first folder)")
    .action(async (dirs: string[], o: { out?: string }) => {
      await mergeShards(dirs, o.out ?? dirs[0]);
    });
}

/** Merges the shards of one sweep found in `dirs` into `out`. */
export async function mergeShards(dirs: string[], out: string): Promise<void> {
  const files = findShardFiles(dirs);
  if (files.length === 0)
    throw new UserError(`no shard files (shard-i-of-N.json) in ${dirs.join(", ")}`, { where: "merge" });
  const shards = files.map(readShardFile);
  const keys = [...new Set(shards.map((s) => s.key))];
  if (keys.length > 1)
    throw new UserError(
      `the shard files belong to ${keys.length} different sweeps (${keys.join(", ")}): ${files.join(", ")}`,
      { where: "merge", hint: "the folders of one sweep (same problem file and flags)" },
    );
  const count = shards[0].shard.count;
  if (shards.some((s) => s.shard.count !== count))
    throw new UserError("the shard files were cut into different numbers of shards", { where: "merge" });
  const byIndex = new Map<number, ShardFile>();
  for (const s of shards) if (!byIndex.has(s.shard.index)) byIndex.set(s.shard.index, s);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new UserError(
      `shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")} of sweep ${keys[0]} missing`,
      { where: "merge", hint: `run sweep … --shard i/${count} for each, or add the folder that holds it` },
    );
  const ordered = [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index);
  const results = ordered.flatMap((s) => s.results);
  const first = ordered[0];
  const expected = sweepCells(first.plan).length;
  const cells = new Set(results.map((r) => r.cell));
  if (cells.size !== expected || results.length !== expected)
    throw new UserError(`the shards hold ${cells.size} distinct cells of ${expected}`, { where: "merge" });
  checkOutDir(out);
  await (await import("../../report/sweep-write.js")).writeSweepResult(
    out,
    first.problemName,
    first.plan,
    first.context,
    results,
  );
  process.stdout.write(
    `merged ${count} shard${count > 1 ? "s" : ""} (${expected} cells, sweep ${keys[0]}) into ${out}: sweep.csv, sweep.arrow, sweep-fits.json, sweep.html, timings.csv\n`,
  );
}
