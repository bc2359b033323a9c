/**
 * Ensembles of SGD, gradient descent, Noisy SGD and the stochastic modified equations.
 *
 * Conventions (DESIGN.md §1): one SGD iteration advances SDE time by η; an SDE step of size dt
 * advances it by dt (default dt = η). All reported times are SDE times; iterations = time/η.
 *
 * - "sgd": x ← x − η·(1/B)Σ_{i∈batch}∇ℓ_i(x) for finite sums (real minibatches, with or without
 *   replacement); for an analytic loss with a noise model, x ← x − η(∇L(x) + ξ), ξ ~ N(0, Σ_B(x)).
 *   Samples that differ only in literals with a gradient affine in them, and ≤ 2¹⁶ possible batches: the batch
 *   is drawn as one uniform outcome and ∇ℓ is taken at its mean literals (batch-table.ts; same law, reported in
 *   SimulateResult.batchMean); otherwise B index draws and B sample gradients.
 *   If the problem sets δ > 0, every step also adds N(0, 2δη I) (Noisy SGD).
 * - "noisy-sgd": "sgd" with the added noise δ (from the problem or the `delta` option; must be > 0).
 * - "gd": x ← x − η∇L(x).
 * - "sde": Euler–Maruyama for dX = −∇L dt + (ηΣ_B(X) + 2δI)^{1/2} dW (order-1 modified equation).
 * - "sde2": the order-2 modified equation, drift −∇L − (η/4)∇|∇L|² = −(I + (η/2)∇²L)∇L.
 * - Heavy-ball momentum β > 0 (problem key `momentum`): discrete dynamics keep a velocity, v ← βv + s,
 *   x ← x + v, where s is the plain step above (gradient, minibatch or Gaussian noise, and δ noise); the SDEs
 *   become the momentum SDE of Li, Tai & E (2019), whose drift and noise are those above divided by 1 − β
 *   (an order-1 weak approximation for fixed β as η → 0). β = 0 runs exactly the plain code.
 *
 * Particles are independent: particle p's whole path (initial draw, batches, noise, bridge tests) is
 * drawn from the stream (seed, p), so results do not depend on how particles are split across threads.
 * The loop runs particle by particle with all state in preallocated Float64Arrays: no allocation per step.
 *
 * Exit events: the first time a particle is in the target region. Discrete dynamics (sgd, gd,
 * noisy-sgd) are checked at iterates, which is what the algorithm does. For SDE runs the path between
 * two grid times is a Brownian bridge that may cross the boundary unseen; with `bridge` on, after a step
 * that stays outside, the crossing probability for the locally flat boundary,
 *   p = exp(−2·d₀·d₁ / (a_n·dt)),   d = distance to the boundary = |φ|/|∇φ|,  a_n = nᵀA n,
 * is used to declare an exit (uniform draw < p) at the interpolated time t + dt·d₀/(d₀+d₁). This removes
 * the O(√dt) bias of discrete monitoring (the exit time would otherwise be overestimated).
 */
import { UserError } from "../errors.js";
import { compileLevel, compileRegion, compileRegionCode } from "../problem/expr/index.js";
import type { Problem } from "../problem/types.js";
import { Rng } from "../random/rng.js";
import { type BatchMeanPath, batchMeanPath, batchTable, outcomeMeanParams } from "./batch-table.js";
import { BRIDGE_NEGLIGIBLE_EXPONENT } from "./bridge.js";
import { fastKernelAvailable, finiteSumKernelAvailable, runFastKernel } from "./fast-kernel.js";
import { checkInitialLaw, drawInitial, type InitialLaw } from "./initial.js";
import { DYNAMICS, type DynamicsKind } from "./kinds.js";

export { DYNAMICS, type DynamicsKind } from "./kinds.js";

export interface SimulateOptions {
  /** Force the general loop even where the fast kernel applies (for tests of their equivalence). */
  general?: boolean;
  dynamics: DynamicsKind;
  /** M, the total ensemble size (particle indices 0..M−1). */
  particles: number;
  /** Number of steps K; each step is η of SDE time for discrete dynamics, dt for SDEs. */
  steps: number;
  /** SDE step (default η). Only for "sde"/"sde2". */
  dt?: number;
  seed: number;
  init: InitialLaw;
  /** Step indices (0..K) at which to record positions. */
  snapshotSteps?: readonly number[];
  /** Target region (boolean expression in the problem's variables): particles stop on entry. */
  target?: string;
  /** Brownian-bridge exit correction for SDE runs (default true). */
  bridge?: boolean;
  /** Divergence bound on |x_i| (default max(1e6, 1000·max|domain|)). */
  bound?: number;
  /** Overrides the problem's Noisy-SGD δ. */
  delta?: number;
  /** Simulate only particles [from, to) of the ensemble (for threads); default all. */
  range?: readonly [number, number];
  /** Called now and then with the number of particles of this range finished so far. */
  onProgress?: (done: number) => void;
  /** Polled now and then; when it returns true the run stops and returns what is finished. */
  shouldStop?: () => boolean;
}

