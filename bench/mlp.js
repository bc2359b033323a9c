// Benchmark: minibatch SGD on a 2→16→16→2 tanh softmax MLP on two moons (N = 1000), many independent
// particles, JS (MlpLoss.batchGradient in a plain loop) against NumPy (bench/mlp_numpy.py: the identical
// update, vectorised over the batch, one particle at a time). Both sides draw their own batch indices
// (i.i.d. with replacement) inside the timed loop.
// Before timing, one particle is run for a few steps on both sides with the SAME batch indices and the
// final parameters are compared (must agree to ~1e-12: proves the NumPy update is the same update).
//
// Usage: npm run build && node bench/mlp.js [--particles 64] [--steps 500] [--numpy-particles 64] [--reps 3]
// The two sides are timed alternately --reps times and each side's best run is reported (the machine
// may be shared: the 1-minute load average before each repetition is recorded).
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
const arg = (name, def) => {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : def;
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
  let meanLoss = 0;
  for (let p = 0; p < particles; p++) meanLoss += loss.value(X.subarray(p * d, (p + 1) * d)) / particles;
  return { sec, meanLoss };
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
function runNumpy() {
  const py = spawnSync("python3", [join(here, "mlp_numpy.py"), input], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: pyEnv,
  });
  if (py.status !== 0) {
    console.error(`NumPy side failed (status ${py.status}): ${py.stderr}`);
    return null;
  }
  return JSON.parse(py.stdout);
}

// The machine may be shared: alternate the two sides REPS times and keep each side's best run.
const REPS = arg("reps", 3);
const jsRuns = [];
const npRuns = [];
const load = [];
for (let r = 0; r < REPS; r++) {
  load.push(loadavg()[0]);
  jsRuns.push(runJs(M, K));
  const np = runNumpy();
  if (np) npRuns.push(np);
}
rmSync(dir, { recursive: true, force: true });
const js = jsRuns.reduce((a, b) => (b.sec < a.sec ? b : a));
const jsRate = (M * K) / js.sec;
const numpy = npRuns.length ? npRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a)) : null;
let maxDiff = null;
if (numpy) {
  maxDiff = 0;
  for (let j = 0; j < d; j++) maxDiff = Math.max(maxDiff, Math.abs(numpy.check[j] - xCheck[j]));
}

const pairedRatios =
  npRuns.length === jsRuns.length ? jsRuns.map((r, k) => (M * K) / r.sec / npRuns[k].rate) : [];

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
    node: process.version,
  },
  numpy: numpy && {
    particles: MNP,
    steps: K,
    seconds: numpy.seconds,
    particleStepsPerSecond: numpy.rate,
    allRunsPerSecond: npRuns.map((r) => r.rate),
    finalMeanLoss: numpy.meanLoss,
    numpy: numpy.numpyVersion,
    python: numpy.pythonVersion,
  },
  /** Best JS rate / best NumPy rate. */
  ratio: numpy ? jsRate / numpy.rate : null,
  /** JS/NumPy rate of each back-to-back repetition, and their median (less sensitive to load drift). */
  pairedRatios,
  medianPairedRatio: pairedRatios.length ? median(pairedRatios) : null,
  check: { steps: CHECK_STEPS, maxAbsParamDiff: maxDiff },
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage1minBeforeEachRep: load },
  date: new Date().toISOString(),
};
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "mlp.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `MLP SGD: JS ${jsRate.toFixed(0)} particle-steps/s (${M}×${K})` +
    (numpy
      ? `, NumPy ${numpy.rate.toFixed(0)} (${MNP}×${K}), ratio ${(jsRate / numpy.rate).toFixed(2)}×, ` +
        `median paired ratio ${median(pairedRatios).toFixed(2)}×, same-update check max|Δx| = ${maxDiff.toExponential(2)}`
      : ", NumPy unavailable"),
);
if (maxDiff !== null && !(maxDiff < 1e-9)) {
  console.error("JS and NumPy updates disagree");
  process.exitCode = 1;
}
