// Particle throughput: SDE (Euler–Maruyama) on L(x,y) = (x^2-1)^2/4 + y^2/2 with isotropic noise,
// 1e5 particles × 1e3 steps, sgdscope on 1 and 2 threads vs the identical NumPy update (same run).
// Usage: node bench/particles.js [M] [K]   (after npm run build)
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { problemFromSpec, simulate } from "../dist/index.js";
import { runEnsemble } from "../dist/parallel/ensemble.js";

const here = dirname(fileURLToPath(import.meta.url));
const spec = {
  name: "bench 2-D double well",
  loss: "(x^2-1)^2/4 + y^2/2",
  noise: { isotropic: 1 },
  lr: 0.1,
  batch: 1,
  domain: [
    [-3, 3],
    [-3, 3],
  ],
};
const problem = problemFromSpec(spec);
const baseOpts = { dynamics: "sde", dt: 0.1, seed: 1, init: { kind: "point", point: [-1, 0] } };

function best(f, reps) {
  let b = Number.POSITIVE_INFINITY;
  let out;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    out = f();
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds: b, out };
}

export async function benchParticles(M = 100000, K = 1000, largeM = 1000000) {
  const opts = { ...baseOpts, particles: M, steps: K, snapshotSteps: [K] };
  simulate(problem, { ...opts, particles: 2000 }); // warm-up (JIT)
  const one = best(() => simulate(problem, opts), 2);
  // thread scaling on a large ensemble (worker start-up, ~0.3 s each, is amortised): 1 vs 2 threads through
  // the same runEnsemble path the CLI uses
  const large = { ...opts, particles: largeM };
  const timeThreads = async (threads) => {
    const t0 = process.hrtime.bigint();
    await runEnsemble(problem, spec, here, { ...large, threads });
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const oneLarge = await timeThreads(1);
  const twoLarge = await timeThreads(2);
  const env = { ...process.env };
  const np = JSON.parse(
    execFileSync("python3", [join(here, "particles_numpy.py"), String(M), String(K)], {
      encoding: "utf8",
      env,
    }).trim(),
  );
  const js1 = (M * K) / one.seconds;
  const js1Large = (largeM * K) / oneLarge;
  const js2Large = (largeM * K) / twoLarge;
  return {
    what: "SDE Euler–Maruyama, 2-D double well, isotropic noise",
    particles: M,
    steps: K,
    sgdscope_1_thread: { seconds: one.seconds, particle_steps_per_s: js1 },
    numpy: np,
    ratio_vs_numpy_1_thread: js1 / np.particle_steps_per_s,
    large_ensemble: {
      particles: largeM,
      steps: K,
      threads_1: { seconds: oneLarge, particle_steps_per_s: js1Large },
      threads_2: { seconds: twoLarge, particle_steps_per_s: js2Large },
    },
    speedup_1_to_2_threads: js2Large / js1Large,
    targets: { ratio_vs_numpy_1_thread: 1.5, speedup_1_to_2_threads: 1.7 },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    JSON.stringify(
      await benchParticles(Number(process.argv[2] ?? 100000), Number(process.argv[3] ?? 1000)),
      null,
      2,
    ),
  );
}
