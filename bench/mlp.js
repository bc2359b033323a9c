// Benchmark: minibatch SGD on a 2→16→16→2 tanh softmax MLP on two moons (N = 1000), many independent
// particles, JS (MlpLoss.batchGradient in a plain loop) against NumPy (bench/mlp_numpy.py: the identical
// update in two modes — "particle": vectorised over the batch, one particle at a time; "stack":
// vectorised over particles too, chunks of C particles with batched matmul, C picked by a short timed
// trial). The ratio is against the faster NumPy mode. Every side draws its own batch indices per particle
// (i.i.d. with replacement) inside the timed loop.
// Before timing, one particle is run for a few steps on every side with the SAME batch indices (in the
// stack mode: particle 0 of a C-stack) and the final parameters are compared (must agree to ≤ 1e-12:
// proves each NumPy update is the same update).
//
// Usage: npm run build && node bench/mlp.js [--particles 64] [--steps 500] [--numpy-particles 64] [--reps 3]
// The three runs (JS, NumPy particle, NumPy stack) are timed alternately --reps times and each one's best
// run is reported (the machine may be shared: the 1-minute load average before each repetition is recorded).
// Writes bench/results/mlp.json and prints a one-line summary.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MlpLoss, twoMoons } from "../dist/problem/models/index.js";
import { Rng } from "../dist/random/rng.js";
import { median } from "./median.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Value of the positive-integer flag --name (def when absent); exits with a clear message otherwise. */
const arg = (name, def) => {
  const k = process.argv.indexOf(`--${name}`);
  if (k < 0) return def;
  const v = Number(process.argv[k + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(
      `bench/mlp.js: --${name} must be a positive integer, got ${process.argv[k + 1] ?? "nothing"}`,
    );
    process.exit(2);
  }
  return v;
};

const N = 1000;
const B = 32;
const LR = 0.1;
const HIDDEN = [16, 16];
const M = arg("particles", 64);
const K = arg("steps", 500);
// NumPy runs the same workload by default (--numpy-particles to shorten it)
const MNP = arg("numpy-particles", M);
const SEED = 1;

const data = twoMoons(N, SEED, 0.1);
const loss = new MlpLoss(data.X, data.y, N, 2, 2, { hidden: HIDDEN, activation: "tanh", output: "softmax" });
const d = loss.dim;

/** Initial point of particle p: LeCun normal weights, zero biases, from stream p of seed 2. */
function initial(p) {
  const r = new Rng(2, p);
  return loss.initialParams(() => r.normal());
}

// ---------- 1. equivalence check: 1 particle, 20 steps, shared batch indices ----------
const CHECK_STEPS = 20;
const checkIdx = new Int32Array(CHECK_STEPS * B);
{
  const r = new Rng(3, 0);
  for (let k = 0; k < checkIdx.length; k++) checkIdx[k] = r.int(N);
}
const xCheck = initial(0);
const x0Check = Float64Array.from(xCheck);
{
  const g = new Float64Array(d);
  for (let k = 0; k < CHECK_STEPS; k++) {
    loss.batchGradient(checkIdx.subarray(k * B, (k + 1) * B), B, xCheck, g);
    for (let j = 0; j < d; j++) xCheck[j] -= LR * g[j];
  }
}

// ---------- 2. JS timing ----------
function runJs(particles, steps) {
  const X = new Float64Array(particles * d); // structure of arrays: particle p at [p·d, (p+1)·d)
  for (let p = 0; p < particles; p++) X.set(initial(p), p * d);
  const g = new Float64Array(d);
  const idx = new Int32Array(B);
  const rng = new Rng(SEED, 0);
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < particles; p++) {
    const x = X.subarray(p * d, (p + 1) * d);
    rng.reseed(SEED, p);
    for (let k = 0; k < steps; k++) {
      for (let j = 0; j < B; j++) idx[j] = rng.int(N);
      loss.batchGradient(idx, B, x, g);
      for (let j = 0; j < d; j++) x[j] -= LR * g[j];
    }
  }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const losses = [];
  for (let p = 0; p < particles; p++) losses.push(loss.value(X.subarray(p * d, (p + 1) * d)));
  const meanLoss = losses.reduce((a, b) => a + b, 0) / particles;
  const sd = Math.sqrt(losses.reduce((a, b) => a + (b - meanLoss) ** 2, 0) / (particles - 1));
  return {
    sec,
    losses,
    meanLoss,
    meanLossHalfWidth95: particles > 1 ? (1.96 * sd) / Math.sqrt(particles) : null,
  };
}
runJs(4, 200); // warm-up (JIT)