export interface SimulateResult {
  dynamics: DynamicsKind;
  dim: number;
  /** Particle index range [from, to) that this result covers; m = to − from. */
  from: number;
  to: number;
  /** SDE time per step (η or dt). */
  stepSize: number;
  steps: number;
  seed: number;
  snapshotSteps: number[];
  /** SDE times of the snapshots. */
  snapshotTimes: number[];
  /**
   * Positions, coordinate-major per snapshot: value of coordinate i of local particle j at snapshot s is
   * snapshots[(s·d + i)·m + j]. A particle that exited stays at its exit point; after divergence: NaN.
   */
  snapshots: Float64Array;
  /** Final positions, coordinate-major (i·m + j). */
  final: Float64Array;
  /** SDE time of first entry into the target; +Infinity if none by the horizon; NaN if diverged first. */
  exitTime: Float64Array;
  /** Step at which the particle diverged (non-finite or beyond the bound), −1 if it did not. */
  divergedStep: Int32Array;
  /** Number of particles of the range that were simulated (less than m when stopped). */
  completed: number;
  stopped: boolean;
  /** Particles already inside the target at time 0 (their exit time is 0). */
  startedInside: number;
  bound: number;
  delta: number;
  bridge: boolean;
  /** Which loop ran: the kernel generated for this loss and target, or the general one (same numbers). */
  loop: "generated" | "general";
  /**
   * Real minibatches only (sgd/noisy-sgd on a finite sum): how the batch's mean gradient was formed, the same in
   * both loops — "tabulated": the batch drawn as one uniform outcome of all `outcomes` batches and ∇ℓ taken at
   * its mean literals (samples differing only in literals, gradient affine in them; see batch-table.ts);
   * "per-sample": B index draws and B sample gradients, with the reason the table was not used.
   */
  batchMean?: BatchMeanPath;
}

/** Default divergence bound from the problem's domain. */
export function defaultBound(p: Problem): number {
  let m = 1;
  for (const [lo, hi] of p.domain) {
    if (Number.isFinite(lo)) m = Math.max(m, Math.abs(lo));
    if (Number.isFinite(hi)) m = Math.max(m, Math.abs(hi));
  }
  return Math.max(1e6, 1000 * m);
}

