/**
 * Worker thread: rebuilds the problem from its spec and simulates the particle ranges it is sent.
 * Results depend only on (seed, particle index), never on which worker ran them.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type SimulateOptions, simulate } from "../dynamics/simulate.js";
import { fileReader } from "../io/load-problem.js";
import { problemFromSpec } from "../problem/index.js";

interface Init {
  spec: unknown;
  baseDir: string;
  options: Omit<SimulateOptions, "onProgress" | "shouldStop" | "range">;
  stopFlag: SharedArrayBuffer;
}

const init = workerData as Init;
const problem = problemFromSpec(init.spec, { readText: fileReader(init.baseDir) });
const stop = new Int32Array(init.stopFlag);
// Warm the JIT on throwaway runs (results discarded; they depend only on (seed, particle) anyway): a few
// calls of growing size, at most ~150 ms, so that the first real range — the largest, with guided
// scheduling — runs in fully optimised code rather than on-stack-replaced code (measured ~15% slower).
{
  const o = init.options;
  const steps = Math.min(o.steps, 1000);
  const snapshotSteps = (o.snapshotSteps?.length ?? 0) > 0 ? [steps] : [];
  const t0 = Date.now();
  try {
    for (let n = 8, call = 0; call < 5 && Date.now() - t0 < 150; call++, n *= 4) {
      simulate(problem, { ...o, range: [0, Math.min(n, o.particles)], steps, snapshotSteps });
    }
  } catch {
    // the real run reports any error
  }
}

parentPort!.on("message", (msg: { range: [number, number] } | "exit") => {
  if (msg === "exit") {
    process.exit(0);
  }
  try {
    // progress at most every 200 ms: each message costs the main thread time that the workers need
    let last = Date.now();
    const res = simulate(problem, {
      ...init.options,
      range: msg.range,
      shouldStop: () => Atomics.load(stop, 0) === 1,
      onProgress: (done) => {
        const now = Date.now();
        if (now - last < 200) return;
        last = now;
        parentPort!.postMessage({ progress: done, range: msg.range });
      },
    });
    parentPort!.postMessage({ result: res }, [
      res.snapshots.buffer,
      res.final.buffer,
      res.exitTime.buffer,
      res.divergedStep.buffer,
    ] as ArrayBuffer[]);
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message, name: (e as Error).name });
  }
});
