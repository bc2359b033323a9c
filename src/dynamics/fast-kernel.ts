/**
 * The hot path of `simulate`: a loss with generated gradient code and any noise model — diagonal (constant,
 * given by expressions, or none), empirical (sample families), loss, and 2-D Hessian and matrix noise inline;
 * others through the model's own factor() — dynamics sgd / gd / noisy-sgd / sde / sde2; and real minibatch SGD on a finite sum of expressions
 * (samples differing only in literals gather their literals from a table; otherwise a switch on the sample
 * index, or calls for large sums; with tabulated batch means — batch-table.ts — one draw and one gather per
 * step, several particles in lockstep: lanes-kernel.ts); with or without a target region and the SDE's Brownian-bridge exit
 * correction. Not covered (general loop): momentum, data-driven models (GLM, MLP) and losses without code.
 * A loop is generated per (loss, target, noise, batches) with the
 * coordinates, the gradient, the region test, the region's level function, the noise variances and the
 * xoshiro128** state in local variables
 * (several times faster than the general loop, which keeps them in typed arrays and calls closures), two
 * particles at a time with their steps interleaved (except for finite-sum minibatches).
 *
 * It draws the same numbers in the same order and does the same floating-point operations as the
 * general loop in simulate.ts, so results are bit-identical to it (tested): keep the two in step.
 * The generated text contains only names made here and the loss's and region's own generated code
 * (see problem/expr/codegen.ts): no character of user input.
 */
import { CODE_HELPERS, type Region, type RegionCode } from "../problem/expr/index.js";
import { PSD_TOL } from "../problem/noise.js";
import type { FiniteSum, Loss, NoiseModel } from "../problem/types.js";
import { type Rng, ZIGGURAT_F, ZIGGURAT_K, ZIGGURAT_R, ZIGGURAT_W, ZIGGURAT_WS } from "../random/rng.js";
import type { BatchTable } from "./batch-table.js";
import { BRIDGE_NEGLIGIBLE_EXPONENT } from "./bridge.js";
import { drawInitial, type InitialLaw } from "./initial.js";
import { lanesLoop, mulHigh } from "./lanes-kernel.js";

export interface FastKernelArgs {
  loss: Loss;
  d: number;
  from: number;
  m: number;
  seed: number;
  K: number;
  /** Step in SDE time (η or dt). */
  h: number;
  /** Per-coordinate noise multipliers for constant diagonal noise: x_i += −h g_i + diagMul_i z_i. */
  diagMul: Float64Array;
  useNoise: boolean;
  /**
   * State-dependent diagonal noise (instead of diagMul): x_i += −h g_i + noiseMul·(√max(Σ_ii(x), 0) z_i),
   * Σ_ii from the noise model's generated code; the model's factor() is called where a variance is
   * negative or NaN (it throws beyond round-off, like the general loop).
   */
  diagonal?: { noise: NoiseModel; noiseMul: number };
  /**
   * Any other noise model (empirical, Hessian, loss, matrix): its factor() is called at the start of each step
   * (as in the general loop: the same function, the same PSD clamp and errors), r normals are drawn, and
   * x_i += −h g_i + noiseMul·Σ_c F_ic z_c.
   */
  factor?: { noise: NoiseModel; noiseMul: number };
  /** sde2: the drift −(I + (η/2)∇²L)∇L, with ∇²L from loss.hessian (η = the learning rate). */
  sde2?: { eta: number };
  deltaMul: number;
  /**
   * Real minibatches of a finite sum (sgd / noisy-sgd): B sample indices per step, drawn as Rng.int draws
   * them (with replacement), or by a partial Fisher–Yates shuffle of `perm` (length N, reset to the identity
   * for each particle; without replacement); the drift is (1/B) Σ_b ∇ℓ_{i_b}(x), summed in batch order.
   * With `table` (batch-table.ts): one draw Rng.int(outcomes) per step and ∇ℓ at the outcome's tabulated mean
   * literals, as the general loop does.
   */
  batches?: { fs: FiniteSum; B: number; replacement: boolean; perm: Int32Array; table?: BatchTable };
  bound: number;
  init: InitialLaw;
  /** Target region (particles stop on entry), its source (the kernel cache key) and its kernel code. */
  inside: Region | undefined;
  target?: { src: string; code: RegionCode };
  /** Apply the Brownian-bridge correction (SDE with a target whose level function exists). */
  bridge: boolean;
  /** Added isotropic noise δ (enters the bridge's normal variance rate a_n = nᵀ(ηΣ_B)n + 2δ). */
  delta: number;
  snaps: readonly number[];
  snapshots: Float64Array;
  final: Float64Array;
  exitTime: Float64Array;
  divergedStep: Int32Array;
  rng: Rng;
  /** Scratch of length d. */
  x: Float64Array;
  shouldStop?: () => boolean;
  onProgress?: (done: number) => void;
}

export interface FastKernelResult {
  completed: number;
  startedInside: number;
  stopped: boolean;
}

type Kernel = (
  a: FastKernelArgs & {
    ZK: Int32Array;
    ZW: Float64Array;
    ZWS: Float64Array;
    ZF: Float64Array;
    ZR: number;
    drawInitial: typeof drawInitial;
    NEGLIGIBLE: number;
    PSD_TOL: number;
  },
  ...helpers: Array<(v: number) => number>
) => FastKernelResult;

