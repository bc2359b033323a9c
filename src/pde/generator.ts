/**
 * The ONE discrete generator Q of sgdscope's PDE side (DESIGN.md §2).
 *
 * Q is a CSR matrix on the nodes of a node-centred grid with off-diagonal entries ≥ 0 (jump rates, 1/SDE-time)
 * and zero row sums: a continuous-time Markov chain approximating
 *     𝓛u = −∇L·∇u + ½ tr(A∇²u),   A(x) = η·batchScale·Σ(x) + 2δI   (+ drift c = −(η/2)∇²L∇L at order 2).
 *
 * Scheme (per node i, D = A/2, H = diag(h)):
 * 1. Diffusion: D̃ = H⁻¹DH⁻¹ is split by Selling's decomposition (2-D/3-D) into non-negative weights ρ_k on
 *    integer offsets e_k, tr(D∇²u) = Σ ρ_k ∂²_{He_k}u. Off-axis offsets get the centred second difference
 *    (rate ρ_k to i ± e_k): monotone for any anisotropy, rank-1 or vanishing D.
 * 2. Drift + axis diffusion: along each axis k with physical coefficient a_k (the axis part of D) the 1-D
 *    operator a_k∂²_k + b_k∂_k gets Scharfetter–Gummel (exponential fitting) rates
 *        rate(i→j) = F(a_k, s_ij)/(h_ij·h̄),  F(a,s) = s/(1 − e^{−s/a}),  F(0,s) = max(s,0),
 *    with s_ij = −(L_j − L_i) + c_k·(x_j − x_i) (the drift integrated along the edge). F ≥ 0 always: upwind
 *    when the drift dominates (a_k h ≪ |s|), centred when diffusion dominates.
 * 3. Walls reflect (mirror ghost nodes: Neumann for 𝓛). Absorbing nodes get empty rows. With
 *    `cutCells` (default when the absorbing set is a region function), an axis edge from a live node into
 *    the absorbing set is shortened to the boundary point found by bisection (Shortley–Weller), restoring
 *    second order for curved/unaligned boundaries along axes; off-axis jumps into the set stay staircase.
 *
 * Order: O(h²) consistency where A > 0 is smooth and the cell Péclet |∇L|h/a is O(1); O(h) (upwind numerical
 * diffusion |∇L|h/2 along axes) where the noise is degenerate — check such cases by refinement.
 * Exact detailed balance: for A = 2εI constant, a_k = ε and rate(i→j)/rate(j→i) = e^{−(L_j−L_i)/ε}, so the
 * discrete stationary law is exactly π_i ∝ volume_i · e^{−L_i/ε} (density ∝ e^{−L/ε} at every node).
 */
import { UserError } from "../errors.js";
import type { Csr } from "../linalg/csr.js";
import { diffusionFromCovariance } from "../problem/diffusion.js";
import type { Problem } from "../problem/types.js";
import { type Grid, nodeCoords, type RegionFn } from "./grid.js";
import { diffusionStencil, type StencilPolicy, stencilPolicy, stencilWork } from "./stencil.js";

export interface GeneratorOptions {
  /** Add the order-2 drift correction −(η/4)∇|∇L|² = −(η/2)∇²L∇L. Default false. */
  order2?: boolean;
  /** Absorbing set: a region predicate or a node mask (1 = absorbing). Their rows are empty. */
  absorbing?: RegionFn | Uint8Array | null;
  /** Shorten axis edges into the absorbing set to the true boundary (needs a region predicate). Default true. */
  cutCells?: boolean;
  /** Relaxation and stencil radius for degenerate tensors (default `stencilPolicy(grid.shape)`). */
  stencil?: StencilPolicy;
}

export interface DiscreteGenerator {
  grid: Grid;
  /** Rows = from-node, columns = to-node; Q_ij ≥ 0 (i ≠ j), Σ_j Q_ij = 0. Units 1/SDE-time. */
  Q: Csr;
  /** 1 for absorbing nodes (empty rows), or null. */
  absorbing: Uint8Array | null;
  /** L at the nodes. */
  loss: Float64Array;
  /** tr A at the nodes (A = ηΣ_B + 2δI). */
  traceA: Float64Array;
  /** Nodes whose diffusion matrix is exactly zero. */
  degenerateNodes: number;
  /**
   * Nodes whose diffusion tensor was relaxed to D̃ + μI before the reduction (degenerate noise off the lattice
   * within the stencil radius; stencil.ts): consistent, first order there. 0 when every stencil is exact.
   */
  relaxedNodes: number;
  /** Largest relative relaxation μ/tr D̃ used (0 when none; the policy's ε unless doubling was needed). */
  maxRelaxation: number;
  /** Relaxation target ε and stencil radius R used. */
  stencil: StencilPolicy;
  /** Number of axis edges shortened to the absorbing boundary. */
  cutEdges: number;
  order2: boolean;
}

