/**
 * The queue path (BullMQ on a real Redis, `SGDSCOPE_TEST_REDIS=redis://…`, started by .ci/run): a worker killed
 * (SIGKILL) mid-job leaves its job to another worker after the lock expires, and the sweep writes exactly the
 * bytes of the local run; a poisoned job fails once with its reason and does not block the others; enqueuing
 * the same sweep again reuses the stored results. Needs `npm run build` (the CLI runs dist/).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { parseRedisUrl, QUEUE_NAME } from "../../src/parallel/queue.js";

const URL_ = process.env.SGDSCOPE_TEST_REDIS;
const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-queue-"));
const FILES = ["sweep.csv", "sweep.arrow", "sweep-fits.json", "sweep.html"];
const bytes = (dir: string) => FILES.map((f) => readFileSync(join(dir, f)));
const children: ChildProcess[] = [];

function worker(): {
  p: ChildProcess;
  log: () => string;
  waitFor: (re: RegExp) => Promise<RegExpMatchArray>;
} {
  const p = spawn(process.execPath, [BIN, "worker", "--queue", URL_ as string, "--lock-ms", "2000"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(p);
  let text = "";
  const waiters: { re: RegExp; ok: (m: RegExpMatchArray) => void }[] = [];
  p.stderr?.on("data", (d) => {
    text += d;
    for (const w of [...waiters]) {
      const m = text.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.ok(m);
      }
    }
  });
  return {
    p,
    log: () => text,
    waitFor: (re) =>
      new Promise((ok) => {
        const m = text.match(re);
        if (m) ok(m);
        else waiters.push({ re, ok });
      }),
  };
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
});

describe.runIf(URL_)("sweep over a BullMQ queue in Redis", () => {
  it("two workers, one SIGKILLed mid-job: the same bytes as the local run; a poisoned job fails once", async () => {
    // a sweep key of its own (the description), so that no earlier run's results are reused
    const problem = join(tmp, "dw.yaml");
    writeFileSync(
      problem,
      `name: dw\ndescription: queue test ${process.pid}-${Date.now()}\nloss: "x^4/4 - x^2/2"\nnoise: { isotropic: 1 }\nlr: 0.2\nbatch: 1\ndomain: [[-3, 3]]\nstart: [-1]\ntarget: "x > 0"\n`,
    );
    // 20 000 particles: each job takes long enough that worker A is still in it when the kill lands
    const flags = ["--lr", "0.4,0.8", "--batch", "1,2", "--method", "sgd", "--particles", "20000", "--quiet"];
    const local = spawnSync(
      process.execPath,
      [BIN, "sweep", problem, ...flags, "--threads", "1", "--out", join(tmp, "local")],
      {
        encoding: "utf8",
      },
    );
    expect(local.status, local.stderr).toBe(0);

    // a poisoned job first in the queue: its problem cannot be built
    const { host, port, db } = parseRedisUrl(URL_ as string);
    const queue = new Queue(QUEUE_NAME, { connection: { host, port, db } });
    const poisonId = `poison-${process.pid}-${Date.now()}`;
    await queue.add(
      "cell",
      {
        key: "poison",
        spec: { name: "bad", loss: "x^^2" },
        baseDir: tmp,
        plan: {},
        cell: { index: 0, lr: 0.1, batch: 1, delta: null, seed: 1, methods: ["sgd"] },
      },
      { jobId: poisonId, attempts: 3, removeOnComplete: false, removeOnFail: false },
    );

    const a = worker();
    const sweep = spawn(
      process.execPath,
      [BIN, "sweep", problem, ...flags, "--queue", URL_ as string, "--out", join(tmp, "queue")],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(sweep);
    let sweepErr = "";
    sweep.stderr?.on("data", (d) => {
      sweepErr += d;
    });
    const done = new Promise<number>((ok) => sweep.on("exit", (c) => ok(c ?? -1)));
    // kill worker A in the middle of a sweep job (not the poisoned one)
    await a.waitFor(/job ([0-9a-f]{24}-\d+) started/);
    a.p.kill("SIGKILL");
    await new Promise<void>((ok) => a.p.on("exit", () => ok()));
    // the job(s) A had started and not finished when it died (under load A may finish one before the signal lands)
    const aLog = a.log();
    const inFlight = [...aLog.matchAll(/job ([0-9a-f]{24}-\d+) started/g)]
      .map((m) => m[1])
      .filter((id) => !aLog.includes(`job ${id} done`));
    const b = worker();
    expect(await done, sweepErr).toBe(0);
    // worker B ran the killed job again after its lock expired
    expect(inFlight.length).toBe(1); // concurrency 1, and a job lasts long enough to be killed in
    for (const id of inFlight) expect(b.log()).toContain(`job ${id} started`);
    expect(bytes(join(tmp, "queue"))).toEqual(bytes(join(tmp, "local")));

    const poison = await queue.getJob(poisonId);
    expect(await poison?.isFailed()).toBe(true);
    expect(poison?.attemptsMade).toBe(1);
    expect(poison?.failedReason).toMatch(/poisoned job: .*loss/);

    // the same sweep again: every job id exists, nothing is rerun, the same bytes
    const again = spawnSync(
      process.execPath,
      [BIN, "sweep", problem, ...flags, "--queue", URL_ as string, "--out", join(tmp, "again")],
      {
        encoding: "utf8",
      },
    );
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/queue: 4 of 4 cells were already done/);
    expect(bytes(join(tmp, "again"))).toEqual(bytes(join(tmp, "local")));
    await queue.close();
    b.p.kill("SIGTERM");
  });
});

// without a Redis the queue test is reported as skipped, with the reason in its name
if (!URL_) {
  console.warn(
    "queue tests skipped: SGDSCOPE_TEST_REDIS is not set (.ci/run starts redis-server and sets it)",
  );
  describe("sweep over a BullMQ queue in Redis", () => {
    it.skip("skipped: SGDSCOPE_TEST_REDIS is not set (.ci/run starts redis-server on 127.0.0.1:6390 and sets it)", () => {});
  });
}