const cache = new WeakMap<Loss, Map<string, Kernel>>();
/** Distinguishes noise models in the cache key (a kernel embeds its noise model's code). */
const noiseIds = new WeakMap<NoiseModel, number>();
let nextNoiseId = 0;
function noiseId(n: NoiseModel): number {
  let id = noiseIds.get(n);
  if (id === undefined) {
    id = nextNoiseId++;
    noiseIds.set(n, id);
  }
  return id;
}

/** True when the loss exposes generated gradient code, so that a kernel can be built. */
export function fastKernelAvailable(loss: Loss): boolean {
  return loss.gradientCode !== undefined;
}

/**
 * True when the loss is a finite sum of at most 2¹⁶ samples with generated per-sample gradient code (then
 * real-minibatch kernels can be built; Rng.int's other branch, for larger N, is not generated).
 */
export function finiteSumKernelAvailable(loss: Loss): boolean {
  const fs = loss.finiteSum;
  return (
    fs !== undefined && (fs.family !== undefined || fs.sampleGradientCode !== undefined) && fs.n <= 65536
  );
}

/**
 * At most this many characters of per-sample gradient code are inlined into a kernel (a `switch` on the
 * sample index); larger finite sums call `sampleGradient` from the kernel instead (same numbers), so that
 * the kernel stays small enough for V8 to optimise.
 */
const INLINE_SAMPLES_MAX_CHARS = 40000;

/** Particles advanced together by a kernel (interleaved steps; see `lanes` in generate). */
const LANES = 2;

/** Empirical noise of at most this many samples is unrolled (per-sample gradients in locals). */
const EMPIRICAL_UNROLL_MAX = 16;