/** Scharfetter–Gummel flux F(a, s) = s/(1 − e^{−s/a}) = a·B(−s/a) ≥ 0; F(0, s) = max(s, 0). */
export function sgRate(a: number, s: number): number {
  if (!(a > 0)) return Math.max(s, 0);
  const z = s / a;
  if (Math.abs(z) < 1e-8) return a + 0.5 * s;
  if (z > 0) return s / -Math.expm1(-z);
  return (-s * Math.exp(z)) / -Math.expm1(z);
}

/** Builds Q for `problem` on `grid` (see the module comment for the scheme). */
export function buildGenerator(problem: Problem, grid: Grid, opts: GeneratorOptions = {}): DiscreteGenerator {
  if (problem.momentum > 0)
    throw new UserError(
      "the grid generator models plain SGD's SDE; heavy-ball momentum is not implemented there",
      {
        where: "momentum",
        hint: "momentum 0, or the particle methods (simulate, exit-time --method sgd,sde)",
      },
    );
  const d = grid.dim;
  const n = grid.size;
  const order2 = opts.order2 ?? false;
  const regionFn = typeof opts.absorbing === "function" ? opts.absorbing : null;
  let absorbing: Uint8Array | null = null;
  if (opts.absorbing instanceof Uint8Array) absorbing = opts.absorbing;
  else if (regionFn) {
    absorbing = new Uint8Array(n);
    const xx = new Float64Array(d);
    for (let i = 0; i < n; i++) absorbing[i] = regionFn(nodeCoords(grid, i, xx)) ? 1 : 0;
  }
  const cut = (opts.cutCells ?? true) && regionFn !== null;
  const { shape, strides, h } = grid;
  const eta = problem.lr;

  // Pass 1: L at nodes.
  const x = new Float64Array(d);
  const L = new Float64Array(n);
  for (let i = 0; i < n; i++) L[i] = problem.loss.value(nodeCoords(grid, i, x));

  const cov = new Float64Array(d * d);
  const Dt = new Float64Array(d * d);
  const grad = new Float64Array(d);
  const hess = new Float64Array(d * d);
  const c = new Float64Array(d);
  const axisA = new Float64Array(d);
  const policy = opts.stencil ?? stencilPolicy(shape);
  const sw = stencilWork(Math.max(d, 2));
  const w = sw.w;
  const off = sw.off;
  const bpar = new Float64Array(d);
  const idx = new Int32Array(d);
  const xb = new Float64Array(d);
  const traceA = new Float64Array(n);
  const bvec = new Float64Array(d);
  const axisDrift = new Float64Array(d);
  const beta = new Float64Array(6);
  const Dp = new Float64Array(3);
  const Dphys = new Float64Array(d * d);
  const yv = new Float64Array(d);
  const jac = new Float64Array(18);
  const tj = new Int32Array(2);
  const th2 = new Float64Array(2);
  const dir = new Float64Array(d);
  const trOut = new Float64Array(1);
  const mirroredQ = new Uint8Array(2);

  /** b = −∇L (+c) into bvec and y = D_r⁻¹b_∥ into yv at x, for the tensor in Dt and the stencil in sw. */
  const driftY = (): void => {
    problem.loss.gradient(x, grad);
    if (order2) {
      problem.loss.hessian(x, hess);
      for (let k = 0; k < d; k++) {
        let q = 0;
        for (let l = 0; l < d; l++) q += hess[k * d + l] * grad[l];
        c[k] = -0.5 * eta * q;
      }
    }
    for (let k = 0; k < d; k++) {
      bvec[k] = -grad[k] + (order2 ? c[k] : 0);
    }
    // y = D⁺b (physical D = H D̃ H, unrelaxed)
    for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) Dphys[k * d + l] = Dt[k * d + l] * h[k] * h[l];
    if (d === 2) {
      pinv2(Dphys[0], Dphys[1], Dphys[3], Dp);
      yv[0] = Dp[0] * bvec[0] + Dp[1] * bvec[1];
      yv[1] = Dp[1] * bvec[0] + Dp[2] * bvec[1];
    } else {
      pinvApply3(Dphys, bvec, yv, jac);
    }
    if (sw.relaxation > 0) {
      // b_∥ = D y, then y = D_r⁻¹ b_∥
      for (let k = 0; k < d; k++) {
        let q = 0;
        for (let l = 0; l < d; l++) q += Dphys[k * d + l] * yv[l];
        bpar[k] = q;
      }
      for (let k = 0; k < d; k++)
        for (let l = 0; l < d; l++) Dphys[k * d + l] = sw.Dr[k * d + l] * h[k] * h[l];
      if (d === 2) {
        pinv2(Dphys[0], Dphys[1], Dphys[3], Dp);
        yv[0] = Dp[0] * bpar[0] + Dp[1] * bpar[1];
        yv[1] = Dp[1] * bpar[0] + Dp[2] * bpar[1];
      } else {
        pinvApply3(Dphys, bpar, yv, jac);
      }
    }
  };
  /** Dt ← A(x)/2 in grid units; returns whether it has off-diagonal entries. Writes trace A to trOut[0]. */
  const tensorAt = (): boolean => {
    problem.noise.covariance(x, cov);
    diffusionFromCovariance(problem, d, cov, cov); // cov ← A(x), the one formula
    let tr = 0;
    let offDiag = false;
    for (let k = 0; k < d; k++) {
      for (let l = 0; l < d; l++) {
        const a = cov[k * d + l];
        Dt[k * d + l] = (0.5 * a) / (h[k] * h[l]);
        if (k !== l && a !== 0) offDiag = true;
      }
      tr += cov[k * d + k];
    }
    trOut[0] = tr;
    return offDiag;
  };
  // Pass 2 (d ≥ 2): y = D_r⁻¹b_∥ at every node with an off-diagonal tensor, so that the drift along an offset
  // edge can be evaluated at the edge (average of its ends, edge-symmetric like the potential differences used
  // on the axes) instead of at the node: node-based drift on long offsets errs at O(|He|) in the effective
  // potential, which the exit time amplifies by the barrier/noise ratio.
  const yNode = d > 1 ? new Float64Array(n * d) : null;
  const hasY = new Uint8Array(d > 1 ? n : 0);
  if (yNode) {
    for (let i = 0; i < n; i++) {
      if (absorbing?.[i]) continue;
      nodeCoords(grid, i, x);
      if (!tensorAt()) continue;
      diffusionStencil(Dt, policy, sw);
      driftY();
      for (let k = 0; k < d; k++) yNode[i * d + k] = yv[k];
      hasY[i] = 1;
    }
  }

  let cap = n * (2 * d + 1) + 16;
  let colIdx = new Int32Array(cap);
  let values = new Float64Array(cap);
  const rowPtr = new Int32Array(n + 1);
  const rc = new Int32Array(32);
  const rv = new Float64Array(32);
  let nnz = 0;
  let degenerate = 0;
  let relaxedNodes = 0;
  let maxRelaxation = 0;
  let cutEdges = 0;

  for (let i = 0; i < n; i++) {
    rowPtr[i] = nnz;
    // multi-index
    let r = i;
    for (let k = 0; k < d; k++) {
      const nk = shape[k];
      idx[k] = r % nk;
      r = (r - idx[k]) / nk;
      x[k] = grid.lo[k] + idx[k] * h[k];
    }
    const offDiag = tensorAt();
    const tr = trOut[0];
    traceA[i] = tr;
    if (tr === 0) degenerate++;
    if (absorbing?.[i]) {
      rowPtr[i] = nnz;
      if (nnz + 1 > cap) [colIdx, values, cap] = grow(colIdx, values, cap);
      colIdx[nnz] = i;
      values[nnz] = 0;
      nnz++;
      continue;
    }
    let m = 0; // row buffer length
    let nterms = 0;
    for (let k = 0; k < d; k++) axisA[k] = Dt[k * d + k] * h[k] * h[k];
    const projDrift = d >= 2 && offDiag;
    if (d > 1 && offDiag) {
      for (let k = 0; k < d; k++) axisA[k] = 0;
      nterms = diffusionStencil(Dt, policy, sw);
      if (sw.relaxation > 0) {
        relaxedNodes++;
        if (sw.relaxation > maxRelaxation) maxRelaxation = sw.relaxation;
      }
      if (projDrift) {
        // b = −∇L (+c) = b_∥ + b_⊥ with b_∥ = DD⁺b (the part the noise can carry) written exactly as
        // Σ_t β_t H e_t, β_t = ρ_t⟨H e_t, D_r⁻¹b_∥⟩ (D_r = H(D̃ + μI)H = Σ ρ_t He_t(He_t)ᵀ, so Σ_t β_t He_t =
        // b_∥); b_⊥ (drift the noise cannot oppose) is upwinded on the axes. Using D_r⁻¹b instead would blow
        // b_⊥ up by 1/μ onto nearly parallel offsets: an O(1) numerical diffusion along the noise.
        driftY();
        for (let k = 0; k < d; k++) axisDrift[k] = bvec[k];
        for (let t = 0; t < nterms; t++) {
          let dot = 0;
          for (let k = 0; k < d; k++) dot += off[d * t + k] * h[k] * yv[k];
          beta[t] = w[t] * dot;
          for (let k = 0; k < d; k++) axisDrift[k] -= beta[t] * off[d * t + k] * h[k];
        }
        // axisDrift now holds the residual r (drift outside range D), upwinded/fitted on the axes
      }
      // move axis offsets into axisA
      let q = 0;
      for (let t = 0; t < nterms; t++) {
        let nz = 0;
        let ax = -1;
        for (let k = 0; k < d; k++) {
          const o = off[t * d + k];
          if (o !== 0) {
            nz++;
            if (o === 1 || o === -1) ax = k;
          }
        }
        if (nz === 1 && ax >= 0) {
          axisA[ax] += w[t] * h[ax] * h[ax];
          if (projDrift) axisDrift[ax] += beta[t] * off[t * d + ax] * h[ax];
        } else {
          w[q] = w[t];
          beta[q] = beta[t];
          for (let k = 0; k < d; k++) off[q * d + k] = off[t * d + k];
          q++;
        }
      }
      nterms = q;
    }
    if (order2 && !projDrift) {
      problem.loss.gradient(x, grad);
      problem.loss.hessian(x, hess);
      for (let k = 0; k < d; k++) {
        let s = 0;
        for (let l = 0; l < d; l++) s += hess[k * d + l] * grad[l];
        c[k] = -0.5 * eta * s;
      }
    }
    // Axis terms with Scharfetter–Gummel rates.
    for (let k = 0; k < d; k++) {
      const ik = idx[k];
      const nk = shape[k];
      const hk = h[k];
      let jm: number;
      let jp: number;
      let hm = hk;
      let hp = hk;
      let Lm: number;
      let Lp: number;
      // minus side
      if (ik > 0) {
        jm = i - strides[k];
        Lm = L[jm];
        if (cut && absorbing![jm]) {
          const th = crossing(regionFn!, x, k, -hk, xb);
          hm = th * hk;
          Lm = problem.loss.value(xb);
          cutEdges++;
        }
      } else {
        jm = i + strides[k]; // mirror
        Lm = L[jm];
      }
      if (ik < nk - 1) {
        jp = i + strides[k];
        Lp = L[jp];
        if (cut && absorbing![jp]) {
          const th = crossing(regionFn!, x, k, hk, xb);
          hp = th * hk;
          Lp = problem.loss.value(xb);
          cutEdges++;
        }
      } else {
        jp = i - strides[k];
        Lp = L[jp];
      }
      const hbar = 0.5 * (hm + hp);
      const a = axisA[k];
      const ck = order2 ? c[k] : 0;
      const sm = projDrift ? -axisDrift[k] * hm : -(Lm - L[i]) - ck * hm;
      const sp = projDrift ? axisDrift[k] * hp : -(Lp - L[i]) + ck * hp;
      const rm = sgRate(a, sm) / (hm * hbar);
      const rp = sgRate(a, sp) / (hp * hbar);
      m = push(rc, rv, m, jm, rm);
      m = push(rc, rv, m, jp, rp);
    }
    // Off-axis Selling terms: second differences along the offset (exponentially fitted with the projected
    // drift β in 2-D), shortened to the absorbing boundary with cut cells as on the axes.
    for (let t = 0; t < nterms; t++) {
      for (let q = 0; q < 2; q++) {
        const sgn = q === 0 ? -1 : 1;
        let j = 0;
        let mirrored = false;
        for (let k = 0; k < d; k++) {
          let v = idx[k] + sgn * off[t * d + k];
          const nk = shape[k];
          if (v < 0) {
            v = -v;
            mirrored = true;
          }
          if (v > nk - 1) {
            v = 2 * (nk - 1) - v;
            mirrored = true;
          }
          if (v < 0) v = 0;
          j += v * strides[k];
        }
        tj[q] = j;
        mirroredQ[q] = mirrored ? 1 : 0;
        th2[q] = 1;
        if (cut && !mirrored && absorbing![j]) {
          for (let k = 0; k < d; k++) dir[k] = sgn * off[t * d + k] * h[k];
          th2[q] = crossingDir(regionFn!, x, dir, xb);
          cutEdges++;
        }
      }
      const hb = 0.5 * (th2[0] + th2[1]);
      for (let q = 0; q < 2; q++) {
        const sgn = q === 0 ? -1 : 1;
        let bq = beta[t];
        const j = tj[q];
        if (projDrift && yNode && th2[q] === 1 && hasY[j] && !mirroredQ[q]) {
          let dot = 0;
          for (let k = 0; k < d; k++) dot += off[t * d + k] * h[k] * 0.5 * (yv[k] + yNode[j * d + k]);
          bq = w[t] * dot;
        }
        const rate = projDrift ? sgRate(w[t], sgn * bq * th2[q]) : w[t];
        m = push(rc, rv, m, tj[q], rate / (th2[q] * hb));
      }
    }
    // diagonal
    let sum = 0;
    for (let q = 0; q < m; q++) if (rc[q] !== i) sum += rv[q];
    let hasDiag = false;
    for (let q = 0; q < m; q++) {
      if (rc[q] === i) {
        rv[q] = -sum;
        hasDiag = true;
      }
    }
    if (!hasDiag) m = push(rc, rv, m, i, -sum);
    // sort row by column (insertion sort, m ≤ 32)
    for (let p = 1; p < m; p++) {
      const cc = rc[p];
      const vv = rv[p];
      let q = p - 1;
      while (q >= 0 && rc[q] > cc) {
        rc[q + 1] = rc[q];
        rv[q + 1] = rv[q];
        q--;
      }
      rc[q + 1] = cc;
      rv[q + 1] = vv;
    }
    if (nnz + m > cap) [colIdx, values, cap] = grow(colIdx, values, Math.max(cap, nnz + m));
    for (let q = 0; q < m; q++) {
      colIdx[nnz] = rc[q];
      values[nnz] = rv[q];
      nnz++;
    }
  }
  rowPtr[n] = nnz;
  return {
    grid,
    Q: { n, rowPtr, colIdx: colIdx.slice(0, nnz), values: values.slice(0, nnz) },
    absorbing,
    loss: L,
    traceA,
    degenerateNodes: degenerate,
    relaxedNodes,
    maxRelaxation,
    stencil: policy,
    cutEdges,
    order2,
  };
}