// ---------- 3. NumPy: same data, same init, same update ----------
const dir = mkdtempSync(join(tmpdir(), "sgdscope-mlp-"));
const input = join(dir, "in.json");
const inits = [];
for (let p = 0; p < Math.max(MNP, 1); p++) inits.push(Array.from(initial(p)));
writeFileSync(
  input,
  JSON.stringify({
    X: Array.from(data.X),
    y: Array.from(data.y),
    n: N,
    sizes: [2, ...HIDDEN, 2],
    lr: LR,
    batch: B,
    particles: MNP,
    steps: K,
    reps: 1,
    inits,
    check: { x0: Array.from(x0Check), idx: Array.from(checkIdx), steps: CHECK_STEPS },
  }),
);
// one thread for NumPy's BLAS too: this compares single-thread throughput
const pyEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
const NUMPY_MODES = ["particle", "stack"];
function runNumpy(mode) {
  const py = spawnSync("python3", [join(here, "mlp_numpy.py"), input, mode], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: pyEnv,
  });
  if (py.status !== 0) {
    console.error(`NumPy side (${mode} mode) failed (status ${py.status}): ${py.stderr}`);
    return null;
  }
  return JSON.parse(py.stdout);
}

// The machine may be shared: alternate the sides REPS times and keep each side's best run.
const REPS = arg("reps", 3);
const jsRuns = [];
/** NumPy runs per mode, null where a run failed (kept so that rounds stay paired). */
const npRuns = Object.fromEntries(NUMPY_MODES.map((m) => [m, []]));
const load = [];
for (let r = 0; r < REPS; r++) {
  load.push(loadavg()[0]);
  jsRuns.push(runJs(M, K));
  for (const mode of NUMPY_MODES) npRuns[mode].push(runNumpy(mode));
}
rmSync(dir, { recursive: true, force: true });
const js = jsRuns.reduce((a, b) => (b.sec < a.sec ? b : a));
const jsRate = (M * K) / js.sec;

/** Best run, paired ratios and same-update check of one NumPy mode (null if every run failed). */
function summarise(mode) {
  const runs = npRuns[mode];
  const ok = runs.filter((r) => r !== null);
  if (!ok.length) return null;
  const best = ok.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  let maxDiff = 0;
  for (const r of ok)
    for (const c of [r.check, r.checkLast ?? r.check])
      for (let j = 0; j < d; j++) maxDiff = Math.max(maxDiff, Math.abs(c[j] - xCheck[j]));
  const paired = [];
  for (let k = 0; k < REPS; k++) if (runs[k]) paired.push((M * K) / jsRuns[k].sec / runs[k].rate);
  return {
    mode,
    particles: MNP,
    steps: K,
    seconds: best.seconds,
    particleStepsPerSecond: best.rate,
    allRunsPerSecond: ok.map((r) => r.rate),
    finalMeanLoss: best.meanLoss,
    /** 95% interval half-width of the final mean loss over the particles. */
    finalMeanLossHalfWidth95: best.meanLossHalfWidth95,
    ...(mode === "stack"
      ? {
          /** Stack size C of each run (each run picks it by its own timed trial) and the trials' rates. */
          chunks: ok.map((r) => r.chunk),
          trials: ok.map((r) => ({ seconds: r.trialSeconds, rates: r.trial })),
        }
      : {}),
    /** JS/NumPy rate of each back-to-back repetition, and their median. */
    pairedRatios: paired,
    medianPairedRatio: median(paired),
    /** Max |Δx| between this mode's and JS's parameters after the shared-index check run (every run; in the
     * stack mode particles 0 and C − 1 of the stack both run the check). */
    checkMaxAbsParamDiff: maxDiff,
    numpy: best.numpyVersion,
    python: best.pythonVersion,
  };
}
const numpyModes = Object.fromEntries(NUMPY_MODES.map((m) => [m, summarise(m)]));
const okModes = NUMPY_MODES.filter((m) => numpyModes[m] !== null);
/** The baseline: the NumPy mode with the higher best rate. */
const baseMode = okModes.length
  ? okModes.reduce((a, b) =>
      numpyModes[b].particleStepsPerSecond > numpyModes[a].particleStepsPerSecond ? b : a,
    )
  : null;
const numpy = baseMode && numpyModes[baseMode];
const maxDiff = okModes.length ? Math.max(...okModes.map((m) => numpyModes[m].checkMaxAbsParamDiff)) : null;
const pairedRatios = numpy ? numpy.pairedRatios : [];

