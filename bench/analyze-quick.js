// `sgdscope analyze --quick` on every 2-D example of examples/ (issue #12: ≤ 20 s wall each on 2 cores).
// Each run is a fresh CLI process (start-up, worker threads, report and PNGs included), as a user runs it; per run:
// wall seconds, the process's CPU seconds (all its threads, read at exit), the 1-minute load average before and
// after, and analyze's own stage timings (summary.json `timings`). On a shared machine the wall time depends on
// the load; the CPU time much less so — read the two together.
// Usage: node bench/analyze-quick.js [--rounds R]   (after npm run build; `node bench/run.js analyze-quick`)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadProblem } from "../dist/io/load-problem.js";
import { median } from "./median.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const bin = join(root, "bin", "sgdscope.js");

/** The examples whose problem is 2-D (file names, sorted). */
export function twoDimensionalExamples() {
  const dir = join(root, "examples");
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .filter((f) => loadProblem(join(dir, f)).problem.dim === 2);
}

// preloaded into the CLI process: writes process.cpuUsage() (user + system of every thread) when it exits
const cpuHook =
  'data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>{const u=process.cpuUsage();writeFileSync(process.env.SGDSCOPE_BENCH_CPU,JSON.stringify(u))})';

/** One `analyze --quick` run of examples/<file> in a fresh process. */
function runOnce(file, extra = []) {
  const out = mkdtempSync(join(tmpdir(), "sgdscope-aq-"));
  const cpuFile = join(out, "cpu.json");
  const load0 = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      cpuHook,
      bin,
      "analyze",
      join(root, "examples", file),
      "--quick",
      "--out",
      join(out, "r"),
      ...extra,
    ],
    { encoding: "utf8", env: { ...process.env, SGDSCOPE_BENCH_CPU: cpuFile } },
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  try {
    if (r.status !== 0) throw new Error(`analyze ${file} exited with ${r.status}: ${r.stderr}`);
    const cpu = JSON.parse(readFileSync(cpuFile, "utf8"));
    const summary = JSON.parse(readFileSync(join(out, "r", "summary.json"), "utf8"));
    const stages = Object.fromEntries(Object.entries(summary.timings ?? {}).map(([k, v]) => [k, v / 1000]));
    return {
      wall_s: wall,
      cpu_s: (cpu.user + cpu.system) / 1e6,
      load_average_1min: [load0, loadavg()[0]],
      stage_wall_s: stages,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function benchAnalyzeQuick({ rounds = 3 } = {}) {
  const files = twoDimensionalExamples();
  const byFile = Object.fromEntries(files.map((f) => [f, []]));
  for (let r = 0; r < rounds; r++) for (const f of files) byFile[f].push(runOnce(f));
  return {
    what: "sgdscope analyze <example> --quick --out <tmp>, fresh process each run (report and PNGs included)",
    cores: cpus().length,
    target_wall_s: 20,
    examples: files.map((f) => ({
      example: f,
      rounds: byFile[f],
      wall_s_median: median(byFile[f].map((q) => q.wall_s)),
      cpu_s_median: median(byFile[f].map((q) => q.cpu_s)),
    })),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--rounds");
  console.log(
    JSON.stringify(benchAnalyzeQuick({ rounds: i > 0 ? Number(process.argv[i + 1]) : 3 }), null, 2),
  );
}