/**
 * y = D⁺b for a symmetric PSD 3×3 D (cyclic Jacobi, eigenvalues ≤ 1e-12·max dropped). `w` is scratch (≥ 18).
 */
function pinvApply3(D: Float64Array, b: Float64Array, y: Float64Array, w: Float64Array): void {
  // w[0..9): working matrix, w[9..18): eigenvectors (columns)
  for (let k = 0; k < 9; k++) w[k] = D[k];
  for (let k = 0; k < 9; k++) w[9 + k] = k % 4 === 0 ? 1 : 0;
  for (let sweep = 0; sweep < 30; sweep++) {
    const off = Math.abs(w[1]) + Math.abs(w[2]) + Math.abs(w[5]);
    const diag = Math.abs(w[0]) + Math.abs(w[4]) + Math.abs(w[8]);
    if (off <= 1e-15 * diag || off === 0) break;
    for (let p = 0; p < 2; p++) {
      for (let q = p + 1; q < 3; q++) {
        const apq = w[p * 3 + q];
        if (apq === 0) continue;
        const app = w[p * 3 + p];
        const aqq = w[q * 3 + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 3; k++) {
          const akp = w[k * 3 + p];
          const akq = w[k * 3 + q];
          w[k * 3 + p] = c * akp - s * akq;
          w[k * 3 + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 3; k++) {
          const apk = w[p * 3 + k];
          const aqk = w[q * 3 + k];
          w[p * 3 + k] = c * apk - s * aqk;
          w[q * 3 + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 3; k++) {
          const vkp = w[9 + k * 3 + p];
          const vkq = w[9 + k * 3 + q];
          w[9 + k * 3 + p] = c * vkp - s * vkq;
          w[9 + k * 3 + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const lmax = Math.max(w[0], w[4], w[8]);
  y.fill(0, 0, 3);
  for (let e = 0; e < 3; e++) {
    const lam = w[e * 4];
    if (!(lam > 1e-12 * lmax)) continue;
    let proj = 0;
    for (let k = 0; k < 3; k++) proj += w[9 + k * 3 + e] * b[k];
    for (let k = 0; k < 3; k++) y[k] += (w[9 + k * 3 + e] * proj) / lam;
  }
}

/** Pseudo-inverse of the symmetric 2×2 [[a,b],[b,c]] (eigenvalues ≤ 1e-12·max dropped) → [p00, p01, p11]. */
function pinv2(a: number, b: number, c: number, out: Float64Array): void {
  const tr = a + c;
  const disc = Math.sqrt(0.25 * (a - c) * (a - c) + b * b);
  const l1 = 0.5 * tr + disc;
  const l2 = 0.5 * tr - disc;
  out.fill(0);
  if (!(l1 > 0)) return;
  // eigenvector of l1
  let v0 = b;
  let v1 = l1 - a;
  if (Math.abs(v0) + Math.abs(v1) < 1e-300 * (Math.abs(l1) + 1)) {
    v0 = l1 - c;
    v1 = b;
  }
  let nv = Math.hypot(v0, v1);
  if (!(nv > 0)) {
    v0 = 1;
    v1 = 0;
    nv = 1;
  }
  v0 /= nv;
  v1 /= nv;
  out[0] = (v0 * v0) / l1;
  out[1] = (v0 * v1) / l1;
  out[2] = (v1 * v1) / l1;
  if (l2 > 1e-12 * l1) {
    const u0 = -v1;
    const u1 = v0;
    out[0] += (u0 * u0) / l2;
    out[1] += (u0 * u1) / l2;
    out[2] += (u1 * u1) / l2;
  }
}

/** Adds rate v to column j in the row buffer (merging duplicates). */
function push(rc: Int32Array, rv: Float64Array, m: number, j: number, v: number): number {
  for (let q = 0; q < m; q++) {
    if (rc[q] === j) {
      rv[q] += v;
      return m;
    }
  }
  rc[m] = j;
  rv[m] = v;
  return m + 1;
}

function grow(
  c: Int32Array,
  v: Float64Array,
  cap: number,
): [Int32Array<ArrayBuffer>, Float64Array<ArrayBuffer>, number] {
  const nc = Math.ceil(cap * 1.5) + 64;
  const c2 = new Int32Array(nc);
  c2.set(c);
  const v2 = new Float64Array(nc);
  v2.set(v);
  return [c2, v2, nc];
}

/**
 * Fraction θ ∈ [1e-3, 1] of the axis edge from x (outside the region) to x + step·e_k (inside) at which
 * the region starts (bisection, 40 steps). Writes the boundary point into xb.
 */
function crossing(region: RegionFn, x: Float64Array, k: number, step: number, xb: Float64Array): number {
  xb.set(x);
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 40; it++) {
    const mid = 0.5 * (lo + hi);
    xb[k] = x[k] + mid * step;
    if (region(xb)) hi = mid;
    else lo = mid;
  }
  const th = Math.max(1e-3, hi);
  xb[k] = x[k] + th * step;
  return th;
}

/** As `crossing`, along an arbitrary step vector `dir` from x. */
function crossingDir(region: RegionFn, x: Float64Array, dir: Float64Array, xb: Float64Array): number {
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 40; it++) {
    const mid = 0.5 * (lo + hi);
    for (let k = 0; k < x.length; k++) xb[k] = x[k] + mid * dir[k];
    if (region(xb)) hi = mid;
    else lo = mid;
  }
  return Math.max(1e-3, hi);
}

/** Max |row sum| / max |diagonal| and min off-diagonal of Q (Markov-chain sanity check). */
export function checkGenerator(Q: Csr): { maxRowSum: number; minOffDiagonal: number } {
  let maxRow = 0;
  let minOff = Number.POSITIVE_INFINITY;
  for (let i = 0; i < Q.n; i++) {
    let s = 0;
    let scale = 0;
    for (let p = Q.rowPtr[i]; p < Q.rowPtr[i + 1]; p++) {
      s += Q.values[p];
      scale = Math.max(scale, Math.abs(Q.values[p]));
      if (Q.colIdx[p] !== i) minOff = Math.min(minOff, Q.values[p]);
    }
    if (scale > 0) maxRow = Math.max(maxRow, Math.abs(s) / scale);
  }
  return { maxRowSum: maxRow, minOffDiagonal: minOff };
}
