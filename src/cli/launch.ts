/**
 * The executable's entry: runs a computing command in a worker thread, so that Ctrl-C is seen while it is
 * inside a long synchronous computation (a grid solve, a factorisation): this thread stays idle, receives
 * SIGINT and sets a shared flag that the command's stop check and the core's long loops poll (src/stop.ts).
 * The first Ctrl-C asks the command to stop and keep what finished (exit code EXIT_INTERRUPTED); the second
 * exits at once with that code. `--help`, `--version`, an unknown command and `worker` (the queue consumer,
 * which handles its own signals) run in this thread.
 */
import { Worker } from "node:worker_threads";
import { COMMANDS } from "./command-list.js";
import { EXIT_INTERRUPTED } from "./exit-codes.js";
import { main } from "./main.js";

/** Commands that run in this thread: the queue consumer (its own SIGINT/SIGTERM handling). */
const IN_PROCESS = new Set(["worker"]);

/** Data the CLI worker thread receives. */
export interface CliWorkerData {
  argv: string[];
  /** Int32 flag: 1 once Ctrl-C was pressed. */
  stopFlag: SharedArrayBuffer;
  /** Whether this process's stderr is a terminal (a worker's own stderr never is). */
  stderrIsTTY: boolean;
}

/** Runs the CLI on `argv`; resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const name = argv.find((a) => Object.hasOwn(COMMANDS, a));
  const help = argv.some(
    (a) => a === "--help" || a === "-h" || a === "help" || a === "--version" || a === "-V",
  );
  if (name === undefined || IN_PROCESS.has(name) || help) return main(argv);
  const stopFlag = new SharedArrayBuffer(4);
  const flag = new Int32Array(stopFlag);
  const data: CliWorkerData = { argv, stopFlag, stderrIsTTY: process.stderr.isTTY === true };
  const w = new Worker(new URL("./cli-worker.js", import.meta.url), { workerData: data });
  const onSig = () => {
    if (Atomics.load(flag, 0) === 1) process.exit(EXIT_INTERRUPTED);
    Atomics.store(flag, 0, 1);
    process.stderr.write(
      "\nstopping: finishing what is in flight and keeping what is done (Ctrl-C again to abort)\n",
    );
  };
  process.on("SIGINT", onSig);
  try {
    return await new Promise<number>((resolve) => {
      w.on("error", (e) => {
        process.stderr.write(`sgdscope: internal error (please report): ${String(e.stack ?? e)}\n`);
        resolve(1);
      });
      w.on("exit", (code) => resolve(code));
    });
  } finally {
    process.off("SIGINT", onSig);
  }
}
