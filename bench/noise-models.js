// SDEs with state-dependent noise (issue #12, rows 2–4): Euler–Maruyama, η = 0.1, dt = 0.01, B = 1, from
// (−0.5, 0.5), on L = (x^2-1)^2/4 + y^2/2 + sin(x·y)/3 with Hessian, loss and matrix noise, sde2 with isotropic
// noise, and the SDE of a finite sum (8 literal-only samples) with its empirical noise; in 3-D, from
// (−0.5, 0.5, 0.2) on L + z^2/2 + x·z/4, Hessian and matrix noise (NumPy: batched eigh). Each case: M particles ×
// K steps on one thread through runEnsemble (the generated kernel), paired round by round with the NumPy
// baseline (noise_models_numpy.py, closed-form 2×2 PSD square root), ratio per round; the general loop's
// throughput once per case; both sides' mean x at the end with a 95% interval (the same law: they must agree).
// Usage: node bench/noise-models.js [M] [K] [rounds]   (after npm run build)
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { problemFromSpec, simulate } from "../dist/index.js";
import { runEnsemble } from "../dist/parallel/ensemble.js";
import { median } from "./median.js";

const here = dirname(fileURLToPath(import.meta.url));
const loss = "(x^2-1)^2/4 + y^2/2 + sin(x*y)/3";
const loss3 = "(x^2-1)^2/4 + y^2/2 + z^2/2 + sin(x*y)/3 + x*z/4";
const coef = Array.from({ length: 8 }, (_, i) =>
  [Math.sin(i + 1), Math.cos(2 * i + 1), 0.5 * Math.sin(3 * i + 2)].map((v) => Number(v.toFixed(3))),
);
export const CASES = {
  hessian: { loss, noise: { hessian: 1 } },
  loss: { loss, noise: { loss: 1 } },
  matrix: {
    loss,
    noise: {
      matrix: [
        ["0.4 + 0.1*x^2", "0.1*x*y"],
        ["0.1*x*y", "0.3 + 0.1*y^2"],
      ],
    },
  },
  sde2: { loss, noise: { isotropic: 1 }, dynamics: "sde2" },
  // 3-D (issue #12's row "2-D and 3-D"): the same loss plus z^2/2 + x*z/4; NumPy: batched eigh
  hessian3: { loss: loss3, noise: { hessian: 1 }, d: 3 },
  matrix3: {
    loss: loss3,
    noise: {
      matrix: [
        ["0.4 + 0.1*x^2", "0.1*x*y", "0.05"],
        ["0.1*x*y", "0.3 + 0.1*y^2", "0.02*z"],
        ["0.05", "0.02*z", "0.5"],
      ],
    },
    d: 3,
  },
  empirical: {
    loss: { samples: coef.map(([a, b, c]) => `(x^2-1)^2/4 + y^2/2 + (${a})*x + (${b})*y + (${c})*x*y`) },
  },
};

function meanX(final, M) {
  let s = 0;
  for (let j = 0; j < M; j++) s += final[j];
  const mean = s / M;
  let v = 0;
  for (let j = 0; j < M; j++) v += (final[j] - mean) ** 2;
  const half = 1.96 * Math.sqrt(v / (M - 1) / M);
  return { mean, ci95: [mean - half, mean + half] };
}

function numpyRun(name, M, K) {
  const args = [join(here, "noise_models_numpy.py"), name, String(M), String(K)];
  if (name === "empirical") args.push(coef.map((r) => r.join(",")).join(";"));
  return JSON.parse(execFileSync("python3", args, { encoding: "utf8" }).trim());
}

export async function benchNoiseModels({ M = 100000, K = 1000, rounds = 3 } = {}) {
  const results = [];
  for (const [name, c] of Object.entries(CASES)) {
    const { dynamics = "sde", d = 2, ...rest } = c;
    const spec = {
      name,
      ...rest,
      lr: 0.1,
      batch: 1,
      domain: Array.from({ length: d }, () => [-3, 3]),
    };
    const problem = problemFromSpec(spec);
    const opts = (m) => ({
      dynamics,
      dt: 0.01,
      seed: 1,
      init: { kind: "point", point: [-0.5, 0.5, 0.2].slice(0, d) },
      particles: m,
      steps: K,
    });
    simulate(problem, opts(1000)); // warm-up
    const mg = Math.max(1000, Math.round(M / 10));
    const tg = process.hrtime.bigint();
    const gen = simulate(problem, { ...opts(mg), general: true });
    const general = (mg * K) / (Number(process.hrtime.bigint() - tg) / 1e9);
    const rs = [];
    let last;
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      const res = await runEnsemble(problem, spec, here, { ...opts(M), threads: 1 });
      const js = (M * K) / (Number(process.hrtime.bigint() - t0) / 1e9);
      if (res.loop !== "generated")
        throw new Error(`${name}: expected the generated kernel, ran ${res.loop}`);
      const np = numpyRun(name, M, K);
      rs.push({ sgdscope: js, numpy: np.particle_steps_per_s, ratio: js / np.particle_steps_per_s });
      last = { res, np };
    }
    const nh = (1.96 * last.np.sd_x) / Math.sqrt(M);
    results.push({
      case: name,
      dynamics,
      dim: d,
      noise: rest.noise ?? "empirical (8 samples)",
      rounds: rs,
      ratio_median: median(rs.map((q) => q.ratio)),
      sgdscope_median_particle_steps_per_s: median(rs.map((q) => q.sgdscope)),
      numpy_median_particle_steps_per_s: median(rs.map((q) => q.numpy)),
      general_loop_particle_steps_per_s: general,
      general_loop_ran: gen.loop,
      final_mean_x: {
        sgdscope: meanX(last.res.final, M),
        numpy: { mean: last.np.mean_x, ci95: [last.np.mean_x - nh, last.np.mean_x + nh] },
      },
    });
  }
  return {
    what: "SDE Euler-Maruyama with state-dependent noise, eta = 0.1, dt = 0.01, B = 1, one thread",
    particles: M,
    steps: K,
    sde_time: K * 0.01,
    cases: results,
    target: { ratio_vs_numpy_1_thread: 1.5 },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [M, K, R] = process.argv.slice(2).map(Number);
  console.log(
    JSON.stringify(
      await benchNoiseModels({ M: M || undefined, K: K || undefined, rounds: R || undefined }),
      null,
      2,
    ),
  );
}
