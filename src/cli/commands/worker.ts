/**
 * `sgdscope worker --queue redis://HOST:PORT [--concurrency N] [--lock-ms MS]`: processes sweep cells from the
 * queue until SIGINT/SIGTERM (then finishes the cells in hand). One line per job event on stderr.
 */
import type { Command } from "commander";
import { checkRedis, startQueueWorker } from "../../parallel/queue.js";
import { COMMANDS } from "../command-list.js";
import { parsePositiveInt } from "../common.js";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(COMMANDS.worker.description)
    .requiredOption("--queue <url>", "Redis of the queue, redis://HOST:PORT")
    .option("--concurrency <N>", "cells at a time, each in its own worker thread", "1")
    .option(
      "--lock-ms <ms>",
      "job lock (ms), renewed every half of it while a cell runs; a killed worker's job is retried after it expires",
      "30000",
    )
    .action(async (o: { queue: string; concurrency: string; lockMs: string }) => {
      const concurrency = parsePositiveInt(o.concurrency, "--concurrency", 1, 256);
      const lockMs = parsePositiveInt(o.lockMs, "--lock-ms", 1000, 3_600_000);
      await checkRedis(o.queue);
      const log = (line: string) => process.stderr.write(`worker ${process.pid}: ${line}\n`);
      const w = startQueueWorker({ url: o.queue, lockMs }, concurrency, log);
      await w.waitUntilReady();
      log(`ready on ${o.queue} (concurrency ${concurrency}, lock ${lockMs} ms)`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          log("stopping: finishing the cells in hand");
          void w.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
