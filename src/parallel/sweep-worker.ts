/**
 * Worker thread of a local sweep: rebuilds nothing up front (each cell builds its own problem from the spec)
 * and runs the cells it is sent, in-process. A cell's rows depend only on (spec, plan, cell).
 */
import { parentPort, workerData } from "node:worker_threads";
import { fileReader } from "../io/load-problem.js";
import { installStopCheck } from "../stop.js";
import { runCell, type SweepCell, type SweepPlan } from "../sweep/index.js";

interface Init {
  spec: unknown;
  baseDir: string;
  plan: SweepPlan;
  stopFlag: SharedArrayBuffer;
}

const init = workerData as Init;
const stop = new Int32Array(init.stopFlag);
// the grid solves of a cell poll it too (a cell cut short is left out of the sweep)
installStopCheck(() => Atomics.load(stop, 0) === 1);
const ctx = { readText: fileReader(init.baseDir) };

parentPort!.on("message", async (msg: { cell: SweepCell } | "exit") => {
  if (msg === "exit") process.exit(0);
  let last = 0;
  const result = await runCell(init.spec, ctx, init.plan, msg.cell, {
    shouldStop: () => Atomics.load(stop, 0) === 1,
    onProgress: (done, total) => {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      parentPort!.postMessage({ progress: done / total, cell: msg.cell.index });
    },
  });
  parentPort!.postMessage({ result });
});
