/**
 * Worker thread of the ensemble pool (ensemble.ts): it is sent a job (a problem spec and simulate options), then
 * particle ranges, and stays alive for the next job. The problem is rebuilt from its spec only when the spec
 * changes. Results depend only on (seed, particle index), never on which worker ran them.
 */
import { parentPort } from "node:worker_threads";
import { type SimulateOptions, simulate } from "../dynamics/simulate.js";
import { fileReader } from "../io/load-problem.js";
import { problemFromSpec } from "../problem/index.js";
import type { Problem } from "../problem/types.js";

interface Job {
  spec: unknown;
  baseDir: string;
  /** Identifies spec + baseDir: the problem is rebuilt only when it changes. */
  key: string;
  options: Omit<SimulateOptions, "onProgress" | "shouldStop" | "range">;
  stopFlag: SharedArrayBuffer;
}

let built: { key: string; problem: Problem } | null = null;
const warmed = new Set<string>();
let job: Job | null = null;
let problem: Problem | null = null;
let stop: Int32Array<ArrayBufferLike> = new Int32Array(1);

/**
 * Warms the JIT on throwaway runs (results discarded; they depend only on (seed, particle) anyway): a few calls
 * of growing size, at most ~150 ms, so that the first real range — the largest, with guided scheduling — runs in
 * fully optimised code rather than on-stack-replaced code (measured ~15% slower). Once per problem and options.
 */
function warm(p: Problem, o: Job["options"], key: string): void {
  if (warmed.has(key)) return;
  warmed.add(key);
  const steps = Math.min(o.steps, 1000);
  const snapshotSteps = (o.snapshotSteps?.length ?? 0) > 0 ? [steps] : [];
  const t0 = Date.now();
  try {
    for (let n = 8, call = 0; call < 5 && Date.now() - t0 < 150; call++, n *= 4) {
      simulate(p, { ...o, range: [0, Math.min(n, o.particles)], steps, snapshotSteps });
    }
  } catch {
    // the real run reports any error
  }
}

function startJob(j: Job): void {
  job = j;
  stop = new Int32Array(j.stopFlag);
  if (built?.key !== j.key) {
    built = { key: j.key, problem: problemFromSpec(j.spec, { readText: fileReader(j.baseDir) }) };
    warmed.clear();
  }
  problem = built.problem;
  const { particles: _p, seed: _s, ...rest } = j.options as Job["options"] & { seed?: number };
  warm(problem, j.options, JSON.stringify(rest));
}

function runRange(range: [number, number]): void {
  if (!job || !problem) throw new Error("ensemble worker: a range before its job");
  // progress at most every 200 ms: each message costs the main thread time that the workers need
  let last = Date.now();
  const res = simulate(problem, {
    ...job.options,
    range,
    shouldStop: () => Atomics.load(stop, 0) === 1,
    onProgress: (done) => {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      parentPort!.postMessage({ progress: done, range });
    },
  });
  parentPort!.postMessage({ result: res }, [
    res.snapshots.buffer,
    res.final.buffer,
    res.exitTime.buffer,
    res.divergedStep.buffer,
  ] as ArrayBuffer[]);
}

parentPort!.on("message", (msg: { job: Job } | { range: [number, number] }) => {
  try {
    if ("job" in msg) {
      startJob(msg.job);
      parentPort!.postMessage({ ready: true });
    } else runRange(msg.range);
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message, name: (e as Error).name });
  }
});
