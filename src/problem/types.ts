/**
 * The plain-data contract every part of sgdscope reads: a loss, a noise model, η and B.
 *
 * Conventions (DESIGN.md §1, binding everywhere):
 * - parameters x ∈ R^d; vectors are Float64Array of length d, matrices row-major d×d;
 * - SGD: x_{k+1} = x_k − η · (1/B) Σ_{i∈B_k} ∇ℓ_i(x_k); SDE time t = k·η;
 * - per-sample gradient-noise covariance Σ(x); batch covariance Σ_B = batchScale · Σ with
 *   batchScale = 1/B (with replacement) or (N−B)/(B(N−1)) (without);
 * - diffusion matrix of the order-1 SDE  A(x) = η Σ_B(x)  (+ 2δI for Noisy SGD).
 */

/** A differentiable objective L: R^d → R. All methods read x[0..dim). */
export interface Loss {
  readonly dim: number;
  /** L(x). */
  value(x: Float64Array): number;
  /** Writes ∇L(x) into g (length ≥ dim) and returns L(x). */
  gradient(x: Float64Array, g: Float64Array): number;
  /** Writes the Hessian ∇²L(x) into h (row-major d×d). Exact for analytic losses. */
  hessian(x: Float64Array, h: Float64Array): void;
  /**
   * Optional: ∇L as straight-line JS statements (analytic losses), so that particle kernels can be
   * generated with the coordinates in local variables. `load(k)` is the expression for x_k, `dest(i)`
   * the variable receiving ∂L/∂x_i; temporaries are prefixed with `prefix`.
   */
  readonly gradientCode?: (
    load: (k: number) => string,
    dest: (i: number) => string,
    prefix: string,
  ) => string;
  /**
   * Optional: ∇²L as straight-line JS statements computing the same numbers as hessian(); `dest(k)` receives
   * the row-major entry k = i·dim + j (arguments otherwise as gradientCode).
   */
  readonly hessianCode?: (load: (k: number) => string, dest: (k: number) => string, prefix: string) => string;
  /** Optional: L(x) as straight-line JS statements (dest(0) receives it), the same numbers as value(). */
  readonly valueCode?: (load: (k: number) => string, dest: (k: number) => string, prefix: string) => string;
  /** Present when L = (1/N) Σ_i ℓ_i is a finite sum (expression samples or a data-driven model). */
  readonly finiteSum?: FiniteSum;
}

/** L = (1/N) Σ_i ℓ_i. */
export interface FiniteSum {
  /** N, the number of samples. */
  readonly n: number;
  /** Writes ∇ℓ_i(x) into g and returns ℓ_i(x). */
  sampleGradient(i: number, x: Float64Array, g: Float64Array): number;
  /** ℓ_i(x). */
  sampleValue(i: number, x: Float64Array): number;
  /**
   * Optional fast path: writes the minibatch mean gradient (1/count) Σ_{j<count} ∇ℓ_{idx[j]}(x)
   * into g and returns the batch mean loss. Must allocate nothing.
   */
  batchGradient?(idx: Int32Array, count: number, x: Float64Array, g: Float64Array): number;
  /**
   * Optional (expression samples): ∇ℓ_i as straight-line JS statements, one generator per sample, with the
   * arguments of `Loss.gradientCode`; computes the same numbers as sampleGradient. Lets particle kernels
   * for real minibatch SGD be generated.
   */
  readonly sampleGradientCode?: ReadonlyArray<
    (load: (k: number) => string, dest: (i: number) => string, prefix: string) => string
  >;
  /**
   * Optional (expression samples that differ only in numeric literals): one gradient code whose loads
   * k ≥ dim are parameters, with sample s's P parameter values at table[s·P … s·P + P − 1]; computes the same
   * numbers as sampleGradient. Lets kernels gather a sample's parameters instead of branching on its index.
   */
  readonly family?: {
    readonly params: number;
    readonly table: Float64Array;
    /** ∇ℓ is affine in the parameters (proved symbolically): a batch's mean gradient is ∇ℓ at its mean parameters. */
    readonly affine: boolean;
    /** Writes ∇ℓ(x; p) into g for xp = (x, p) (length dim + params); the numbers of gradientCode. */
    gradientAt(xp: Float64Array, g: Float64Array): number;
    readonly gradientCode: (
      load: (k: number) => string,
      dest: (i: number) => string,
      prefix: string,
    ) => string;
  };
}

