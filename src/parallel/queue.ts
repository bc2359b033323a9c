/**
 * Sweeps over a real queue (BullMQ on Redis): `sweep --queue redis://HOST:PORT` enqueues one job per cell with
 * a content-derived job id (sweep key + cell index), so enqueuing the same sweep twice adds nothing; any number
 * of `sgdscope worker --queue …` processes run the cells (each in a worker thread, so the process keeps renewing
 * its job lock while a cell computes); a job's result is its return value, stored once per job id (BullMQ
 * accepts a completion only from the holder of the job's lock). A worker killed mid-job (SIGKILL) stops renewing
 * the lock; when it expires another worker's stalled-job check puts the job back and it runs again. A job whose
 * cell cannot be built (a poisoned job) fails once, without retries, with its reason.
 */
import { fileURLToPath } from "node:url";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { UserError } from "../errors.js";
import { decodeResult } from "../io/sweep-files.js";
import type { CellResult, SweepCell, SweepPlan } from "../sweep/index.js";

/** One queue for every sweep: jobs carry their sweep key. */
export const QUEUE_NAME = "sgdscope-cells";

/** What a job carries: everything a worker on another machine needs to run the cell. */
export interface CellJobData {
  key: string;
  spec: unknown;
  /** Folder of the problem file: files the problem names are read relative to it (a shared volume). */
  baseDir: string;
  plan: SweepPlan;
  cell: SweepCell;
}

export interface QueueSettings {
  url: string;
  /** Lock duration of a job (ms): how long a silent (killed) worker keeps its job before a retry. */
  lockMs: number;
}

/** host and port of redis://HOST:PORT[/DB] (a UserError naming --queue otherwise). */
export function parseRedisUrl(url: string): { host: string; port: number; db: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`"${url}" is not a URL`, {
      where: "--queue",
      hint: "redis://HOST:PORT, e.g. redis://127.0.0.1:6379",
    });
  }
  if (u.protocol !== "redis:")
    throw new UserError(`"${url}" is not a redis:// URL`, { where: "--queue", hint: "redis://HOST:PORT" });
  const db = u.pathname && u.pathname !== "/" ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new UserError(`"${url}" names database "${u.pathname.slice(1)}"`, {
      where: "--queue",
      hint: "redis://HOST:PORT/0",
    });
  return { host: u.hostname || "127.0.0.1", port: u.port ? Number(u.port) : 6379, db };
}

function connection(url: string) {
  const { host, port, db } = parseRedisUrl(url);
  return { host, port, db, maxRetriesPerRequest: null };
}

/** Fails fast (a UserError naming --queue) when Redis does not answer within `ms`. */
export async function checkRedis(url: string, ms = 3000): Promise<void> {
  const { host, port, db } = parseRedisUrl(url);
  const r = new Redis({
    host,
    port,
    db,
    lazyConnect: true,
    connectTimeout: ms,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on("error", () => {});
  try {
    await Promise.race([
      r.connect().then(() => r.ping()),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms)),
    ]);
  } catch (e) {
    throw new UserError(`cannot reach Redis at ${url}: ${(e as Error).message}`, {
      where: "--queue",
      hint: "a running redis-server, e.g. redis-server --port 6390",
    });
  } finally {
    r.disconnect();
  }
}

export const jobId = (key: string, cell: number) => `${key}-${cell}`;

/**
 * Enqueues the cells (idempotent: existing job ids are kept, finished ones are not rerun) and waits until
 * every job has completed or failed. Returns the results in cell order; a failed job becomes rows with status
 * "failed" and the job's reason.
 */
export async function runCellsOnQueue(
  q: QueueSettings,
  data: Omit<CellJobData, "cell">,
  cells: readonly SweepCell[],
  hooks: {
    onProgress?: (done: number) => void;
    shouldStop?: () => boolean;
    failedRows: (c: SweepCell, why: string) => CellResult;
  },
): Promise<{ results: CellResult[]; stopped: boolean; failed: number; reused: number }> {
  const queue = new Queue(QUEUE_NAME, { connection: connection(q.url) });
  try {
    const before = await Promise.all(cells.map((c) => queue.getJob(jobId(data.key, c.index))));
    const reused = before.filter((j) => j?.finishedOn).length;
    await queue.addBulk(
      cells.map((c) => ({
        name: "cell",
        data: { ...data, cell: c } satisfies CellJobData,
        opts: { jobId: jobId(data.key, c.index), attempts: 3, removeOnComplete: false, removeOnFail: false },
      })),
    );
    const results = new Map<number, CellResult>();
    let failed = 0;
    while (results.size < cells.length) {
      if (hooks.shouldStop?.()) return { results: sortCells(results), stopped: true, failed, reused };
      for (const c of cells) {
        if (results.has(c.index)) continue;
        const j: Job | undefined = await queue.getJob(jobId(data.key, c.index));
        if (!j) throw new Error(`job ${jobId(data.key, c.index)} disappeared from the queue`);
        if (j.finishedOn && j.returnvalue) results.set(c.index, decodeResult(j.returnvalue));
        else if (j.finishedOn && (await j.isFailed())) {
          failed++;
          results.set(c.index, hooks.failedRows(c, `the queue job ${j.id} failed: ${j.failedReason}`));
        }
      }
      hooks.onProgress?.(results.size);
      if (results.size < cells.length) await new Promise((r) => setTimeout(r, 300));
    }
    return { results: sortCells(results), stopped: false, failed, reused };
  } finally {
    await queue.close();
  }
}

const sortCells = (m: Map<number, CellResult>) => [...m.values()].sort((a, b) => a.cell - b.cell);

function processorFile(): string {
  const here = import.meta.url;
  return fileURLToPath(
    here.endsWith(".ts")
      ? new URL("../../dist/parallel/queue-processor.js", here)
      : new URL("./queue-processor.js", here),
  );
}

/**
 * A worker process's BullMQ worker: `concurrency` cells at a time, each in a worker thread. Lock renewal every
 * lockMs/2, stalled-job check every lockMs/2: a killed worker's job is retried about lockMs after its last renewal.
 */
export function startQueueWorker(q: QueueSettings, concurrency: number, log: (line: string) => void): Worker {
  const w = new Worker(QUEUE_NAME, processorFile(), {
    connection: connection(q.url),
    concurrency,
    useWorkerThreads: true,
    lockDuration: q.lockMs,
    stalledInterval: Math.max(500, Math.floor(q.lockMs / 2)),
    maxStalledCount: 2,
  });
  w.on("active", (job) => log(`job ${job.id} started (attempt ${job.attemptsMade + 1})`));
  w.on("completed", (job) => log(`job ${job.id} done`));
  w.on("failed", (job, err) => log(`job ${job?.id} failed: ${err.message}`));
  w.on("stalled", (id) => log(`job ${id} stalled (its worker stopped renewing the lock): back in the queue`));
  w.on("error", (err) => log(`worker error: ${err.message}`));
  return w;
}
