// npm run bench: every benchmark against its NumPy/SciPy baseline in the same run; results in bench/results/.
// Not part of the tests. The machine's load is recorded with each result (timings on a loaded machine are not comparable).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchExit } from "./exit.js";
import { benchFiniteSum } from "./finite-sum.js";
import { benchNoiseModels } from "./noise-models.js";
import { benchParticles } from "./particles.js";
import { benchStartup } from "./startup.js";

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, "results"), { recursive: true });

// benchmark names; "--name value" options (e.g. finite-sum's --rounds) are not names
const only = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
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
if (want("finite-sum")) {
  // node bench/run.js finite-sum [--rounds R] [--particles M] [--steps K] (defaults 3, 1e5, 1e3)
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const load = loadavg()[0];
  const r = await benchFiniteSum({
    M: arg("--particles", 100000),
    K: arg("--steps", 1000),
    rounds: arg("--rounds", 3),
  });
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "finite-sum.json"), `${JSON.stringify(out, null, 2)}\n`);
  const m = (v) => `${(v / 1e6).toFixed(1)}M`;
  console.log(
    `real minibatch SGD on a finite sum, ${r.particles} × ${r.steps}, one thread (particle-steps/s):`,
  );
  for (const c of r.cases) {
    const ci = (q) => `${q.mean.toFixed(4)} [${q.ci95[0].toFixed(4)}, ${q.ci95[1].toFixed(4)}]`;
    console.log(
      `  N = ${c.samples}, B = ${c.batch}, ${c.replacement ? "with" : "without"} replacement: sgdscope ` +
        `${m(c.sgdscope_median_particle_steps_per_s)}, NumPy ${m(c.numpy_median_particle_steps_per_s)} ⇒ ` +
        `${c.ratio_median.toFixed(2)}× (rounds ${c.rounds.map((q) => q.ratio.toFixed(2)).join(", ")}; target ≥ 1.5; ` +
        `per CPU-second ${c.cpu_ratio_median.toFixed(2)}×); batch mean ${c.sgdscope_batch_mean?.path}; ` +
        `general loop ${m(c.general_loop_particle_steps_per_s)}; mean final x sgdscope ${ci(c.final_mean_x.sgdscope)}, ` +
        `NumPy ${ci(c.final_mean_x.numpy)}`,
    );
  }
}
if (want("noise-models")) {
  // node bench/run.js noise-models [--rounds R] [--particles M] [--steps K] (defaults 3, 1e5, 1e3)
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const load = loadavg()[0];
  const r = await benchNoiseModels({
    M: arg("--particles", 100000),
    K: arg("--steps", 1000),
    rounds: arg("--rounds", 3),
  });
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "noise-models.json"), `${JSON.stringify(out, null, 2)}\n`);
  const m = (v) => `${(v / 1e6).toFixed(2)}M`;
  console.log(`SDE with state-dependent noise, ${r.particles} × ${r.steps}, one thread (particle-steps/s):`);
  for (const c of r.cases) {
    const ci = (q) => `${q.mean.toFixed(4)} [${q.ci95[0].toFixed(4)}, ${q.ci95[1].toFixed(4)}]`;
    console.log(
      `  ${c.case} (${c.dynamics}): sgdscope ${m(c.sgdscope_median_particle_steps_per_s)}, NumPy ` +
        `${m(c.numpy_median_particle_steps_per_s)} ⇒ ${c.ratio_median.toFixed(2)}× (rounds ` +
        `${c.rounds.map((q) => q.ratio.toFixed(2)).join(", ")}; target ≥ 1.5); general loop ` +
        `${m(c.general_loop_particle_steps_per_s)}; mean x at t = ${r.sde_time}: sgdscope ${ci(c.final_mean_x.sgdscope)}, NumPy ${ci(c.final_mean_x.numpy)}`,
    );
  }
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
if (want("analyze-quick")) {
  const { benchAnalyzeQuick } = await import("./analyze-quick.js");
  const load = loadavg()[0];
  const i = process.argv.indexOf("--rounds");
  const r = benchAnalyzeQuick({ rounds: i > 0 ? Number(process.argv[i + 1]) : 3 });
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "analyze-quick.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`analyze --quick, 2-D examples (target ≤ ${r.target_wall_s} s wall on ${r.cores} cores):`);
  for (const e of r.examples)
    console.log(
      `  ${e.example}: wall ${e.wall_s_median.toFixed(1)} s, CPU ${e.cpu_s_median.toFixed(1)} s (median of ${e.rounds.length}; ` +
        `rounds ${e.rounds.map((q) => `${q.wall_s.toFixed(1)} s at load ${q.load_average_1min[0].toFixed(1)}`).join(", ")})`,
    );
}
if (want("threads")) {
  const { benchThreads } = await import("./threads.js");
  const load = loadavg()[0];
  const i = process.argv.indexOf("--rounds");
  const j = process.argv.indexOf("--scale");
  const r = await benchThreads({
    rounds: i > 0 ? Number(process.argv[i + 1]) : 3,
    scale: j > 0 ? Number(process.argv[j + 1]) : 1,
  });
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "threads.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log("1 → 2 threads (target ≥ 1.7×; results byte-identical in every round):");
  for (const c of r.cases)
    console.log(
      `  ${c.case}, ${c.particles} × ${c.steps}: speed-up ${c.speedup_median.toFixed(2)}× (rounds ` +
        `${c.rounds.map((q) => q.speedup.toFixed(2)).join(", ")}), CPU 2 threads / 1 thread ${c.cpu_ratio_median.toFixed(2)}`,
    );
}
for (const [name, script] of [
  ["mlp", "mlp.js"],
  ["pde", "pde.js"],
  ["pde-degenerate", "pde-degenerate.js"],
]) {
  if (!want(name)) continue;
  console.log(`\n${name}:`);
  execFileSync(process.execPath, [join(here, script)], { stdio: "inherit" });
}
