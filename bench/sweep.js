// Sweep throughput: cells per minute on 1 and 2 local worker threads, and through the BullMQ queue with 1 and 2
// `sgdscope worker` processes on this machine (queue overhead per job = the queue's extra wall time per cell
// over the local run). Runs the built CLI (dist/). Redis: SGDSCOPE_TEST_REDIS if set, else a redis-server this
// script starts on 127.0.0.1:6391 and stops. Writes bench/results/sweep.json. Not part of the tests.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, "..", "bin", "sgdscope.js");

/** 12 cells of SGD and SDE exit times on the double well (2000 particles each). */
const FLAGS = [
  "--lr",
  "0.1,0.2,0.4",
  "--batch",
  "1,2,4,8",
  "--method",
  "sgd,sde",
  "--particles",
  "2000",
  "--quiet",
];
const CELLS = 12;

function problem(dir, tag) {
  const f = join(dir, `dw-${tag}.yaml`);
  writeFileSync(
    f,
    `name: dw\ndescription: bench ${tag} ${Date.now()}\nloss: "x^4/4 - x^2/2"\nnoise: { isotropic: 1 }\nlr: 0.2\nbatch: 1\ndomain: [[-3, 3]]\nstart: [-1]\ntarget: "x > 0"\n`,
  );
  return f;
}

/** CPU seconds (user + system) of this process's finished children (Linux /proc; 100 ticks per second). */
function childCpu() {
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime (fields 16, 17)
}

function timed(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sgdscope ${args.join(" ")} failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

async function withRedis(fn) {
  if (process.env.SGDSCOPE_TEST_REDIS) return fn(process.env.SGDSCOPE_TEST_REDIS);
  const port = 6391;
  const s = spawnSync("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--daemonize",
    "yes",
  ]);
  if (s.status !== 0) return null;
  await new Promise((r) => setTimeout(r, 300));
  try {
    return await fn(`redis://127.0.0.1:${port}`);
  } finally {
    spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"]);
  }
}

export async function benchSweep() {
  const dir = mkdtempSync(join(tmpdir(), "sgdscope-bench-sweep-"));
  const local = {};
  for (const threads of [1, 2]) {
    const f = problem(dir, `local${threads}`);
    const c0 = childCpu();
    const s = timed([
      "sweep",
      f,
      ...FLAGS,
      "--threads",
      String(threads),
      "--out",
      join(dir, `local${threads}`),
    ]);
    local[threads] = {
      seconds: s,
      cpu_seconds: childCpu() - c0,
      cells_per_minute: (CELLS * 60) / s,
      load_average_1min: loadavg()[0],
    };
  }
  const queue = await withRedis(async (url) => {
    const out = {};
    for (const workers of [1, 2]) {
      const c0 = childCpu();
      const ws = Array.from({ length: workers }, () =>
        spawn(process.execPath, [BIN, "worker", "--queue", url], { stdio: ["ignore", "ignore", "ignore"] }),
      );
      await new Promise((r) => setTimeout(r, 1500)); // workers connect
      const f = problem(dir, `queue${workers}`);
      const s = timed(["sweep", f, ...FLAGS, "--queue", url, "--out", join(dir, `queue${workers}`)]);
      for (const w of ws) w.kill("SIGTERM");
      await Promise.all(ws.map((w) => new Promise((r) => w.on("exit", r))));
      // the sweep key differs (description), so compare the rows, not the bytes
      const rows = (d) => readFileSync(join(dir, d, "sweep.csv"), "utf8");
      if (rows(`queue${workers}`) !== rows("local1")) throw new Error("queue and local tables differ");
      out[workers] = {
        seconds: s,
        cpu_seconds: childCpu() - c0,
        cells_per_minute: (CELLS * 60) / s,
        load_average_1min: loadavg()[0],
      };
    }
    return out;
  });
  const overhead = queue ? (queue[1].seconds - local[1].seconds) / CELLS : null;
  return { cells: CELLS, flags: FLAGS.join(" "), local, queue, queue_overhead_seconds_per_job: overhead };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchSweep();
  const out = { ...r, node: process.version, date: new Date().toISOString() };
  writeFileSync(join(here, "results", "sweep.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}
