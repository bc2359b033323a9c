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
// Warm the JIT on a throwaway run (results discarded; they depend only on (seed, particle) anyway), so the
// first real range does not run in on-stack-replaced code.
try {
  simulate(problem, {
    ...init.options,
    range: [0, Math.min(16, init.options.particles)],
    steps: Math.min(init.options.steps, 200),
    snapshotSteps: [],
  });
} catch {
  // the real run reports any error
}

parentPort!.on("message", (msg: { range: [number, number] } | "exit") => {
  if (msg === "exit") {
    process.exit(0);
  }
  try {
    const res = simulate(problem, {
      ...init.options,
      range: msg.range,
      shouldStop: () => Atomics.load(stop, 0) === 1,
      onProgress: (done) => parentPort!.postMessage({ progress: done, range: msg.range }),
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
