/**
 * BullMQ sandboxed processor (runs in a worker thread of `sgdscope worker`): one sweep cell per job. A cell
 * whose problem cannot be built is a poisoned job: it fails at once, without retries (UnrecoverableError),
 * with the reason. The return value (the cell's rows, NaN-safe JSON) is the job's stored result.
 */
import { UnrecoverableError } from "bullmq";
import { fileReader } from "../io/load-problem.js";
import { encodeResult } from "../io/sweep-files.js";
import { cellProblem, runCell } from "../sweep/index.js";
import type { CellJobData } from "./queue.js";

export default async function processCell(job: { data: CellJobData }): Promise<unknown> {
  const d = job.data;
  let ctx: { readText: (p: string) => string };
  try {
    if (!d || typeof d !== "object" || !d.plan || !d.cell) throw new Error("the job carries no plan or cell");
    ctx = { readText: fileReader(d.baseDir) };
    cellProblem(d.spec, ctx, d.cell);
  } catch (e) {
    throw new UnrecoverableError(`poisoned job: ${(e as Error).message}`);
  }
  return encodeResult(await runCell(d.spec, ctx, d.plan, d.cell));
}
