/**
 * Runs an ensemble on N threads: particle ranges are handed out dynamically (fast workers take more),
 * and the results are merged in particle order. Because particle p's randomness is the stream
 * (seed, p), the merged result is bit-identical for any thread count and any schedule.
 * With one thread the work runs in-process (the core's `inProcessRunner`), yielding to the event loop
 * between ranges so that Ctrl-C (via `shouldStop`) stops cleanly; what finished is kept.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { mergeResults, type SimulateOptions, type SimulateResult, simulate } from "../dynamics/simulate.js";
import { UserError } from "../errors.js";
import { type EnsembleRunner, inProcessRunner } from "../exit/index.js";
import type { Problem } from "../problem/types.js";

export interface EnsembleOptions extends Omit<SimulateOptions, "range" | "onProgress" | "shouldStop"> {
  threads?: number;
  /** Total particles finished so far. */
  onProgress?: (done: number) => void;
  shouldStop?: () => boolean;
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under vitest the sources are .ts; the worker runs from the compiled dist/ (npm test builds first).
  return here.endsWith(".ts") ? new URL("../../dist/parallel/worker.js", here) : new URL("./worker.js", here);
}

/** Smallest range handed to a worker (particles). */
const MIN_CHUNK = 256;

/**
 * Guided self-scheduling: each request takes a share of what is left (remaining / (2·threads), at least
 * `minChunk`), so ranges start large (little per-range cost) and shrink towards the end (no thread idles
 * long while another finishes a big last range). The floor is MIN_CHUNK, lowered to M/(8·threads) (≥ 16) for
 * small ensembles: 512 MLP particles used to be two ranges of 256, so one slow start left a thread idle.
 * Ranges never change results (each particle has its own random stream).
 */
function rangeFeeder(M: number, threads: number): () => [number, number] | undefined {
  const minChunk = Math.min(MIN_CHUNK, Math.max(16, Math.ceil(M / (8 * threads))));
  let at = 0;
  return () => {
    if (at >= M) return undefined;
    const size = Math.max(minChunk, Math.ceil((M - at) / (2 * threads)));
    const range: [number, number] = [at, Math.min(M, at + size)];
    at = range[1];
    return range;
  };
}

/**
 * Idle workers, kept for the next ensemble of this process: starting one (Node's bootstrap, loading the modules,
 * rebuilding the problem, warming the JIT) costs ~0.5 s of CPU, which each run of `exit-time`'s methods, each of
 * `analyze`'s escapes and each benchmark round paid again before. Idle workers are unref'd: they never keep the
 * process alive.
 */
const idleWorkers: Worker[] = [];

function acquireWorker(): Worker {
  const w = idleWorkers.pop() ?? new Worker(fileURLToPath(workerUrl()));
  w.ref();
  return w;
}

function releaseWorker(w: Worker): void {
  w.unref();
  idleWorkers.push(w);
}

/** Simulates the ensemble described by `opts` for `problem` (built from `spec`, files relative to `baseDir`). */
export async function runEnsemble(
  problem: Problem,
  spec: unknown,
  baseDir: string,
  opts: EnsembleOptions,
): Promise<SimulateResult> {
  const threads = opts.threads ?? 1;
  const maxThreads = Math.max(1, availableParallelism()) * 4;
  if (!Number.isInteger(threads) || threads < 1 || threads > maxThreads) {
    throw new UserError(`must be a whole number in 1..${maxThreads}, got ${threads}`, { where: "threads" });
  }
  const { threads: _t, onProgress, shouldStop, ...simOpts } = opts;
  const doneBy = new Map<number, number>();
  const report = (key: number, n: number) => {
    doneBy.set(key, n);
    if (onProgress) {
      let s = 0;
      for (const v of doneBy.values()) s += v;
      onProgress(s);
    }
  };
  // Up to MIN_CHUNK particles make one range, i.e. one worker: nothing runs in parallel, and starting that worker
  // (loading the modules, rebuilding the problem, warming the JIT: 0.3–0.5 s of CPU) costs more than the 200
  // particles of an `analyze --quick` escape run. Those run in-process; the result is the same bytes either way.
  if (threads === 1 || opts.particles <= MIN_CHUNK)
    return inProcessRunner(problem, simOpts, { onProgress, shouldStop });
  simulate(problem, { ...simOpts, range: [0, 0] });
  const stopFlag = new SharedArrayBuffer(4);
  const stopView = new Int32Array(stopFlag);
  const parts: SimulateResult[] = [];
  const nextRange = rangeFeeder(opts.particles, threads);
  let failure: Error | undefined;
  const poll = setInterval(() => {
    if (shouldStop?.()) Atomics.store(stopView, 0, 1);
  }, 50);
  const job = { spec, baseDir, key: `${baseDir}\n${JSON.stringify(spec)}`, options: simOpts, stopFlag };
  try {
    await Promise.all(
      Array.from({ length: Math.min(threads, Math.ceil(opts.particles / MIN_CHUNK)) }, () => {
        const w = acquireWorker();
        return new Promise<void>((resolve, reject) => {
          const done = (e?: Error) => {
            w.off("message", onMessage);
            w.off("error", onError);
            w.off("exit", onExit);
            if (e) reject(e);
            else {
              releaseWorker(w);
              resolve();
            }
          };
          const feed = () => {
            const range = Atomics.load(stopView, 0) === 0 && !failure ? nextRange() : undefined;
            if (range) w.postMessage({ range });
            else done();
          };
          const onMessage = (msg: {
            ready?: boolean;
            progress?: number;
            range?: [number, number];
            result?: SimulateResult;
            error?: string;
            name?: string;
          }) => {
            if (msg.ready) feed();
            else if (msg.progress !== undefined) report((msg.range as [number, number])[0], msg.progress);
            else if (msg.result) {
              parts.push(msg.result);
              report(msg.result.from, msg.result.completed);
              feed();
            } else if (msg.error) {
              failure = msg.name === "UserError" ? new UserError(msg.error) : new Error(msg.error);
              done();
            }
          };
          const onError = (e: Error) => done(e);
          const onExit = (code: number) => done(new Error(`ensemble worker exited (code ${code})`));
          w.on("message", onMessage);
          w.on("error", onError);
          w.on("exit", onExit);
          w.postMessage({ job });
        });
      }),
    );
  } finally {
    clearInterval(poll);
  }
  if (failure) throw failure;
  // keep only the contiguous prefix of finished particles, so that a stopped run is an unbiased sample
  parts.sort((a, b) => a.from - b.from);
  const prefix: SimulateResult[] = [];
  let expect = 0;
  for (const q of parts) {
    if (q.from !== expect) break;
    prefix.push(q);
    expect = q.to;
    if (q.stopped) break;
  }
  if (prefix.length === 0) return { ...simulate(problem, { ...simOpts, range: [0, 0] }), stopped: true };
  const merged = mergeResults(prefix);
  return { ...merged, stopped: merged.completed < opts.particles };
}

/** The engine's ensemble runner on `threads` worker threads (the problem is rebuilt in each from its spec). */
export function threadRunner(spec: unknown, baseDir: string, threads: number): EnsembleRunner {
  return (problem, options, hooks) => runEnsemble(problem, spec, baseDir, { ...options, threads, ...hooks });
}