const result = {
  benchmark: "minibatch SGD, MLP 2→16→16→2 tanh softmax, two moons N=1000",
  config: { n: N, batch: B, lr: LR, hidden: HIDDEN, params: d, replacement: true },
  js: {
    particles: M,
    steps: K,
    seconds: js.sec,
    particleStepsPerSecond: jsRate,
    allRunsPerSecond: jsRuns.map((r) => (M * K) / r.sec),
    finalMeanLoss: js.meanLoss,
    finalMeanLossHalfWidth95: js.meanLossHalfWidth95,
    node: process.version,
  },
  /** The baseline the ratio is against: the faster NumPy mode (its name in numpy.mode). */
  numpy,
  /** Every NumPy mode's figures ("particle": one particle at a time; "stack": C particles per batched matmul). */
  numpyModes,
  /** Best JS rate / best rate of the faster NumPy mode. */
  ratio: numpy ? jsRate / numpy.particleStepsPerSecond : null,
  /** JS/NumPy (faster mode) rate of each back-to-back repetition, and their median (less sensitive to load drift). */
  pairedRatios,
  medianPairedRatio: pairedRatios.length ? median(pairedRatios) : null,
  check: { steps: CHECK_STEPS, maxAbsParamDiff: maxDiff, tolerance: 1e-12 },
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage1minBeforeEachRep: load },
  date: new Date().toISOString(),
};
const modeText = (m) => {
  const r = numpyModes[m];
  if (!r) return `${m} failed`;
  const c = m === "stack" ? ` C = ${r.chunks.join("/")}` : "";
  return `${m}${c} ${r.particleStepsPerSecond.toFixed(0)} (median paired ${r.medianPairedRatio.toFixed(2)}×)`;
};
console.log(
  `MLP SGD: JS ${jsRate.toFixed(0)} particle-steps/s (${M}×${K})` +
    (numpy
      ? `, NumPy (${MNP}×${K}) ${NUMPY_MODES.map(modeText).join(", ")}; ratio against NumPy ${baseMode} mode ` +
        `${result.ratio.toFixed(2)}×, median paired ${result.medianPairedRatio.toFixed(2)}×, ` +
        `same-update check max|Δx| = ${maxDiff.toExponential(2)}`
      : ", NumPy unavailable"),
);
// Final loss after K steps: a statistical cross-check that every side runs the same SGD. Particle p starts at
// the same point on every side and draws its own batches, so the per-particle loss differences JS − NumPy
// have mean 0 if the dynamics agree: their mean with a 95% interval (normal approximation) is printed and
// recorded, and a warning is printed when the interval excludes 0.
const lossText = (r) =>
  `${r.finalMeanLoss.toFixed(5)}${r.finalMeanLossHalfWidth95 === null ? "" : ` ± ${r.finalMeanLossHalfWidth95.toFixed(5)}`}`;
const lossDiffs = {};
for (const m of okModes) {
  const np = npRuns[m].find((r) => r !== null);
  const P = Math.min(M, MNP);
  if (P < 2) continue;
  const diff = [];
  for (let p = 0; p < P; p++) diff.push(js.losses[p] - np.losses[p]);
  const mean = diff.reduce((a, b) => a + b, 0) / P;
  const sd = Math.sqrt(diff.reduce((a, b) => a + (b - mean) ** 2, 0) / (P - 1));
  lossDiffs[m] = { particles: P, mean, halfWidth95: (1.96 * sd) / Math.sqrt(P) };
}
result.finalLossDifferenceJsMinusNumpy = lossDiffs;
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "mlp.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `  final mean loss over the particles (95% interval): JS ${lossText(result.js)}` +
    okModes.map((m) => `, NumPy ${m} ${lossText(numpyModes[m])}`).join("") +
    `; paired per-particle difference JS − NumPy: ` +
    Object.entries(lossDiffs)
      .map(([m, q]) => `${m} ${q.mean.toExponential(2)} ± ${q.halfWidth95.toExponential(2)}`)
      .join(", "),
);
for (const [m, q] of Object.entries(lossDiffs))
  if (Math.abs(q.mean) > q.halfWidth95)
    console.warn(`  warning: JS − NumPy ${m} final loss difference excludes 0 at 95% (one in 20 by chance)`);
if (maxDiff !== null && !(maxDiff <= 1e-12)) {
  console.error("JS and NumPy updates disagree (max |Δx| > 1e-12)");
  process.exitCode = 1;
}
