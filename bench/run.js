// npm run bench: every benchmark against its NumPy/SciPy baseline in the same run; results in bench/results/.
// Not part of the tests. The machine's load is recorded with each result (timings on a loaded machine are not comparable).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchParticles } from "./particles.js";

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, "results"), { recursive: true });

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

if (want("particles")) {
  const load = loadavg()[0];
  const r = await benchParticles();
  const out = { ...r, node: process.version, date: new Date().toISOString(), load_average_1min: load };
  writeFileSync(join(here, "results", "particles.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(
    `particles: sgdscope ${(r.sgdscope_1_thread.particle_steps_per_s / 1e6).toFixed(1)}M particle-steps/s (1 thread), ` +
      `NumPy ${(r.numpy.particle_steps_per_s / 1e6).toFixed(1)}M; ` +
      `ratio ${r.ratio_vs_numpy_1_thread.toFixed(2)}× (target ≥ 1.5); ${r.large_ensemble.particles} particles: ` +
      `${(r.large_ensemble.threads_1.particle_steps_per_s / 1e6).toFixed(1)}M (1 thread), ` +
      `${(r.large_ensemble.threads_2.particle_steps_per_s / 1e6).toFixed(1)}M (2 threads), speed-up ${r.speedup_1_to_2_threads.toFixed(2)}× (target ≥ 1.7)`,
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