/** Runs an ensemble (or the sub-range `range` of it). Pure function of (problem, options). */
export function simulate(problem: Problem, opts: SimulateOptions): SimulateResult {
  const d = problem.dim;
  const eta = problem.lr;
  const kind = opts.dynamics;
  if (!DYNAMICS.includes(kind)) {
    throw new UserError(`unknown dynamics '${kind}'`, { where: "dynamics", hint: DYNAMICS.join(", ") });
  }
  const isSde = kind === "sde" || kind === "sde2";
  if (opts.dt !== undefined && !isSde && Math.abs(opts.dt - eta) > 1e-15 * eta) {
    throw new UserError(`a step dt only applies to sde and sde2; ${kind} always steps by η = ${eta}`, {
      where: "dt",
    });
  }
  const h = isSde ? (opts.dt ?? eta) : eta;
  if (!(h > 0) || !Number.isFinite(h)) throw new UserError("must be a positive number", { where: "dt" });
  const M = opts.particles;
  if (!Number.isInteger(M) || M < 1) {
    throw new UserError(`must be a whole number ≥ 1, got ${M}`, { where: "particles" });
  }
  const K = opts.steps;
  if (!Number.isInteger(K) || K < 0)
    throw new UserError(`must be a whole number ≥ 0, got ${K}`, { where: "steps" });
  checkInitialLaw(opts.init, d);
  const [from, to] = opts.range ?? [0, M];
  const m = to - from;
  const delta = opts.delta ?? problem.delta;
  if (!(delta >= 0)) throw new UserError("must be ≥ 0", { where: "delta" });
  if (kind === "noisy-sgd" && !(delta > 0)) {
    throw new UserError("noisy-sgd needs an added noise δ > 0", {
      where: "delta",
      hint: "set delta in the problem file or pass --delta",
    });
  }
  const bound = opts.bound ?? defaultBound(problem);
  const snaps = [...(opts.snapshotSteps ?? [])].sort((a, b) => a - b);
  for (const s of snaps) {
    if (!Number.isInteger(s) || s < 0 || s > K) {
      throw new UserError(`snapshot step ${s} is outside 0..${K}`, { where: "snapshots" });
    }
  }
  const S = snaps.length;
  const inside = opts.target ? compileRegion(opts.target, problem.varNames, "target region") : undefined;
  const bridgeOn = isSde && inside !== undefined && (opts.bridge ?? true);
  const level = bridgeOn && opts.target ? compileLevel(opts.target, problem.varNames) : undefined;

  const beta = problem.momentum;
  const fs = problem.loss.finiteSum;
  const realBatches = (kind === "sgd" || kind === "noisy-sgd") && fs !== undefined;
  const useNoiseModel = !realBatches && kind !== "gd" && problem.noise.rank > 0 && problem.batchScale > 0;
  // noise increment = noiseMul · F z with F Fᵀ = Σ(x) (unscaled factor), noiseMul² = (η·dt or η²)·batchScale
  const noiseMul = (isSde ? Math.sqrt(eta * h) : eta) * Math.sqrt(problem.batchScale);
  const deltaMul = kind === "gd" ? 0 : Math.sqrt(2 * delta * h);
  const r = problem.noise.rank;
  const constDiag = problem.noise.constantDiagonal;
  const diagMul = new Float64Array(d);
  if (constDiag) for (let i = 0; i < d; i++) diagMul[i] = noiseMul * Math.sqrt(constDiag[i]);

  const x = new Float64Array(d);
  const xPrev = new Float64Array(d);
  const vel = new Float64Array(beta > 0 ? d : 0);
  const g = new Float64Array(d);
  const gl = new Float64Array(d);
  const hess = kind === "sde2" ? new Float64Array(d * d) : new Float64Array(0);
  const F = new Float64Array(d * Math.max(r, 1));
  const z = new Float64Array(Math.max(r, 1));
  const work = new Float64Array(problem.noise.workSize);
  const B = problem.batch;
  const idx = new Int32Array(B);
  const perm = realBatches && !problem.replacement ? new Int32Array(fs!.n) : new Int32Array(0);
  const gi = new Float64Array(d);
  const rng = new Rng(opts.seed, 0);
  // samples differing only in literals, gradient affine in them, few batches: one draw, ∇ℓ at the mean literals
  const batchPath = realBatches ? batchMeanPath(fs!, B, problem.replacement) : undefined;
  const table = realBatches ? batchTable(fs!, B, problem.replacement) : undefined;
  const xp = new Float64Array(table !== undefined ? d + table.params : 0);

  const snapshots = new Float64Array(S * d * m);
  const final = new Float64Array(d * m);
  const exitTime = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const divergedStep = new Int32Array(m).fill(-1);
  let startedInside = 0;
  let completed = 0;
  let stopped = false;

  const batchGradient = (): void => {
    const f = fs!;
    const n = f.n;
    if (table !== undefined) {
      outcomeMeanParams(table, rng.int(table.outcomes), f.family!.table, idx, xp, d);
      for (let i = 0; i < d; i++) xp[i] = x[i];
      f.family!.gradientAt(xp, g);
      return;
    }
    if (problem.replacement) {
      for (let b = 0; b < B; b++) idx[b] = rng.int(n);
    } else {
      for (let b = 0; b < B; b++) {
        const j = b + rng.int(n - b);
        const t = perm[b];
        perm[b] = perm[j];
        perm[j] = t;
        idx[b] = perm[b];
      }
    }
    if (f.batchGradient) {
      f.batchGradient(idx, B, x, g);
      return;
    }
    g.fill(0);
    for (let b = 0; b < B; b++) {
      f.sampleGradient(idx[b], x, gi);
      for (let i = 0; i < d; i++) g[i] += gi[i];
    }
    for (let i = 0; i < d; i++) g[i] /= B;
  };

  const writeSnapshot = (s: number, j: number, src: Float64Array) => {
    for (let i = 0; i < d; i++) snapshots[(s * d + i) * m + j] = src[i];
  };

  const fast =
    !opts.general &&
    (realBatches ? finiteSumKernelAvailable(problem.loss) : fastKernelAvailable(problem.loss)) &&
    beta === 0;
  if (fast) {
    const r = runFastKernel({
      loss: problem.loss,
      d,
      from,
      m,
      seed: opts.seed,
      K,
      h,
      diagMul,
      useNoise: useNoiseModel,
      diagonal:
        useNoiseModel && !constDiag && problem.noise.diagonalCode !== undefined
          ? { noise: problem.noise, noiseMul }
          : undefined,
      factor:
        useNoiseModel && !constDiag && problem.noise.diagonalCode === undefined
          ? { noise: problem.noise, noiseMul }
          : undefined,
      sde2: kind === "sde2" ? { eta } : undefined,
      deltaMul,
      batches: realBatches ? { fs: fs!, B, replacement: problem.replacement, perm, table } : undefined,
      bound,
      init: opts.init,
      inside,
      target: opts.target
        ? { src: opts.target, code: compileRegionCode(opts.target, problem.varNames) }
        : undefined,
      bridge: level !== undefined,
      delta,
      snaps,
      snapshots,
      final,
      exitTime,
      divergedStep,
      rng,
      x,
      shouldStop: opts.shouldStop,
      onProgress: opts.onProgress,
    });
    completed = r.completed;
    startedInside = r.startedInside;
    stopped = r.stopped;
  } else {
    for (let j = 0; j < m; j++) {
      if ((j & 63) === 0) {
        if (opts.shouldStop?.()) {
          stopped = true;
          break;
        }
        if (j > 0) opts.onProgress?.(j);
      }
      const p = from + j;
      rng.reseed(opts.seed, p);
      drawInitial(opts.init, p, rng, x, d);
      if (perm.length > 0) for (let i = 0; i < perm.length; i++) perm[i] = i;
      vel.fill(0);
      let si = 0;
      let k = 0;
      let done = false;
      if (inside?.(x)) {
        exitTime[j] = 0;
        startedInside++;
        done = true;
      }
      while (!done && k < K) {
        while (si < S && snaps[si] === k) writeSnapshot(si++, j, x);
        // drift
        if (realBatches) batchGradient();
        else problem.loss.gradient(x, g);
        if (kind === "sde2") {
          problem.loss.hessian(x, hess);
          for (let i = 0; i < d; i++) {
            let acc = 0;
            for (let c = 0; c < d; c++) acc += hess[i * d + c] * g[c];
            gl[i] = g[i] + 0.5 * eta * acc;
          }
          g.set(gl);
        }
        if (bridgeOn || beta > 0) xPrev.set(x);
        // noise (evaluated at the current point, before the update)
        let an = 0; // nᵀ(ηΣ_B)n·… computed below only for the bridge
        if (useNoiseModel) {
          if (constDiag) {
            for (let i = 0; i < d; i++) x[i] += -h * g[i] + diagMul[i] * rng.normal();
          } else {
            problem.noise.factor(x, F, work);
            for (let c = 0; c < r; c++) z[c] = rng.normal();
            for (let i = 0; i < d; i++) {
              let acc = 0;
              for (let c = 0; c < r; c++) acc += F[i * r + c] * z[c];
              x[i] += -h * g[i] + noiseMul * acc;
            }
          }
        } else {
          for (let i = 0; i < d; i++) x[i] -= h * g[i];
        }
        if (deltaMul > 0) for (let i = 0; i < d; i++) x[i] += deltaMul * rng.normal();
        if (beta > 0) {
          // the plain step s = x − xPrev: heavy ball v ← βv + s (discrete), or s/(1 − β) (momentum SDE)
          for (let i = 0; i < d; i++) {
            const step = x[i] - xPrev[i];
            if (isSde) x[i] = xPrev[i] + step / (1 - beta);
            else {
              vel[i] = beta * vel[i] + step;
              x[i] = xPrev[i] + vel[i];
            }
          }
        }
        k++;
        // divergence
        let ok = true;
        for (let i = 0; i < d; i++) {
          const v = x[i];
          if (!(v <= bound && v >= -bound)) ok = false;
        }
        if (!ok) {
          divergedStep[j] = k;
          if (inside) exitTime[j] = Number.NaN;
          x.fill(Number.NaN);
          break;
        }
        if (inside) {
          if (inside(x)) {
            exitTime[j] = k * h;
            done = true;
          } else if (level) {
            // Brownian bridge between xPrev and x (both outside)
            const phi1 = level.gradient(x, gl);
            let n1 = 0;
            for (let i = 0; i < d; i++) n1 += gl[i] * gl[i];
            n1 = Math.sqrt(n1);
            const phi0 = level.gradient(xPrev, gi);
            let n0 = 0;
            for (let i = 0; i < d; i++) n0 += gi[i] * gi[i];
            n0 = Math.sqrt(n0);
            if (n0 > 0 && n1 > 0) {
              const d0 = Math.max(-phi0, 0) / n0;
              const d1 = Math.max(-phi1, 0) / n1;
              // variance rate along the unit normal at xPrev: a_n = nᵀ(ηΣ_B + 2δI)n
              an = 2 * delta;
              if (useNoiseModel) {
                if (constDiag) {
                  for (let i = 0; i < d; i++) an += (diagMul[i] * diagMul[i] * gi[i] * gi[i]) / (h * n0 * n0);
                } else {
                  for (let c = 0; c < r; c++) {
                    let proj = 0;
                    for (let i = 0; i < d; i++) proj += F[i * r + c] * gi[i];
                    an += (noiseMul * noiseMul * proj * proj) / (h * n0 * n0);
                  }
                }
              }
              if (beta > 0) an /= (1 - beta) * (1 - beta); // the momentum SDE's noise is scaled by 1/(1 − β)
              const e = an > 0 ? (2 * d0 * d1) / (an * h) : Number.POSITIVE_INFINITY;
              if (e < BRIDGE_NEGLIGIBLE_EXPONENT) {
                if (rng.uniform() < Math.exp(-e)) {
                  exitTime[j] = (k - 1) * h + (h * d0) / (d0 + d1 || 1);
                  done = true;
                }
              }
            }
          }
        }
      }
      // snapshots after the particle stopped (exit: frozen at its exit point; divergence: NaN)
      while (si < S) writeSnapshot(si++, j, x);
      for (let i = 0; i < d; i++) final[i * m + j] = x[i];
      completed++;
    }
  }
  opts.onProgress?.(completed);
  const res: SimulateResult = {
    dynamics: kind,
    dim: d,
    from,
    to,
    stepSize: h,
    steps: K,
    seed: opts.seed,
    snapshotSteps: snaps,
    snapshotTimes: snaps.map((s) => s * h),
    snapshots,
    final,
    exitTime,
    divergedStep,
    completed,
    stopped,
    startedInside,
    bound,
    delta,
    bridge: bridgeOn,
    loop: fast ? "generated" : "general",
    ...(batchPath !== undefined ? { batchMean: batchPath } : {}),
  };
  return stopped ? keepFirst(res, completed) : res;
}