function generate(
  loss: Loss,
  d: number,
  useNoise: boolean,
  hasDelta: boolean,
  target: RegionCode | undefined,
  bridge: boolean,
  diagonal: NoiseModel["diagonalCode"],
  batches: { n: number; B: number; replacement: boolean; outcomes?: number } | undefined,
  factorRank: number,
  sde2: boolean,
  hessianScale: number | undefined,
  empirical: boolean,
  lossScale: number | undefined,
  mcode: NoiseModel["matrixCode"],
): Kernel {
  const factor = factorRank > 0;
  const hcode = loss.hessianCode;
  // ∇²L at the current point into locals `${pre}0 … ${pre}(d²−1)` (generated code, or loss.hessian)
  const hessianAt = (pre: string) =>
    hcode !== undefined
      ? `${Array.from({ length: d * d }, (_, k) => `let ${pre}${k} = 0;`).join(" ")}
        {
          ${hcode(X, (k) => `${pre}${k}`, `_${pre}`)}
        }`
      : `${all((i) => `xb[${i}] = ${X(i)};`)}
        loss.hessian(xb, HB);
        ${Array.from({ length: d * d }, (_, k) => `const ${pre}${k} = HB[${k}];`).join(" ")}`;
  // Hessian noise in 2-D and 3-D: the factor √c·P₊(∇²L)^{1/2} computed inline exactly as noise.ts/psd.ts do
  // it (jacobiInPlace — on 2×2 one rotation — then eigenvalues clipped at 0), into FB
  const hessianInline = hessianScale !== undefined && (d === 2 || d === 3) && hcode !== undefined;
  // 2×2: jacobiInPlace (one rotation) on the matrix in locals m0..m3, then r_k = √max(eigenvalue, 0) (psd.ts)
  const jacobi2 = (m: string) => `
        let a0 = ${m}0, a1 = ${m}1, a2 = ${m}2, a3 = ${m}3;
        let v0 = 1, v1 = 0, v2 = 0, v3 = 1;
        let total = 0;
        total += a0 * a0; total += a1 * a1; total += a2 * a2; total += a3 * a3;
        let off = 0;
        off += a1 * a1;
        if (!(off <= 1e-32 * total || off === 0) && a1 !== 0) {
          const theta = (a3 - a0) / (2 * a1);
          const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          const c = 1 / Math.sqrt(t * t + 1);
          const s = t * c;
          { const akp = a0, akq = a1; a0 = c * akp - s * akq; a1 = s * akp + c * akq; }
          { const akp = a2, akq = a3; a2 = c * akp - s * akq; a3 = s * akp + c * akq; }
          { const apk = a0, aqk = a2; a0 = c * apk - s * aqk; a2 = s * apk + c * aqk; }
          { const apk = a1, aqk = a3; a1 = c * apk - s * aqk; a3 = s * apk + c * aqk; }
          { const vkp = v0, vkq = v1; v0 = c * vkp - s * vkq; v1 = s * vkp + c * vkq; }
          { const vkp = v2, vkq = v3; v2 = c * vkp - s * vkq; v3 = s * vkp + c * vkq; }
        }
        const r0 = a0 > 0 ? Math.sqrt(a0) : 0;
        const r1 = a3 > 0 ? Math.sqrt(a3) : 0;
`;
  // n×n (n = 3): linalg/dense.ts jacobiInPlace unrolled on locals a_k, v_k (row-major) — the same cyclic
  // sweeps, stopping test, rotations and update order, so the same numbers — then r_k = √max(a_kk, 0) (psd.ts)
  const jacobiN = (m: string, n: number) => {
    const pairs: Array<[number, number]> = [];
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) pairs.push([p, q]);
    const ks = Array.from({ length: n }, (_, k) => k);
    const rotate = ([p, q]: [number, number]) => `{
          const apq = a${p * n + q};
          if (apq !== 0) {
            const app = a${p * n + p};
            const aqq = a${q * n + q};
            const theta = (aqq - app) / (2 * apq);
            const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
            const c = 1 / Math.sqrt(t * t + 1);
            const s = t * c;
            ${ks.map((k) => `{ const akp = a${k * n + p}, akq = a${k * n + q}; a${k * n + p} = c * akp - s * akq; a${k * n + q} = s * akp + c * akq; }`).join("\n            ")}
            ${ks.map((k) => `{ const apk = a${p * n + k}, aqk = a${q * n + k}; a${p * n + k} = c * apk - s * aqk; a${q * n + k} = s * apk + c * aqk; }`).join("\n            ")}
            a${p * n + q} = 0;
            a${q * n + p} = 0;
            ${ks.map((k) => `{ const vkp = v${k * n + p}, vkq = v${k * n + q}; v${k * n + p} = c * vkp - s * vkq; v${k * n + q} = s * vkp + c * vkq; }`).join("\n            ")}
          }
        }`;
    const nn = Array.from({ length: n * n }, (_, k) => k);
    return `
        ${nn.map((k) => `let a${k} = ${m}${k};`).join(" ")}
        ${nn.map((k) => `let v${k} = ${k % (n + 1) === 0 ? 1 : 0};`).join(" ")}
        let total = 0;
        ${nn.map((k) => `total += a${k} * a${k};`).join(" ")}
        for (let sweep = 0; sweep < 100; sweep++) {
          let off = 0;
          ${pairs.map(([i, j]) => `off += a${i * n + j} * a${i * n + j};`).join(" ")}
          if (off <= 1e-32 * total || off === 0) break;
          ${pairs.map(rotate).join("\n          ")}
        }
        ${ks.map((k) => `const r${k} = a${k * n + k} > 0 ? Math.sqrt(a${k * n + k}) : 0;`).join(" ")}
`;
  };
  const jacobi = (m: string) => (d === 2 ? jacobi2(m) : jacobiN(m, d));
  // factor entries FB[i·d + k] = v_ik·r_k (times `mul`), as psdFactor writes them
  const factorFromEigen = (mul: string) =>
    Array.from({ length: d * d }, (_, k) => `fm${k} = v${k} * r${k % d}${mul};`).join(" ");
  // matrix noise in 2-D and 3-D: entries from the model's code, the checks of noise.ts matrixNoise
  // (non-finite, asymmetric, not PSD: then factor() is called, which throws the same located error), the PSD
  // factor
  const matrixInline = mcode !== undefined && (d === 2 || d === 3);
  const matrixStep = () => {
    const nn = Array.from({ length: d * d }, (_, k) => k);
    const upper: Array<[number, number]> = [];
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) upper.push([i, j]);
    return `{
        ${nn.map((k) => `let mm${k} = 0;`).join(" ")}
        {
          ${mcode!(X, (k) => `mm${k}`, "_m")}
        }
        let bad = !(${nn.map((k) => `Number.isFinite(mm${k})`).join(" && ")});
        let scale = 0;
        ${nn.map((k) => `scale = Math.max(scale, Math.abs(mm${k}));`).join(" ")}
        ${upper.map(([i, j]) => `if (Math.abs(mm${i * d + j} - mm${j * d + i}) > 1e-12 * (1 + scale)) bad = true;`).join("\n        ")}
        ${jacobi("mm")}
        let minEig = Infinity;
        ${Array.from({ length: d }, (_, k) => `if (a${k * (d + 1)} < minEig) minEig = a${k * (d + 1)};`).join(" ")}
        if (bad || minEig < -PSD_TOL * Math.max(scale, 1e-300)) {
          ${all((i) => `xb[${i}] = ${X(i)};`)}
          noiseModel.factor(xb, FB, W);
        }
        ${factorFromEigen("")}
      }`;
  };
  // empirical noise of a sample family: the factor columns (∇ℓ_s − mean)/√N computed inline exactly as
  // noise.ts empiricalNoise does (per-sample gradients in order, their mean, then the columns), into FB
  const fam = empirical ? loss.finiteSum?.family : undefined;
  // loss noise: F = √(c·max(L, 0))·I exactly as noise.ts lossNoise (the loss's value code), into FB
  const lossInline = lossScale !== undefined && loss.valueCode !== undefined;
  const lossStep = () => `{
        let lval = 0;
        {
          ${loss.valueCode!(X, () => "lval", "_l")}
        }
        const sl = Math.sqrt(${lossScale} * Math.max(lval, 0));
        ${Array.from({ length: d * d }, (_, k) => `fm${k} = ${k % (d + 1) === 0 ? "sl" : "0"};`).join(" ")}
      }`;
  // empirical noise, fused: per-sample gradients (unrolled for up to EMPIRICAL_UNROLL_MAX samples, their
  // parameters hoisted into locals), their mean, then per sample s one normal z_s and acc_i += F_is·z_s with
  // F_is = (∇ℓ_s − mean)_i/√N — the operations of noise.ts empiricalNoise + the general loop's Σ_c F_ic z_c, in
  // the same order (the factor does not draw, so drawing z_s after all gradients keeps the stream). FB is
  // written only when the bridge needs the factor.
  const empiricalFused = () => {
    const n = loss.finiteSum!.n;
    const P = fam!.params;
    const unroll = n <= EMPIRICAL_UNROLL_MAX;
    const fbStore = (s: string, i: number, v: string) => (bridge ? `FB[${i * n} + ${s}] = ${v};` : "");
    if (unroll) {
      const grads = Array.from(
        { length: n },
        (_, s) => `${all((i) => `let q${s}_${i} = 0;`)}
        {
          ${fam!.gradientCode(
            (k) => (k < d ? X(k) : `ep${s}_${k - d}`),
            (i) => `q${s}_${i}`,
            `_e${s}`,
          )}
        }`,
      ).join("\n");
      const cols = Array.from(
        { length: n },
        (_, s) => `{
        let z = 0.0;
        ${normal()}
        ${all((i) => `{ const fv = (q${s}_${i} - em${i}) * ISQ; ${fbStore(String(s), i, "fv")} acc${i} += fv * z; }`)}
      }`,
      ).join("\n");
      return `
        ${grads}
        ${all((i) => `let em${i} = 0;`)}
        ${Array.from({ length: n }, (_, s) => all((i) => `em${i} += q${s}_${i};`)).join("\n")}
        ${all((i) => `em${i} /= ${n};`)}
        ${all((i) => `let acc${i} = 0;`)}
        ${cols}
        ${all((i) => `${X(i)} += -h * ${G(i)} + NM * acc${i};`)}`;
    }
    return `
        ${all((i) => `let em${i} = 0;`)}
        for (let s = 0; s < ${n}; s++) {
          ${all((i) => `let q${i} = 0;`)}
          {
            const po = s * ${P};
            ${fam!.gradientCode(
              (k) => (k < d ? X(k) : `EPT[po + ${k - d}]`),
              (i) => `q${i}`,
              "_e",
            )}
          }
          ${all((i) => `AL[s * ${d} + ${i}] = q${i}; em${i} += q${i};`)}
        }
        ${all((i) => `em${i} /= ${n};`)}
        ${all((i) => `let acc${i} = 0;`)}
        for (let s = 0; s < ${n}; s++) {
          let z = 0.0;
          ${normal()}
          ${all((i) => `{ const fv = (AL[s * ${d} + ${i}] - em${i}) * ISQ; ${fbStore("s", i, "fv")} acc${i} += fv * z; }`)}
        }
        ${all((i) => `${X(i)} += -h * ${G(i)} + NM * acc${i};`)}`;
  };
  // the family's parameters of every sample as locals (unrolled empirical noise)
  const empiricalParams = () =>
    fam !== undefined && loss.finiteSum!.n <= EMPIRICAL_UNROLL_MAX
      ? Array.from({ length: loss.finiteSum!.n }, (_, s) =>
          Array.from(
            { length: fam.params },
            (_, k) => `const ep${s}_${k} = EPT[${s * fam.params + k}];`,
          ).join(" "),
        ).join("\n  ")
      : "";
  const hasTarget = target !== undefined;
  // Two particles can be advanced in the same loop iteration ("lanes", see LANES): every name of a
  // particle's state carries the suffix of the lane whose code is being generated
  let lane = "";
  const V = (name: string) => `${name}${lane}`;
  const X = (i: number) => `x${i}${lane}`;
  const G = (i: number) => `g${i}${lane}`;
  const LG = (i: number) => `lg${i}${lane}`;
  const all = (f: (i: number) => string, sep = "\n") => Array.from({ length: d }, (_, i) => f(i)).join(sep);
  const [s0, s1, s2, s3] = [0, 1, 2, 3].map((q) => () => V(`s${q}`));
  const sync = () => `st[0] = ${s0()}; st[1] = ${s1()}; st[2] = ${s2()}; st[3] = ${s3()};`;
  const reload = () => `${s0()} = st[0]; ${s1()} = st[1]; ${s2()} = st[2]; ${s3()} = st[3];`;
  // xoshiro128** step on the local state, leaving the 32-bit output in `out` (as Rng.nextU32)
  // (on the locals `${s}0 … ${s}3` when a prefix is given: lanes-kernel.ts)
  const next = (out: string, s?: string) => {
    const [a0, a1, a2, a3] = s === undefined ? [s0(), s1(), s2(), s3()] : [0, 1, 2, 3].map((q) => `${s}${q}`);
    return `{
          const r = Math.imul(${a1}, 5);
          ${out} = Math.imul((r << 7) | (r >>> 25), 9);
          const t2 = ${a2} ^ ${a0};
          const t3 = ${a3} ^ ${a1};
          ${a2} = t2 ^ (${a1} << 9);
          ${a1} ^= t2;
          ${a0} ^= t3;
          ${a3} = (t3 << 11) | (t3 >>> 21);
        }`;
  };
  // uniform on (0, 1) from one output (as Rng.uniformOpen)
  const uniformOpen = (out: string) =>
    `{ let w = 0; ${next("w")} ${out} = ((w >>> 0) + 0.5) * 2.3283064365386963e-10; }`;
  // uniform on [0, 1) with 53 bits from two outputs (as Rng.uniform)
  const uniform53 = (out: string) =>
    `{ let wa = 0; let wb = 0; ${next("wa")} ${next("wb")} ${out} = ((wa >>> 5) * 67108864 + (wb >>> 6)) / 9007199254740992; }`;
  // the drift: ∇L(x) into g_i, or the minibatch mean (1/B) Σ_b ∇ℓ_{i_b}(x) (as simulate.ts batchGradient)
  const drift = () =>
    batches === undefined
      ? `${loss.gradientCode!(X, G, "_")}${
          sde2
            ? `
        ${hessianAt("hd")}
        ${all((i) => `let gl${i} = 0; { let acc = 0; ${Array.from({ length: d }, (_, c) => `acc += hd${i * d + c} * ${G(c)};`).join(" ")} gl${i} = ${G(i)} + 0.5 * ETA * acc; }`)}
        ${all((i) => `${G(i)} = gl${i};`)}`
            : ""
        }`
      : batchDrift(loss.finiteSum!, batches);
  function batchDrift(
    fs: FiniteSum,
    b: { n: number; B: number; replacement: boolean; outcomes?: number },
  ): string {
    const fam = fs.family;
    if (b.outcomes !== undefined) {
      // tabulated (batch-table.ts): k = Rng.int(outcomes) (Lemire, as below), ∇ℓ at outcome k's mean literals
      return `
        let ix = 0;
        for (;;) {
          let w = 0;
          ${next("w")}
          if (Math.imul(w, ${b.outcomes}) >>> 0 >= THO) { ix = ${mulHigh("w", String(b.outcomes))}; break; }
        }
        const po = ix * ${fam!.params};
        ${fam!.gradientCode((k) => (k < d ? X(k) : `BT[po + ${k - d}]`), G, "_f")}`;
    }
    const codes = fam !== undefined ? [] : fs.sampleGradientCode!;
    const cases = codes.map(
      (c, s) => `case ${s}: {
            ${c(X, (i) => `q${i}`, `_c${s}`)}
            break;
          }`,
    );
    const inline = fam === undefined && cases.reduce((a, c) => a + c.length, 0) <= INLINE_SAMPLES_MAX_CHARS;
    // one sample's gradient: the family's code on the gathered parameters, a switch, or a call
    const sample =
      fam !== undefined
        ? `{
            const po = ix * ${fam.params};
            ${fam.gradientCode(
              (k) => (k < d ? X(k) : `PT[po + ${k - d}]`),
              (i) => `q${i}`,
              "_f",
            )}
          }`
        : inline
          ? `switch (ix) {
          ${cases.join("\n")}
          }`
          : `fsum.sampleGradient(ix, xb, gq);
          ${all((i) => `q${i} = gq[${i}];`)}`;
    // Rng.int(nb) for nb ≤ 2¹⁶: Lemire's method with rejection; the low word of x·nb is Math.imul(w, nb)
    // (exact integer arithmetic, as Rng.int's (x·nb) mod 2³²), the high word ⌊x·nb/2³²⌋
    const draw = `{
            const thr = TH[b];
            for (;;) {
              let w = 0;
              ${next("w")}
              if (Math.imul(w, nb) >>> 0 >= thr) { ix = ${mulHigh("w", "nb")}; break; }
            }
          }`;
    return `
        ${all((i) => `${G(i)} = 0;`)}
        ${fam !== undefined || inline ? "" : all((i) => `xb[${i}] = ${X(i)};`)}
        for (let b = 0; b < ${b.B}; b++) {
          const nb = ${b.replacement ? b.n : `${b.n} - b`};
          let ix = 0;
          ${draw}
          ${b.replacement ? "" : "{ const jj = b + ix; const t = perm[b]; perm[b] = perm[jj]; perm[jj] = t; ix = perm[b]; }"}
          ${all((i) => `let q${i} = 0;`)}
          ${sample}
          ${all((i) => `${G(i)} += q${i};`)}
        }
        ${all((i) => `${G(i)} /= ${b.B};`)}`;
  }
  // level function φ and ∇φ at the current point into (lv, lg_i) or (nv, ng_i)
  const level = (v: string, dest: (i: number) => string) => target!.level!(X, v, dest, `_${v}`);
  // leaves the current lane's step: the particle stopped (exit or divergence)
  const stop = () => `{ ${V("alive")} = false; break ${V("step")}; }`;
  // Brownian bridge after a step that stayed outside (as the general loop; φ, ∇φ at the previous point
  // are carried over in lv, lg_i): exit with the crossing probability exp(−2 d0 d1/(a_n h))
  const bridgeStep = () => `{
        let nv = 0;
        ${all((i) => `let ng${i} = 0;`)}
        ${level("nv", (i) => `ng${i}`)}
        let n1 = 0;
        ${all((i) => `n1 += ng${i} * ng${i};`)}
        n1 = Math.sqrt(n1);
        let n0 = 0;
        ${all((i) => `n0 += ${LG(i)} * ${LG(i)};`)}
        n0 = Math.sqrt(n0);
        if (n0 > 0 && n1 > 0) {
          const d0 = Math.max(-${V("lv")}, 0) / n0;
          const d1 = Math.max(-nv, 0) / n1;
          let an = an0;
          ${
            !useNoise
              ? ""
              : factor
                ? `for (let c = 0; c < ${factorRank}; c++) {
            let pj = 0;
            ${all((i) => `pj += FB[${i * factorRank} + c] * ${LG(i)};`)}
            an += (NM * NM * pj * pj) / (h * n0 * n0);
          }`
                : diagonal
                  ? all((i) => `{ const pj = f${i} * ${LG(i)}; an += (NM * NM * pj * pj) / (h * n0 * n0); }`)
                  : all((i) => `an += (c${i} * c${i} * ${LG(i)} * ${LG(i)}) / (h * n0 * n0);`)
          }
          const e = an > 0 ? (2 * d0 * d1) / (an * h) : Infinity;
          if (e < NEGLIGIBLE) {
            let q = 0.0;
            ${uniform53("q")}
            if (q < Math.exp(-e)) { exitTime[${V("j")}] = (${V("k")} - 1) * h + (h * d0) / (d0 + d1 || 1); ${stop()} }
          }
        }
        ${V("lv")} = nv;
        ${all((i) => `${LG(i)} = ng${i};`)}
      }`;
  // the ziggurat, fast path and rare wedge/tail branches inline (as Rng.normal / Rng.normalSlow) into z, then
  // the update; with expression-diagonal noise `0 + f·z` is the general loop's sum Σ_c F_ic z_c (signed zeros
  // too); with a factor, r normals into ZB first, then x_i += −h g_i + NM·Σ_c F_ic z_c (as the general loop)
  const noiseStep = (i: number) => `{
        let z = 0.0;
        ${normal()}
        ${diagonal ? `${X(i)} += -h * ${G(i)} + NM * (0 + f${i} * z);` : `${X(i)} += -h * ${G(i)} + c${i} * z;`}
      }`;
  // the factor's entries of the inline models (Hessian, loss, matrix: rank d) go to locals fm_k (FB only for
  // the bridge), the d normals to locals, then x_i += −h g_i + NM·Σ_c F_ic z_c summed in the general loop's order
  const inlineFactor = hessianInline || lossInline || matrixInline;
  const factorInline = () => {
    const nn = Array.from({ length: d * d }, (_, k) => k);
    const cs = Array.from({ length: d }, (_, c) => c);
    return `
      ${nn.map((k) => `let fm${k} = 0;`).join(" ")}
      ${
        hessianInline
          ? `{
        ${hessianAt("hn")}
        ${jacobi("hn")}
        ${factorFromEigen(" * SC")}
      }`
          : lossInline
            ? lossStep()
            : matrixStep()
      }
      ${bridge ? nn.map((k) => `FB[${k}] = fm${k};`).join(" ") : ""}
      ${cs.map((c) => `let zc${c} = 0.0; { let z = 0.0; ${normal()} zc${c} = z; }`).join("\n")}
      ${all(
        (i) => `{
        let acc = 0;
        ${cs.map((c) => `acc += fm${i * d + c} * zc${c};`).join(" ")}
        ${X(i)} += -h * ${G(i)} + NM * acc;
      }`,
      )}`;
  };
  const factorStep = () =>
    fam !== undefined
      ? empiricalFused()
      : inlineFactor
        ? factorInline()
        : `
      ${all((i) => `xb[${i}] = ${X(i)};`)}
      noiseModel.factor(xb, FB, W);
      for (let c = 0; c < ${factorRank}; c++) {
        let z = 0.0;
        ${normal()}
        ZB[c] = z;
      }
      ${all(
        (i) => `{
        let acc = 0;
        for (let c = 0; c < ${factorRank}; c++) acc += FB[${i * factorRank} + c] * ZB[c];
        ${X(i)} += -h * ${G(i)} + NM * acc;
      }`,
      )}`;
  function normal(): string {
    return `{
        let u = 0;
        ${next("u")}
        let zi = u & 127;
        let zj = u >>> 8;
        if (zj < ZK[zi]) {
          z = zj * ZWS[u & 255]; // signed width: no sign branch (rng.ts)
        } else {
          for (;;) {
            const neg = (u & 128) !== 0;
            if (zj < ZK[zi]) { const v = zj * ZW[zi]; z = neg ? -v : v; break; }
            if (zi === 0) {
              let tx = 0.0;
              let ty = 0.0;
              do {
                let q = 0.0;
                ${uniformOpen("q")}
                tx = -Math.log(q) / ZR;
                ${uniformOpen("q")}
                ty = -Math.log(q);
              } while (ty + ty < tx * tx);
              z = neg ? -(ZR + tx) : ZR + tx;
              break;
            }
            const v = zj * ZW[zi];
            let q = 0.0;
            ${uniformOpen("q")}
            if (ZF[zi] + q * (ZF[zi - 1] - ZF[zi]) < Math.exp(-0.5 * v * v)) { z = neg ? -v : v; break; }
            ${next("u")}
            zi = u & 127;
            zj = u >>> 8;
          }
        }
      }`;
  }
  // Particles are advanced LANES at a time, their steps interleaved in one loop iteration: a particle's step is
  // a chain of dependent operations (x_{k+1} needs all of step k), so one particle leaves the CPU waiting on
  // latencies that another particle's independent step fills. Each lane keeps its own state (coordinates,
  // xoshiro state, step counter) and stream (seed, p), so every particle's numbers are those of the general
  // loop. Finite-sum minibatches (a shared permutation array) run one lane.
  const lanes =
    batches === undefined ? Array.from({ length: LANES }, (_, q) => String.fromCharCode(65 + q)) : ["A"];
  const perLane = (f: (q: number) => string) =>
    lanes
      .map((L, q) => {
        lane = L;
        const text = f(q);
        lane = "";
        return text;
      })
      .join("\n");
  // lane q takes local particle j0 + q (if any): initial draw, its stream's state, start-inside test
  const laneInit = (q: number) => `
    const ${V("j")} = j0 + ${q};
    ${all((i) => `let ${X(i)} = 0;`)}
    ${all((i) => `let ${G(i)} = 0;`)}
    let ${s0()} = 0, ${s1()} = 0, ${s2()} = 0, ${s3()} = 0;
    let ${V("si")} = 0;
    let ${V("k")} = 0;
    let ${V("nextSnap")} = S > 0 ? snaps[0] : -1;
    let ${V("alive")} = ${V("j")} < m && K > 0;
    ${bridge ? `let ${V("lv")} = 0; ${all((i) => `let ${LG(i)} = 0;`)}` : ""}
    if (${V("j")} < m) {
      const p = from + ${V("j")};
      rng.reseed(seed, p);
      drawInitial(init, p, rng, xb, ${d});
      ${batches !== undefined && !batches.replacement && batches.outcomes === undefined ? `for (let i = 0; i < ${batches.n}; i++) perm[i] = i;` : ""}
      ${all((i) => `${X(i)} = xb[${i}];`)}
      ${reload()}
      if (inside !== undefined && inside(xb)) { exitTime[${V("j")}] = 0; startedInside++; ${V("alive")} = false; }
      ${bridge ? level(V("lv"), LG) : ""}
    }`;
  // one step of the lane's particle (the general loop's step); stop() leaves it when the particle stops
  const laneStep = () => `
      if (${V("k")} === ${V("nextSnap")}) {
        while (${V("si")} < S && snaps[${V("si")}] === ${V("k")}) {
          ${all((i) => `snapshots[(${V("si")} * ${d} + ${i}) * m + ${V("j")}] = ${X(i)};`)}
          ${V("si")}++;
        }
        ${V("nextSnap")} = ${V("si")} < S ? snaps[${V("si")}] : -1;
      }
      {
        ${drift()}
      }
      ${
        useNoise && diagonal
          ? `${all((i) => `let v${i} = 0;`)}
      {
        ${diagonal(X, (i) => `v${i}`, "_s")}
      }
      if (${all((i) => `!(v${i} >= 0)`, " || ")}) {
        ${all((i) => `xb[${i}] = ${X(i)};`)}
        noiseModel.factor(xb, F, W);
      }
      ${all((i) => `const f${i} = Math.sqrt(Math.max(v${i}, 0));`)}`
          : ""
      }
      ${useNoise ? (factor ? factorStep() : all(noiseStep)) : all((i) => `${X(i)} -= h * ${G(i)};`)}
      ${
        hasDelta
          ? `${sync()}
        ${all((i) => `${X(i)} += deltaMul * rng.normal();`)}
        ${reload()}`
          : ""
      }
      ${V("k")}++;
      if (${V("k")} === K) ${V("alive")} = false;
      if (${all((i) => `!(${X(i)} <= bound && ${X(i)} >= -bound)`, " || ")}) {
        divergedStep[${V("j")}] = ${V("k")};
        if (inside !== undefined) exitTime[${V("j")}] = NaN;
        ${all((i) => `${X(i)} = NaN;`)}
        ${stop()}
      }
      ${
        hasTarget
          ? `{
        let ins = false;
        ${target.inside(X, "ins", "_r")}
        if (ins) { exitTime[${V("j")}] = ${V("k")} * h; ${stop()} }
      }
      ${bridge ? bridgeStep() : ""}`
          : ""
      }`;
  // after the lane's particle stopped or reached K: remaining snapshots (frozen, or NaN), final position
  const laneFinish = () => `
    if (${V("j")} < m) {
      while (${V("si")} < S) {
        ${all((i) => `snapshots[(${V("si")} * ${d} + ${i}) * m + ${V("j")}] = ${X(i)};`)}
        ${V("si")}++;
      }
      ${all((i) => `final[${i} * m + ${V("j")}] = ${X(i)};`)}
      completed++;
    }`;
  // tabulated batches without added noise: LANES particles in lockstep (lanes-kernel.ts)
  const tableLanes = batches?.outcomes !== undefined && !hasDelta && !useNoise && !bridge;
  const body = `
  const { m, K, h, deltaMul, bound, inside, snaps, snapshots, exitTime, final, divergedStep, rng, init, from, seed, x: xb, ZK, ZW, ZWS, ZF, ZR, drawInitial } = a;
  const shouldStop = a.shouldStop;
  const onProgress = a.onProgress;
  const an0 = 2 * a.delta;
  const NEGLIGIBLE = a.NEGLIGIBLE;
  const st = rng.s;
  const S = snaps.length;
  ${all((i) => `const c${i} = a.diagMul[${i}];`)}
  const NM = a.diagonal !== undefined ? a.diagonal.noiseMul : a.factor !== undefined ? a.factor.noiseMul : 0;
  const noiseModel = a.diagonal !== undefined ? a.diagonal.noise : a.factor !== undefined ? a.factor.noise : undefined;
  const F = new Float64Array(${d * d});
  const FB = new Float64Array(${d * Math.max(factorRank, 1)});
  const ZB = new Float64Array(${Math.max(factorRank, 1)});
  const loss = a.loss;
  const HB = new Float64Array(${sde2 ? d * d : 1});
  const ETA = a.sde2 !== undefined ? a.sde2.eta : 0;
  const SC = Math.sqrt(${hessianScale ?? 0});
  const PSD_TOL = a.PSD_TOL;
  const EPT = loss.finiteSum !== undefined && loss.finiteSum.family !== undefined ? loss.finiteSum.family.table : undefined;
  const AL = new Float64Array(${fam !== undefined ? loss.finiteSum!.n * d : 1});
  const ISQ = 1 / Math.sqrt(${loss.finiteSum?.n ?? 1});
  ${empiricalParams()}
  const W = new Float64Array(noiseModel !== undefined ? Math.max(1, noiseModel.workSize) : 1);
  ${
    batches !== undefined
      ? `const perm = a.batches.perm;
  const fsum = a.batches.fs;
  const PT = fsum.family !== undefined ? fsum.family.table : undefined;
  const gq = new Float64Array(${d});
  // per batch slot b: Lemire's threshold (2³² − nb) mod nb (nb = N, or N − b without replacement)
  const BT = a.batches.table !== undefined ? a.batches.table.means : undefined;
  const THO = ${batches.outcomes !== undefined ? `(4294967296 - ${batches.outcomes}) % ${batches.outcomes}` : 0};
  const TH = new Float64Array(${batches.B});
  for (let b = 0; b < ${batches.B}; b++) {
    const nb = ${batches.replacement ? batches.n : `${batches.n} - b`};
    TH[b] = (4294967296 - nb) % nb;
  }`
      : ""
  }
  let completed = 0;
  let startedInside = 0;
  for (let j0 = 0; j0 < m; j0 += ${lanes.length}) {
    if ((j0 & 63) === 0) {
      if (shouldStop !== undefined && shouldStop()) return { completed, startedInside, stopped: true };
      if (j0 > 0 && onProgress !== undefined) onProgress(j0);
    }
    ${
      tableLanes
        ? lanesLoop({
            d,
            family: loss.finiteSum!.family!,
            outcomes: batches!.outcomes!,
            next,
            inside: target?.inside,
            loopVar: "j0",
          })
        : ""
    }
    ${perLane(laneInit)}
    while (${lanes.map((L) => `alive${L}`).join(" || ")}) {
      ${perLane(
        () => `if (${V("alive")}) ${V("step")}: {
        ${laneStep()}
      }`,
      )}
    }
    ${perLane(laneFinish)}
  }
  return { completed, startedInside, stopped: false };`;
  return new Function("a", ...Object.keys(CODE_HELPERS), `"use strict";${body}`) as Kernel;
}

