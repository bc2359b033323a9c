// Exit-time throughput — the main job: SDE exit times with the Brownian-bridge correction on the 1-D double
// well L = x^4/4 - x^2/2 (isotropic noise, eta = 0.2, B = 1, dt = 0.02, from x = -1 to x > 0; MET ≈ 31 SDE
// time, ~1550 steps per particle). sgdscope's generated kernel (runEnsemble, 1 thread, the path the CLI takes)
// and its general loop against the same update and correction in NumPy (bench/exit_numpy.py), paired rounds.
// Work = particle-steps actually simulated (each particle stops at its exit). Both sides' mean exit times are
// printed with 95% intervals: they estimate the same number.
// Usage: node bench/exit.js [M]   (after npm run build)
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { problemFromSpec, simulate } from "../dist/index.js";
import { runEnsemble } from "../dist/parallel/ensemble.js";
import { median } from "./median.js";

const here = dirname(fileURLToPath(import.meta.url));
const spec = {
  name: "bench double well",
  loss: "x^4/4 - x^2/2",
  noise: { isotropic: 1 },
  lr: 0.2,
  batch: 1,
  domain: [[-3, 3]],
};
const problem = problemFromSpec(spec);
const dt = 0.02;
const K = 100000;
const opts = {
  dynamics: "sde",
  dt,
  seed: 1,
  init: { kind: "point", point: [-1] },
  steps: K,
  target: "x > 0",
};

/** Mean, 95% interval (normal approximation; n ≥ 1e4) and simulated particle-steps of exit times. */
function summarise(times) {
  let n = 0;
  let s = 0;
  let s2 = 0;
  let steps = 0;
  for (const t of times) {
    if (!Number.isFinite(t)) continue;
    n++;
    s += t;
    s2 += t * t;
    steps += Math.ceil(t / dt - 1e-9);
  }
  const mean = s / n;
  const se = Math.sqrt((s2 - n * mean * mean) / (n - 1) / n);
  return { exited: n, mean, ci95: [mean - 1.96 * se, mean + 1.96 * se], steps };
}

async function sgdscope(M, general) {
  const t0 = process.hrtime.bigint();
  const r = general
    ? simulate(problem, { ...opts, particles: M, general: true })
    : await runEnsemble(problem, spec, here, { ...opts, particles: M, threads: 1 });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const s = summarise(r.exitTime);
  return { loop: r.loop, seconds: sec, particle_steps_per_s: s.steps / sec, ...s };
}

export async function benchExit({ M = 20000, rounds = 3 } = {}) {
  simulate(problem, { ...opts, particles: 500 }); // warm-up (JIT)
  simulate(problem, { ...opts, particles: 100, general: true });
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const gen = await sgdscope(M, false);
    const gl = await sgdscope(M, true);
    const np = JSON.parse(
      execFileSync("python3", [join(here, "exit_numpy.py"), String(M), String(K)], { encoding: "utf8" }),
    );
    const npSe = np.std / Math.sqrt(np.exited);
    out.push({
      generated: gen,
      general: gl,
      numpy: { ...np, ci95: [np.mean - 1.96 * npSe, np.mean + 1.96 * npSe] },
      ratio_generated_vs_numpy: gen.particle_steps_per_s / np.particle_steps_per_s,
      ratio_general_vs_numpy: gl.particle_steps_per_s / np.particle_steps_per_s,
    });
  }
  return {
    what: "SDE exit times with the Brownian-bridge correction, 1-D double well x^4/4 - x^2/2, dt = 0.02, from -1 to x > 0",
    particles: M,
    rounds: out,
    ratio_generated_vs_numpy_median: median(out.map((o) => o.ratio_generated_vs_numpy)),
    ratio_general_vs_numpy_median: median(out.map((o) => o.ratio_general_vs_numpy)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchExit({ M: Number(process.argv[2] ?? 20000) }), null, 2));
}
