/**
 * `sgdscope sweep <problem> --lr LIST --batch LIST [--delta LIST] [--seeds N] --method … --out DIR`
 * Runs the exit-time engine in every cell (η, B, δ, seed) and writes the table and the page of fitted laws
 * (src/sweep for the cells and fits, parallel/sweep-pool for the threads, io/sweep-files for the files).
 * `--shard i/N` runs every N-th cell from the i-th and writes shard-i-of-N.json (see `merge`).
 */
import { rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Command } from "commander";
import { UserError } from "../../errors.js";
import { checkExitQuery, EXIT_METHOD_SPECS, EXIT_METHODS, isParticleMethod } from "../../exit/index.js";
import { fileReader } from "../../io/load-problem.js";
import {
  partialFileName,
  readShardIfDone,
  shardFileName,
  sweepKey,
  writeShardFile,
} from "../../io/sweep-files.js";
import { checkOutDir } from "../../io/write.js";
import { runCellsLocally } from "../../parallel/sweep-pool.js";
import {
  type CellResult,
  cellProblem,
  checkPlan,
  failedCell,
  parseShard,
  parseSweepList,
  type SweepPlan,
  shardCells,
  sweepCells,
  sweepContext,
} from "../../sweep/index.js";
import { COMMANDS } from "../command-list.js";
import {
  defaultThreads,
  EXIT_INTERRUPTED,
  exitQueryFromFlags,
  interruptFlag,
  Progress,
  parsePositive,
  parsePositiveInt,
  parseSeed,
  printText,
  requireDomain,
} from "../common.js";

export interface SweepOpts {
  lr?: string;
  batch?: string;
  delta?: string;
  seeds: string;
  seed: string;
  method: string;
  particles: string;
  maxTime?: string;
  grid?: string;
  from?: string;
  to?: string;
  threads?: string;
  shard?: string;
  out: string;
  queue?: string;
  quiet?: boolean;
}

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description(COMMANDS.sweep.description)
    .argument("<problem>", "problem file (YAML or JSON)")
    .option(
      "--lr <list>",
      "learning rates: a,b,c or a:b:n (n log-spaced from a to b); default the problem's η",
    )
    .option("--batch <list>", "batch sizes: a,b,c or a:b:n (log-spaced, rounded); default the problem's B")
    .option("--delta <list>", "Noisy-SGD δ values: a,b,c or a:b:n; default the problem's δ")
    .option(
      "--seeds <N>",
      "independent Monte Carlo seeds per (η, B, δ) (deterministic methods run once)",
      "1",
    )
    .option("--seed <S>", "first seed (seeds S, S+1, …)", "1")
    .option(
      "--method <list>",
      `comma-separated exit-time methods:\n${EXIT_METHODS.map((m) => `  ${m.padEnd(10)} ${EXIT_METHOD_SPECS[m].summary}`).join("\n")}\n`,
      "sgd,sde",
    )
    .option("--particles <M>", "particles per Monte Carlo method and cell", "1000")
    .option(
      "--max-time <T>",
      "Monte Carlo horizon in SDE time (default: 16× the cell's first deterministic prediction, else 1000)",
    )
    .option("--grid <N>", "grid points per axis for grid methods")
    .option("--from <point>", "start point (default: the problem's start)")
    .option("--to <region>", "target region (default: the problem's target)")
    .option("--threads <N>", "worker threads, one cell each (results do not depend on it)")
    .option(
      "--shard <i/N>",
      "run only shard i of N (every N-th cell from the i-th) into DIR/shard-i-of-N.json; merge with `sgdscope merge`",
    )
    .requiredOption(
      "--out <dir>",
      "output folder: sweep.csv, sweep.arrow, sweep-fits.json, sweep.html, timings.csv",
    )
    .option(
      "--queue <url>",
      "run the cells as jobs on a BullMQ queue in Redis (redis://HOST:PORT) processed by `sgdscope worker --queue …` processes; waits, then writes as usual",
    )
    .option("--quiet", "no progress bar")
    .addHelpText(
      "after",
      `\nThe table and page are the same bytes for any --threads, any sharding and any queue workers.\nExit codes: 0 done, 2 bad input, ${EXIT_INTERRUPTED} interrupted (finished cells kept in partial-*.json; the same command resumes from them).`,
    )
    .action(async (file: string, o: SweepOpts) => {
      const code = await sweepCommand(file, o);
      if (code !== 0) process.exitCode = code;
    });
}