export type NoiseKind = "empirical" | "isotropic" | "diagonal" | "matrix" | "hessian" | "loss" | "none";

/**
 * The per-sample gradient-noise covariance Σ(x) (before batch scaling), kept as a factor
 * G (d × rank, row-major) with Σ = G Gᵀ so that degenerate noise is never squared-rooted as d×d.
 */
export interface NoiseModel {
  readonly kind: NoiseKind;
  /** Number of columns of the factor G (≤ N for empirical; d otherwise; 0 for "none"). */
  readonly rank: number;
  /** True when Σ does not depend on x. */
  readonly constant: boolean;
  /** Present when Σ is a constant diagonal matrix: its diagonal (variances). Lets hot loops skip factor(). */
  readonly constantDiagonal?: Float64Array;
  /** Writes Σ(x) (row-major d×d) into out. */
  covariance(x: Float64Array, out: Float64Array): void;
  /**
   * Writes a factor G of Σ(x) (row-major d×rank, entry (i,c) at i*rank+c) into out.
   * `work` is scratch of length ≥ workSize, so that callers allocate nothing per step.
   */
  factor(x: Float64Array, out: Float64Array, work: Float64Array): void;
  /** Length of the scratch that factor() needs. */
  readonly workSize: number;
  /**
   * Present for Hessian noise Σ = c·P₊(∇²L) of the problem's own loss: c (lets kernels compute the factor
   * from the loss's Hessian code with the same PSD projection as factor()).
   */
  readonly hessianScale?: number;
  /**
   * Present for matrix noise: the entries of Σ(x) (row-major, dest(k) receives entry k) as straight-line code,
   * the same numbers as covariance(); kernels check and factor them as factor() does (and call factor() for
   * its error where a check fails).
   */
  readonly matrixCode?: (load: (k: number) => string, dest: (k: number) => string, prefix: string) => string;
  /** Present for loss noise Σ = c·max(L, 0)·I of the problem's own loss: c (kernels use the loss's value code). */
  readonly lossScale?: number;
  /**
   * Optional, for a diagonal Σ(x) given by expressions: straight-line JS statements assigning the
   * unclamped variances Σ_ii(x) to `dest(i)` (`load(k)` is the expression for x_k; temporaries prefixed
   * with `prefix`), so that particle kernels can be generated. Such kernels use √max(Σ_ii, 0) as the
   * factor, like factor(), and call factor() where a variance is negative or NaN (it throws beyond
   * round-off).
   */
  readonly diagonalCode?: (
    load: (k: number) => string,
    dest: (i: number) => string,
    prefix: string,
  ) => string;
}

/** A box, one [lo, hi] per dimension. */
export type Box = ReadonlyArray<readonly [number, number]>;

/** A validated, compiled problem: everything the particle, PDE and landscape sides need. */
export interface Problem {
  readonly name: string;
  readonly description?: string;
  /** d */
  readonly dim: number;
  /** Names of the coordinates, e.g. ["x","y"] or ["x1",…,"xd"]; used in region expressions. */
  readonly varNames: readonly string[];
  readonly loss: Loss;
  readonly noise: NoiseModel;
  /** Learning rate η (> 0). */
  readonly lr: number;
  /** Batch size B (≥ 1). */
  readonly batch: number;
  /** Minibatches drawn i.i.d. with replacement (true) or as random subsets (false). */
  readonly replacement: boolean;
  /** Σ_B = batchScale · Σ (DESIGN.md §1). */
  readonly batchScale: number;
  /** Noisy-SGD added noise δ ≥ 0: each step adds N(0, 2δη I); diffusion ηΣ_B + 2δI. */
  readonly delta: number;
  /**
   * Heavy-ball momentum β ∈ [0, 1) (0: plain SGD): v ← βv − η·(gradient step), x ← x + v. Its SDE (Li–Tai–E) is
   * the order-1 SDE with drift and noise scaled by 1/(1 − β), valid for fixed β as η → 0.
   */
  readonly momentum: number;
  /** Box used by grid methods and as the default divergence bound. */
  readonly domain: Box;
  /** Optional default start point and target region from the problem file. */
  readonly start?: readonly number[];
  readonly target?: string;
  /** The validated problem file as plain JSON: enough to rebuild this Problem in a worker. */
  readonly spec: unknown;
}
