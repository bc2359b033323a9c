// Particle throughput: SDE (Euler–Maruyama) on L(x,y) = (x^2-1)^2/4 + y^2/2 with isotropic noise.
//  - one thread: 1e5 particles × 1e3 steps through runEnsemble (the path `sgdscope simulate` takes), paired
//    round by round with the identical NumPy update, so that machine noise hits both sides alike; the median
//    of the paired ratios is the headline figure, every round is recorded;
//  - threads: 1e6 particles × 1e3 steps on 1 and 2 threads (order alternated between rounds), median speed-up;
//  - the machine's own ceiling for that speed-up, in the same rounds: two independent processes running half
//    the particles each (nothing shared) vs one thread, so the thread figure can be read against what the
//    two cores allow when both are busy.
// Usage: node bench/particles.js [M] [K]   (after npm run build)
//        node bench/particles.js --solo M K   (internal: one single-thread run)
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { problemFromSpec, simulate } from "../dist/index.js";
import { runEnsemble } from "../dist/parallel/ensemble.js";
import { median } from "./median.js";

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

/** Seconds for one ensemble run of M particles × K steps on `threads` threads. */
async function timeRun(M, K, threads) {
  const t0 = process.hrtime.bigint();
  await runEnsemble(problem, spec, here, {
    ...baseOpts,
    particles: M,
    steps: K,
    snapshotSteps: [K],
    threads,
  });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function numpyRun(M, K) {
  return JSON.parse(
    execFileSync("python3", [join(here, "particles_numpy.py"), String(M), String(K)], {
      encoding: "utf8",
    }).trim(),
  );
}

/** Runs M particles × K steps on one thread in a fresh process (start-up and JIT included); resolves when done. */
function soloProcess(M, K) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--solo", String(M), String(K)], {
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`solo run exited ${code}`))));
  });
}

export async function benchParticles({
  M = 100000,
  K = 1000,
  largeM = 1000000,
  rounds = 5,
  threadRounds = 3,
} = {}) {
  simulate(problem, { ...baseOpts, particles: 2000, steps: K, snapshotSteps: [K] }); // warm-up (JIT)
  const single = [];
  for (let r = 0; r < rounds; r++) {
    const js = (M * K) / (await timeRun(M, K, 1));
    const np = numpyRun(M, K);
    single.push({
      sgdscope: js,
      numpy: np.particle_steps_per_s,
      ratio: js / np.particle_steps_per_s,
      numpyVersion: np.numpy,
    });
  }
  const threads = [];
  for (let r = 0; r < threadRounds; r++) {
    const order = r % 2 === 0 ? [1, 2, "pair"] : ["pair", 2, 1];
    const t = {};
    for (const n of order) {
      if (n === "pair") {
        const t0 = process.hrtime.bigint();
        await Promise.all([soloProcess(largeM / 2, K), soloProcess(largeM / 2, K)]);
        t.pair = Number(process.hrtime.bigint() - t0) / 1e9;
      } else t[n] = await timeRun(largeM, K, n);
    }
    threads.push({
      threads_1: (largeM * K) / t[1],
      threads_2: (largeM * K) / t[2],
      speedup: t[1] / t[2],
      two_processes_speedup: t[1] / t.pair,
    });
  }
  return {
    what: "SDE Euler–Maruyama, 2-D double well (x^2-1)^2/4 + y^2/2, isotropic noise, dt = 0.1",
    one_thread: {
      particles: M,
      steps: K,
      rounds: single,
      sgdscope_median_particle_steps_per_s: median(single.map((s) => s.sgdscope)),
      numpy_median_particle_steps_per_s: median(single.map((s) => s.numpy)),
      numpy: single[0].numpyVersion,
      ratio_median: median(single.map((s) => s.ratio)),
      ratio_range: [Math.min(...single.map((s) => s.ratio)), Math.max(...single.map((s) => s.ratio))],
    },
    threads: {
      particles: largeM,
      steps: K,
      rounds: threads,
      speedup_median: median(threads.map((t) => t.speedup)),
      machine_ceiling: {
        what: "1 thread vs two independent processes running half the particles each (start-up included)",
        speedup_median: median(threads.map((t) => t.two_processes_speedup)),
      },
    },
    targets: { ratio_vs_numpy_1_thread: 1.5, speedup_1_to_2_threads: 1.7 },
  };
}

const self = process.argv[1] === fileURLToPath(import.meta.url);
if (self && process.argv[2] === "--solo") {
  const M = Number(process.argv[3]);
  const K = Number(process.argv[4]);
  simulate(problem, { ...baseOpts, particles: 2000, steps: K, snapshotSteps: [K] });
  await timeRun(M, K, 1);
} else if (self) {
  const M = Number(process.argv[2] ?? 100000);
  const K = Number(process.argv[3] ?? 1000);
  console.log(JSON.stringify(await benchParticles({ M, K }), null, 2));
}