/** The plan from the flags, every cell checked before any work. */
export function planFromFlags(file: string, o: SweepOpts) {
  const { lp, p, from, to, methods, particles } = exitQueryFromFlags(file, o);
  const nSeeds = parsePositiveInt(o.seeds, "--seeds", 1, 10_000);
  const seed0 = parseSeed(o.seed);
  const plan: SweepPlan = {
    lr: o.lr !== undefined ? parseSweepList(o.lr, "--lr", { min: 0, positive: true }) : [p.lr],
    batch: o.batch !== undefined ? parseSweepList(o.batch, "--batch", { min: 1, integer: true }) : [p.batch],
    delta: o.delta !== undefined ? parseSweepList(o.delta, "--delta", { min: 0 }) : null,
    seeds: Array.from({ length: nSeeds }, (_, k) => seed0 + k),
    methods,
    particles,
    horizon: o.maxTime !== undefined ? parsePositive(o.maxTime, "--max-time") : "auto",
    fallbackHorizon: 1000,
    grid: o.grid !== undefined ? parsePositiveInt(o.grid, "--grid", 3) : null,
    from,
    to,
  };
  checkPlan(plan);
  if (methods.some((m) => m === "pde" || m === "exact" || m === "bounds") && p.dim <= 3)
    requireDomain(p, file, "the grid methods pde, exact and bounds");
  if (!methods.some(isParticleMethod) && nSeeds > 1)
    throw new UserError("applies to Monte Carlo methods only, and none is asked for", {
      where: "--seeds",
      hint: "--seeds 1 with deterministic methods",
    });
  const cells = sweepCells(plan);
  const readCtx = { file };
  // every cell's problem and query, before any work
  const seen = new Set<string>();
  for (const c of cells) {
    const k = `${c.lr}|${c.batch}|${c.delta}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const where = `cell η = ${c.lr}, B = ${c.batch}${c.delta !== null ? `, δ = ${c.delta}` : ""}`;
    try {
      const cp = cellProblem(lp.spec, { ...readCtx, readText: fileReaderFor(lp.path) }, c);
      checkExitQuery(cp, { from, to }, c.methods);
    } catch (e) {
      if (e instanceof UserError) throw new UserError(`${where}: ${e.message}`);
      throw e;
    }
  }
  return { lp, plan, cells };
}

const fileReaderFor = (path: string) => fileReader(dirname(path));

/** Runs the command; returns the exit code. */
async function sweepCommand(file: string, o: SweepOpts): Promise<number> {
  const { lp, plan, cells } = planFromFlags(file, o);
  const threads =
    o.threads !== undefined ? parsePositiveInt(o.threads, "--threads", 1, 256) : defaultThreads();
  const shard = o.shard !== undefined ? parseShard(o.shard) : null;
  checkOutDir(o.out);
  const key = sweepKey(lp.spec, plan);
  const problemFile = basename(lp.path);
  const baseDir = dirname(lp.path);
  const mine = shard ? shardCells(cells, shard.index, shard.count) : cells;
  if (shard) {
    const path = join(o.out, shardFileName(shard.index, shard.count));
    if (readShardIfDone(path, key)) {
      process.stdout.write(
        `shard ${shard.index}/${shard.count} of sweep ${key} is already done (${path}): skipped\n`,
      );
      return 0;
    }
  }
  const first = cellProblem(lp.spec, { file, readText: fileReaderFor(lp.path) }, cells[0]);
  const context = await sweepContext(first, plan);
  // the finished cells of an interrupted earlier run of this very sweep (same key): kept, not rerun (a cell is a
  // pure function of spec, plan and cell, so the table is the same bytes)
  const partialPath = join(o.out, partialFileName(shard));
  const kept = readShardIfDone(partialPath, key)?.results ?? [];
  const keptCells = new Set(kept.map((r) => r.cell));
  const todo = mine.filter((c) => !keptCells.has(c.index));
  if (kept.length > 0)
    process.stderr.write(
      `resuming: ${kept.length} of ${mine.length} cells were finished by an interrupted run (${partialPath}); running the other ${todo.length}\n`,
    );
  const intr = interruptFlag();
  const bar = new Progress(
    shard ? `sweep shard ${shard.index}/${shard.count} (cells)` : "sweep (cells)",
    todo.length,
    o.quiet === true,
  );
  let out: { results: CellResult[]; stopped: boolean };
  try {
    if (o.queue !== undefined) {
      const { checkRedis, runCellsOnQueue } = await import("../../parallel/queue.js");
      await checkRedis(o.queue);
      const q = await runCellsOnQueue(
        { url: o.queue, lockMs: 30_000 },
        { key, spec: lp.spec, baseDir, plan },
        todo,
        {
          onProgress: (d) => bar.update(d),
          shouldStop: intr.stopped,
          failedRows: (c, why) => failedCell(c, null, why),
        },
      );
      if (q.reused > 0 || q.failed > 0)
        process.stderr.write(
          `queue: ${q.reused} of ${mine.length} cells were already done in Redis (same sweep key ${key}); ${q.failed} jobs failed (their rows say why)\n`,
        );
      out = q;
    } else {
      out = await runCellsLocally(lp.spec, baseDir, plan, todo, threads, {
        onProgress: (d) => bar.update(Math.floor(d * 100) / 100),
        shouldStop: intr.stopped,
      });
    }
  } finally {
    bar.stop();
    intr.dispose();
  }
  const results = [...kept, ...out.results].sort((a, b) => a.cell - b.cell);
  const shardInfo = shard ?? { index: 1, count: 1 };
  if (out.stopped) {
    if (results.length > kept.length)
      writeShardFile(
        o.out,
        {
          format: "sgdscope-sweep-shard",
          version: 1,
          key,
          shard: shardInfo,
          problemName: problemFile,
          plan,
          context,
          results,
        },
        partialFileName(shard),
      );
    process.stderr.write(
      `interrupted: ${results.length} of ${mine.length} cells finished${results.length > 0 ? `, kept in ${partialPath}: the same command resumes from them` : ""}; no table written\n`,
    );
    return EXIT_INTERRUPTED;
  }
  if (shard) {
    writeShardFile(o.out, {
      format: "sgdscope-sweep-shard",
      version: 1,
      key,
      shard,
      problemName: problemFile,
      plan,
      context,
      results,
    });
    rmSync(partialPath, { force: true });
    process.stdout.write(
      `shard ${shard.index}/${shard.count}: ${mine.length} of ${cells.length} cells written to ${join(o.out, shardFileName(shard.index, shard.count))} (sweep ${key})\n`,
    );
    return 0;
  }
  const a = await (await import("../../report/sweep-write.js")).writeSweepResult(
    o.out,
    problemFile,
    plan,
    context,
    results,
  );
  rmSync(partialPath, { force: true });
  printText(
    [
      `${cells.length} cells × methods written to ${o.out}: sweep.csv, sweep.arrow, sweep-fits.json, sweep.html, timings.csv`,
      ...a.laws.map((l) => l.text),
      ...(a.ratioText ? [a.ratioText] : []),
      ...a.notes,
    ].join("\n"),
  );
  return 0;
}
