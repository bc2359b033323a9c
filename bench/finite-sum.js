// Real minibatch SGD on a finite sum of expressions (issue #12, first row): N samples
//   ℓ_i(x, y) = (x^2-1)^2/4 + y^2/2 + a_i·x + b_i·y + c_i·x·y,   η = 0.1, start (−1, 0),
// B ∈ {1, 2, 8} with and without replacement (N = 16), and the issue's own case N = 8, B = 2 without
// replacement. Each case: M particles × K steps on one thread through runEnsemble (the CLI's path; the
// generated kernel), paired round by round with the NumPy baseline (finite_sum_numpy.py: one integer draw and
// one gather per step where the batch law is tabulated), ratio per round (wall and CPU time); both sides' mean final x with a 95%
// interval (the same law, so they must agree); the general loop's throughput once per case for reference.
// Usage: node bench/finite-sum.js [M] [K] [rounds]   (after npm run build)
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { problemFromSpec, simulate } from "../dist/index.js";
import { runEnsemble } from "../dist/parallel/ensemble.js";
import { median } from "./median.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Sample coefficients (a_i, b_i, c_i), 3 decimals, the same numbers on both sides. */
export function coefficients(n) {
  return Array.from({ length: n }, (_, i) =>
    [Math.sin(i + 1), Math.cos(2 * i + 1), 0.5 * Math.sin(3 * i + 2)].map((v) => Number(v.toFixed(3))),
  );
}

export function problemOf(coef, B, replacement) {
  const spec = {
    name: `finite sum N = ${coef.length}`,
    loss: {
      samples: coef.map(([a, b, c]) => `(x^2-1)^2/4 + y^2/2 + (${a})*x + (${b})*y + (${c})*x*y`),
    },
    lr: 0.1,
    batch: B,
    replacement,
    domain: [
      [-3, 3],
      [-3, 3],
    ],
  };
  return { spec, problem: problemFromSpec(spec) };
}

const opts = (M, K) => ({
  dynamics: "sgd",
  seed: 1,
  init: { kind: "point", point: [-1, 0] },
  particles: M,
  steps: K,
});

/** Mean of the first coordinate of the final positions with its 95% interval (normal approximation). */
function meanX(final, M) {
  let s = 0;
  for (let j = 0; j < M; j++) s += final[j];
  const mean = s / M;
  let v = 0;
  for (let j = 0; j < M; j++) v += (final[j] - mean) ** 2;
  const half = 1.96 * Math.sqrt(v / (M - 1) / M);
  return { mean, ci95: [mean - half, mean + half] };
}

function numpyRun(coef, M, K, B, replacement) {
  const c = coef.map((r) => r.join(",")).join(";");
  const out = execFileSync(
    "python3",
    [join(here, "finite_sum_numpy.py"), String(M), String(K), String(B), replacement ? "1" : "0", c],
    { encoding: "utf8" },
  );
  return JSON.parse(out.trim());
}

export async function benchFiniteSum({ M = 100000, K = 1000, rounds = 3 } = {}) {
  const cases = [];
  for (const replacement of [true, false]) for (const B of [1, 2, 8]) cases.push({ N: 16, B, replacement });
  cases.push({ N: 8, B: 2, replacement: false, note: "the issue's measured case (0.26× before the kernel)" });
  const results = [];
  for (const c of cases) {
    const coef = coefficients(c.N);
    const { spec, problem } = problemOf(coef, c.B, c.replacement);
    simulate(problem, opts(2000, K)); // warm-up (JIT, kernel generation)
    const mg = Math.max(1000, Math.round(M / 10));
    const tg0 = process.hrtime.bigint();
    const gen = simulate(problem, { ...opts(mg, K), general: true });
    const general = (mg * K) / (Number(process.hrtime.bigint() - tg0) / 1e9);
    const rs = [];
    let last;
    for (let r = 0; r < rounds; r++) {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      const res = await runEnsemble(problem, spec, here, { ...opts(M, K), threads: 1 });
      const js = (M * K) / (Number(process.hrtime.bigint() - t0) / 1e9);
      const cu = process.cpuUsage(c0);
      const jsCpu = (M * K) / ((cu.user + cu.system) / 1e6);
      if (res.loop !== "generated")
        throw new Error(`expected the generated kernel, ran the ${res.loop} loop`);
      const np = numpyRun(coef, M, K, c.B, c.replacement);
      rs.push({
        sgdscope: js,
        numpy: np.particle_steps_per_s,
        ratio: js / np.particle_steps_per_s,
        // per CPU-second of each process (less sensitive to other jobs on a loaded machine)
        cpu: {
          sgdscope: jsCpu,
          numpy: np.particle_steps_per_cpu_s,
          ratio: jsCpu / np.particle_steps_per_cpu_s,
        },
      });
      last = { res, np };
    }
    const sx = meanX(last.res.final, M);
    const nh = (1.96 * last.np.sd_x) / Math.sqrt(M);
    results.push({
      samples: c.N,
      batch: c.B,
      replacement: c.replacement,
      note: c.note,
      numpy_tabulated_batches: last.np.outcomes_tabulated,
      rounds: rs,
      ratio_median: median(rs.map((q) => q.ratio)),
      cpu_ratio_median: median(rs.map((q) => q.cpu.ratio)),
      sgdscope_batch_mean: last.res.batchMean,
      sgdscope_median_particle_steps_per_s: median(rs.map((q) => q.sgdscope)),
      numpy_median_particle_steps_per_s: median(rs.map((q) => q.numpy)),
      general_loop_particle_steps_per_s: general,
      general_loop_particles: mg,
      general_loop_ran: gen.loop,
      final_mean_x: {
        sgdscope: sx,
        numpy: { mean: last.np.mean_x, ci95: [last.np.mean_x - nh, last.np.mean_x + nh] },
      },
    });
  }
  return {
    what: "real minibatch SGD, N samples (x^2-1)^2/4 + y^2/2 + a_i x + b_i y + c_i x y, eta = 0.1, one thread",
    particles: M,
    steps: K,
    numpy: numpyRun(coefficients(2), 10, 1, 1, true).numpy,
    cases: results,
    target: { ratio_vs_numpy_1_thread: 1.5 },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [M, K, R] = process.argv.slice(2).map(Number);
  console.log(
    JSON.stringify(
      await benchFiniteSum({ M: M || undefined, K: K || undefined, rounds: R || undefined }),
      null,
      2,
    ),
  );
}
