// npm run bench: every benchmark against its NumPy/SciPy baseline in the same run; results in bench/results/.
// Not part of the tests. The machine's load is recorded with each result (timings on a loaded machine are not comparable).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchExit } from "./exit.js";
import { benchParticles } from "./particles.js";
import { benchStartup } from "./startup.js";

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, "results"), { recursive: true });

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

if (want("particles")) {
  const load = loadavg()[0];
  const r = await benchParticles();
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "particles.json"), `${JSON.stringify(out, null, 2)}\n`);
  const one = r.one_thread;
  const th = r.threads;
  const m = (v) => `${(v / 1e6).toFixed(1)}M`;
  console.log(
    `particles: 1 thread, ${one.particles} × ${one.steps}, ${one.rounds.length} paired rounds: sgdscope ${m(one.sgdscope_median_particle_steps_per_s)} ` +
      `particle-steps/s, NumPy ${one.numpy} ${m(one.numpy_median_particle_steps_per_s)}; ratio median ${one.ratio_median.toFixed(2)}× ` +
      `(rounds ${one.ratio_range.map((x) => x.toFixed(2)).join("–")}; target ≥ 1.5)\n` +
      `threads: ${th.particles} × ${th.steps}, 1 → 2 threads speed-up median ${th.speedup_median.toFixed(2)}× ` +
      `(rounds ${th.rounds.map((t) => t.speedup.toFixed(2)).join(", ")}; target ≥ 1.7); ` +
      `two independent processes ${th.machine_ceiling.speedup_median.toFixed(2)}× (the machine's ceiling)`,
  );
}
if (want("sweep")) {
  const { benchSweep } = await import("./sweep.js");
  const r = await benchSweep();
  writeFileSync(
    join(here, "results", "sweep.json"),
    `${JSON.stringify({ ...r, node: process.version, date: new Date().toISOString() }, null, 2)}\n`,
  );
  const cpm = (o) => `${o.cells_per_minute.toFixed(1)}`;
  console.log(
    `sweep: ${r.cells} cells; cells/min local 1 thread ${cpm(r.local[1])}, 2 threads ${cpm(r.local[2])}` +
      (r.queue
        ? `; queue 1 worker ${cpm(r.queue[1])}, 2 workers ${cpm(r.queue[2])}`
        : "; no redis-server: queue not measured"),
  );
}
if (want("exit")) {
  const load = loadavg()[0];
  const r = await benchExit();
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "exit.json"), `${JSON.stringify(out, null, 2)}\n`);
  const last = r.rounds[r.rounds.length - 1];
  const ci = (c) => `[${c[0].toFixed(2)}, ${c[1].toFixed(2)}]`;
  console.log(
    `exit times (bridge), ${r.particles} particles, ${r.rounds.length} paired rounds: generated kernel ` +
      `${r.ratio_generated_vs_numpy_median.toFixed(2)}× NumPy, general loop ${r.ratio_general_vs_numpy_median.toFixed(2)}× NumPy ` +
      `(median); last round MET sgdscope ${last.generated.mean.toFixed(2)} ${ci(last.generated.ci95)}, ` +
      `NumPy ${last.numpy.mean.toFixed(2)} ${ci(last.numpy.ci95)} (SDE time)`,
  );
}
if (want("startup")) {
  const load = loadavg()[0];
  const r = benchStartup();
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "startup.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(
    `CLI start-up (median of ${r.rounds}): bare node ${r.bare_node_s.toFixed(3)} s, sgdscope --help ${r.help_s.toFixed(3)} s ` +
      `(${r.help_ratio.toFixed(2)}×; target ≤ 3), exit-time --help ${r.exit_time_help_s.toFixed(3)} s (${r.exit_time_help_ratio.toFixed(2)}×)`,
  );
}
for (const [name, script] of [
  ["mlp", "mlp.js"],
  ["pde", "pde.js"],
]) {
  if (!want(name)) continue;
  console.log(`\n${name}:`);
  execFileSync(process.execPath, [join(here, script)], { stdio: "inherit" });
}
