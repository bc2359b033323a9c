/**
 * The worker thread a computing command runs in (see launch.ts): the stop flag the main thread sets on Ctrl-C
 * becomes the command's interrupt flag and the core's stop check; the exit code is the worker's.
 */
import { workerData } from "node:worker_threads";
import { installStopCheck } from "../stop.js";
import { useExternalStop } from "./common.js";
import type { CliWorkerData } from "./launch.js";
import { main } from "./main.js";

const data = workerData as CliWorkerData;
const flag = new Int32Array(data.stopFlag);
const stopped = () => Atomics.load(flag, 0) === 1;
installStopCheck(stopped);
useExternalStop(stopped, data.stderrIsTTY);
process.exitCode = await main(data.argv);