/** Runs particles 0..m−1 of the range with the generated kernel. */
export function runFastKernel(a: FastKernelArgs): FastKernelResult {
  let byKey = cache.get(a.loss);
  if (!byKey) {
    byKey = new Map();
    cache.set(a.loss, byKey);
  }
  const hasDelta = a.deltaMul > 0;
  const target = a.inside !== undefined ? a.target?.code : undefined;
  if (a.inside !== undefined && target === undefined)
    throw new Error("fast kernel: target without region code");
  const bridge = a.bridge && target?.level !== undefined;
  // the target's source is only a cache key here: the generated text comes from its syntax tree
  const diagonal = a.useNoise && a.diagonal !== undefined ? a.diagonal.noise.diagonalCode : undefined;
  if (a.useNoise && a.diagonal !== undefined && diagonal === undefined) {
    throw new Error("fast kernel: diagonal noise without generated code");
  }
  const bt = a.batches;
  const batches =
    bt !== undefined
      ? { n: bt.fs.n, B: bt.B, replacement: bt.replacement, outcomes: bt.table?.outcomes }
      : undefined;
  if (bt !== undefined && bt.fs.family === undefined && bt.fs.sampleGradientCode === undefined) {
    throw new Error("fast kernel: minibatches without per-sample gradient code");
  }
  const factorRank = a.useNoise && a.factor !== undefined ? a.factor.noise.rank : 0;
  const key = `${a.sde2 !== undefined ? "sde2|" : ""}${factorRank > 0 ? `F${noiseId(a.factor!.noise)}|` : ""}${batches !== undefined ? `fs${batches.B}${batches.replacement ? "r" : "s"}${batches.outcomes !== undefined ? `t${batches.outcomes}` : ""}|` : ""}${a.d}|${a.useNoise}|${diagonal !== undefined ? noiseId(a.diagonal!.noise) : "-"}|${hasDelta}|${bridge}|${target !== undefined ? a.target!.src : ""}`;
  let kernel = byKey.get(key);
  if (!kernel) {
    kernel = generate(
      a.loss,
      a.d,
      a.useNoise,
      hasDelta,
      target,
      bridge,
      diagonal,
      batches,
      factorRank,
      a.sde2 !== undefined,
      factorRank > 0 ? a.factor!.noise.hessianScale : undefined,
      factorRank > 0 && a.factor!.noise.kind === "empirical",
      factorRank > 0 ? a.factor!.noise.lossScale : undefined,
      factorRank > 0 ? a.factor!.noise.matrixCode : undefined,
    );
    byKey.set(key, kernel);
  }
  return kernel(
    {
      ...a,
      ZK: ZIGGURAT_K,
      ZW: ZIGGURAT_W,
      ZWS: ZIGGURAT_WS,
      ZF: ZIGGURAT_F,
      ZR: ZIGGURAT_R,
      drawInitial,
      NEGLIGIBLE: BRIDGE_NEGLIGIBLE_EXPONENT,
      PSD_TOL,
    },
    ...Object.values(CODE_HELPERS),
  );
}
