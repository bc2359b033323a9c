// 1 → 2 threads on the particle workloads of issue #12 (target ≥ 1.7×): real minibatch SGD on a finite sum (the
// issue's N = 8, B = 2 without replacement), the SDEs with Hessian, loss, matrix and empirical noise and `sde2`
// (bench/noise-models.js's cases), and SGD on the 2→16→16→2 tanh MLP (two moons, N = 1000, B = 32). Each case runs
// the same ensemble through runEnsemble (the CLI's path) with --threads 1 and 2, order alternated between rounds;
// per round the speed-up t₁/t₂, and a check that both runs returned the same bytes (final positions, exit times,
// divergence steps). Worker start-up is inside the 2-thread time, as a user sees it (the first 2-thread run starts the
// pool's workers; later runs reuse them, as later ensembles of one CLI command do).
// Usage: node bench/threads.js [--rounds R] [--scale s] [--only text]   (after npm run build; s scales every ensemble
// size; --only keeps the cases whose name contains text)
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { problemFromSpec, simulate } from "../dist/index.js";
import { runEnsemble } from "../dist/parallel/ensemble.js";
import { coefficients, problemOf } from "./finite-sum.js";
import { median } from "./median.js";
import { CASES } from "./noise-models.js";

const here = dirname(fileURLToPath(import.meta.url));
const box = [
  [-3, 3],
  [-3, 3],
];

/** The workloads: spec, simulate options and ensemble size M × K. */
function workloads(scale) {
  const out = [];
  const fs = problemOf(coefficients(8), 2, false);
  out.push({
    name: "finite-sum SGD (N = 8, B = 2, without replacement)",
    spec: fs.spec,
    opts: { dynamics: "sgd", seed: 1, init: { kind: "point", point: [-1, 0] } },
    M: 200000,
    K: 5000, // ~5 s on one thread: the pool's start-up (~0.1 s) is not what is measured
  });
  for (const [name, c] of Object.entries(CASES)) {
    const { dynamics = "sde", d = 2, ...rest } = c;
    out.push({
      name: `${dynamics} with ${name === "sde2" ? "isotropic" : name} noise${d === 3 ? " (3-D)" : ""}`,
      spec: { name, ...rest, lr: 0.1, batch: 1, domain: new Array(d).fill(box[0]) },
      opts: { dynamics, dt: 0.01, seed: 1, init: { kind: "point", point: [-0.5, 0.5, 0.2].slice(0, d) } },
      M: d === 3 ? 20000 : 100000,
      K: 1000,
    });
  }
  out.push({
    name: "MLP SGD (2→16→16→2 tanh, two moons N = 1000, B = 32)",
    spec: {
      name: "mlp",
      loss: {
        model: "mlp",
        data: { generate: "two-moons", n: 1000, seed: 1, noise: 0.1 },
        hidden: [16, 16],
        activation: "tanh",
      },
      lr: 0.1,
      batch: 32,
    },
    opts: { dynamics: "sgd", seed: 1 }, // init: N(0, 0.5²) per weight, below
    M: 512, // > 256: fewer particles run in-process, i.e. no parallel work
    K: 1000, // ~6 s on one thread
  });
  return out.map((w) => ({ ...w, M: Math.max(2, Math.round(w.M * scale)) }));
}

const same = (a, b) => Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer)) === 0;

export async function benchThreads({ rounds = 3, scale = 1, only = "" } = {}) {
  const cases = [];
  for (const w of workloads(scale).filter((q) => q.name.includes(only))) {
    const problem = problemFromSpec(w.spec);
    const d = problem.dim;
    const init = w.opts.init ?? { kind: "gaussian", mean: new Array(d).fill(0), std: new Array(d).fill(0.5) };
    const opts = { ...w.opts, init, particles: w.M, steps: w.K };
    simulate(problem, { ...opts, particles: Math.min(w.M, 1000), steps: Math.min(w.K, 200) }); // JIT warm-up
    const rs = [];
    for (let r = 0; r < rounds; r++) {
      const t = {};
      const res = {};
      for (const n of r % 2 === 0 ? [1, 2] : [2, 1]) {
        const load = loadavg()[0];
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        res[n] = await runEnsemble(problem, w.spec, here, { ...opts, threads: n });
        const c = process.cpuUsage(c0);
        t[n] = { s: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6, load };
      }
      const identical =
        same(res[1].final, res[2].final) &&
        same(res[1].exitTime, res[2].exitTime) &&
        same(res[1].divergedStep, res[2].divergedStep);
      if (!identical) throw new Error(`${w.name}: 1 and 2 threads gave different results`);
      rs.push({
        seconds_1: t[1].s,
        seconds_2: t[2].s,
        load_average_1min: [t[1].load, t[2].load],
        speedup: t[1].s / t[2].s,
        cpu_seconds_1: t[1].cpu,
        cpu_seconds_2: t[2].cpu,
        cpu_ratio: t[2].cpu / t[1].cpu,
        identical,
        loop: res[1].loop,
      });
    }
    cases.push({
      case: w.name,
      particles: w.M,
      steps: w.K,
      rounds: rs,
      particle_steps_per_s_1: (w.M * w.K) / median(rs.map((q) => q.seconds_1)),
      speedup_median: median(rs.map((q) => q.speedup)),
      cpu_ratio_median: median(rs.map((q) => q.cpu_ratio)),
    });
  }
  return {
    what: "runEnsemble, same ensemble on 1 and 2 threads (byte-identical results checked)",
    note:
      "cpu_ratio = CPU seconds of the whole process (all threads) on 2 threads / on 1: the work added by going parallel " +
      "(worker start-up, transfers), which the load does not change. The speed-up needs an idle machine: with Linux's " +
      "autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled) a busy machine gives this session the same CPU " +
      "share whether it runs 1 thread or 2.",
    cases,
    target: 1.7,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, d) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  console.log(
    JSON.stringify(
      await benchThreads({
        rounds: arg("--rounds", 3),
        scale: arg("--scale", 1),
        only: process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : "",
      }),
      null,
      2,
    ),
  );
}