/** Keeps only the first `c` particles of a result (what a stopped run finished). */
function keepFirst(q: SimulateResult, c: number): SimulateResult {
  const m = q.to - q.from;
  const d = q.dim;
  const S = q.snapshotSteps.length;
  const snapshots = new Float64Array(S * d * c);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < d; i++) {
      snapshots.set(q.snapshots.subarray((s * d + i) * m, (s * d + i) * m + c), (s * d + i) * c);
    }
  }
  const final = new Float64Array(d * c);
  for (let i = 0; i < d; i++) final.set(q.final.subarray(i * m, i * m + c), i * c);
  return {
    ...q,
    to: q.from + c,
    snapshots,
    final,
    exitTime: q.exitTime.slice(0, c),
    divergedStep: q.divergedStep.slice(0, c),
  };
}

/** Concatenates results of consecutive particle ranges (as produced by threads) into one. */
export function mergeResults(parts: readonly SimulateResult[]): SimulateResult {
  if (parts.length === 1) return parts[0];
  const sorted = [...parts].sort((a, b) => a.from - b.from);
  const first = sorted[0];
  const d = first.dim;
  const S = first.snapshotSteps.length;
  const m = sorted.reduce((acc, q) => acc + (q.to - q.from), 0); // stopped ranges were truncated
  const snapshots = new Float64Array(S * d * m);
  const final = new Float64Array(d * m);
  const exitTime = new Float64Array(m);
  const divergedStep = new Int32Array(m);
  let off = 0;
  for (const q of sorted) {
    const mq = q.to - q.from;
    for (let s = 0; s < S; s++) {
      for (let i = 0; i < d; i++) {
        snapshots.set(q.snapshots.subarray((s * d + i) * mq, (s * d + i + 1) * mq), (s * d + i) * m + off);
      }
    }
    for (let i = 0; i < d; i++) final.set(q.final.subarray(i * mq, (i + 1) * mq), i * m + off);
    exitTime.set(q.exitTime, off);
    divergedStep.set(q.divergedStep, off);
    off += mq;
  }
  return {
    ...first,
    from: sorted[0].from,
    to: sorted[0].from + m,
    snapshots,
    final,
    exitTime,
    divergedStep,
    completed: sorted.reduce((a, q) => a + q.completed, 0),
    stopped: sorted.some((q) => q.stopped),
    startedInside: sorted.reduce((a, q) => a + q.startedInside, 0),
  };
}
