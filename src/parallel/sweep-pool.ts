/**
 * Runs a sweep's cells on N worker threads: cells are handed out one at a time (fast workers take more) and
 * the results are keyed by cell, so the table is the same bytes for any N and any schedule. With one thread the
 * cells run in-process, one after the other. Particles inside a cell run in the thread that owns the cell.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { fileReader } from "../io/load-problem.js";
import { type CellResult, runCell, type SweepCell, type SweepPlan } from "../sweep/index.js";

export interface PoolHooks {
  /** Cells finished (fractional: the cells in flight count by their particles done). */
  onProgress?: (done: number) => void;
  onCell?: (r: CellResult) => void;
  shouldStop?: () => boolean;
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under vitest the sources are .ts; the worker runs from the compiled dist/ (npm test builds first).
  return here.endsWith(".ts")
    ? new URL("../../dist/parallel/sweep-worker.js", here)
    : new URL("./sweep-worker.js", here);
}

/**
 * The results of `cells` (in cell order). When a stop is requested, the cells not started are left out and
 * `stopped` is true; a cell that ends after the stop request is also left out (it may be cut short: its
 * estimates would be partial).
 */
export async function runCellsLocally(
  spec: unknown,
  baseDir: string,
  plan: SweepPlan,
  cells: readonly SweepCell[],
  threads: number,
  hooks: PoolHooks = {},
): Promise<{ results: CellResult[]; stopped: boolean }> {
  const results: CellResult[] = [];
  const partial = new Map<number, number>();
  let finished = 0;
  const report = () => {
    let s = finished;
    for (const v of partial.values()) s += v;
    hooks.onProgress?.(s);
  };
  const accept = (r: CellResult) => {
    partial.delete(r.cell);
    // a cell that ends after a stop request may be cut short — a skipped method, or a grid method that kept only
    // its coarser grids (status "estimate", marked INTERRUPTED) — so it is left out and a rerun computes it again
    if (hooks.shouldStop?.() || r.rows.some((x) => x.status === "skipped")) return;
    results.push(r);
    finished++;
    hooks.onCell?.(r);
    report();
  };
  if (threads <= 1 || cells.length <= 1) {
    const ctx = { readText: fileReader(baseDir) };
    for (const c of cells) {
      if (hooks.shouldStop?.()) break;
      const r = await runCell(spec, ctx, plan, c, {
        shouldStop: hooks.shouldStop,
        onProgress: (done, total) => {
          partial.set(c.index, done / total);
          report();
        },
      });
      accept(r);
    }
  } else {
    const stopFlag = new SharedArrayBuffer(4);
    const stopView = new Int32Array(stopFlag);
    let next = 0;
    let failure: Error | undefined;
    const poll = setInterval(() => {
      if (hooks.shouldStop?.()) Atomics.store(stopView, 0, 1);
    }, 50);
    try {
      await Promise.all(
        Array.from({ length: Math.min(threads, cells.length) }, () => {
          const w = new Worker(fileURLToPath(workerUrl()), { workerData: { spec, baseDir, plan, stopFlag } });
          return new Promise<void>((resolve, reject) => {
            const feed = () => {
              const c =
                Atomics.load(stopView, 0) === 0 && !failure && next < cells.length
                  ? cells[next++]
                  : undefined;
              w.postMessage(c ? { cell: c } : "exit");
            };
            w.on("message", (msg) => {
              if (msg.progress !== undefined) {
                partial.set(msg.cell, msg.progress);
                report();
              } else if (msg.result) {
                accept(msg.result as CellResult);
                feed();
              }
            });
            w.on("error", (e) => {
              failure = e;
              reject(e);
            });
            w.on("exit", () => resolve());
            feed();
          });
        }),
      );
    } finally {
      clearInterval(poll);
    }
  }
  results.sort((a, b) => a.cell - b.cell);
  return { results, stopped: results.length < cells.length };
}
