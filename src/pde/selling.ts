/**
 * Selling's (obtuse superbase) decomposition of a symmetric positive semi-definite D (d = 2, 3) into
 * non-negative weights on integer lattice offsets: D = Σ_k ρ_k e_k e_kᵀ, ρ_k ≥ 0 (Fehrenbach–Mirebeau,
 * "Sparse non-negative stencils for anisotropic diffusion", 2014). Then tr(D∇²u) = Σ_k ρ_k ∂²_{e_k} u and the
 * centred second difference along each e_k is monotone whatever the anisotropy. Allocation-free.
 */

/** Maximum Selling iterations. Reached only for (nearly) degenerate D with an irrational kernel. */
const MAX_ITER = 200;
/**
 * Default largest superbase component (stencil radius). A degenerate D whose kernel is not a lattice direction
 * (e.g. rank-1 noise along an irrational angle) would need unbounded offsets: the reduction stops there and
 * flags the node (`state[0] = 1`); `stencil.ts` then relaxes D (see `diffusionStencil`).
 */
const MAX_COMPONENT_2D = 16;
const MAX_COMPONENT_3D = 3;

/**
 * Decomposes the 2×2 or 3×3 matrix D (row-major). Writes up to 3 (2-D) or 6 (3-D) weights into `w` and the
 * offsets into `off` (d integers each). Returns the number of terms. If the iteration cap is hit (degenerate D
 * whose range is not a lattice direction) or a superbase component would exceed `radius`, `state[0]` is set to
 * 1 and the terms returned are NOT a decomposition of D (negative weights dropped): callers must relax D and
 * retry (`diffusionStencil` in stencil.ts does).
 */
export function selling(
  d: number,
  D: Float64Array,
  w: Float64Array,
  off: Int32Array,
  sb: Int32Array,
  state: Int32Array,
  radius?: number,
): number {
  state[0] = 0;
  const cap2 = radius ?? MAX_COMPONENT_2D;
  const cap3 = radius ?? MAX_COMPONENT_3D;
  if (d === 2) {
    sb[0] = 1;
    sb[1] = 0;
    sb[2] = 0;
    sb[3] = 1;
    sb[4] = -1;
    sb[5] = -1;
    const tol = 1e-14 * (Math.abs(D[0]) + Math.abs(D[3]));
    for (let it = 0; ; it++) {
      let found = -1;
      for (let p = 0; p < 3 && found < 0; p++) {
        const i = p;
        const j = (p + 1) % 3;
        if (dot2(D, sb, i, j) > tol) found = p;
      }
      if (found < 0) break;
      const i = found;
      const j = (found + 1) % 3;
      const k = (found + 2) % 3;
      if (
        it >= MAX_ITER ||
        Math.abs(sb[2 * i] - sb[2 * j]) > cap2 ||
        Math.abs(sb[2 * i + 1] - sb[2 * j + 1]) > cap2
      ) {
        state[0] = 1;
        break;
      }
      // (v_i, v_j, v_k) ← (−v_i, v_j, v_i − v_j)
      sb[2 * k] = sb[2 * i] - sb[2 * j];
      sb[2 * k + 1] = sb[2 * i + 1] - sb[2 * j + 1];
      sb[2 * i] = -sb[2 * i];
      sb[2 * i + 1] = -sb[2 * i + 1];
    }
    let m = 0;
    for (let k = 0; k < 3; k++) {
      const i = (k + 1) % 3;
      const j = (k + 2) % 3;
      const rho = -dot2(D, sb, i, j);
      if (rho <= 0) continue;
      w[m] = rho;
      off[2 * m] = -sb[2 * k + 1];
      off[2 * m + 1] = sb[2 * k];
      m++;
    }
    return m;
  }
  // d = 3: superbase v0..v3 (sum 0).
  sb.fill(0, 0, 12);
  sb[0] = 1;
  sb[4] = 1;
  sb[8] = 1;
  sb[9] = -1;
  sb[10] = -1;
  sb[11] = -1;
  const tol = 1e-14 * (Math.abs(D[0]) + Math.abs(D[4]) + Math.abs(D[8]));
  for (let it = 0; ; it++) {
    let fi = -1;
    let fj = -1;
    for (let i = 0; i < 4 && fi < 0; i++) {
      for (let j = i + 1; j < 4; j++) {
        if (dot3(D, sb, i, j) > tol) {
          fi = i;
          fj = j;
          break;
        }
      }
    }
    if (fi < 0) break;
    let tooLong = false;
    for (let k = 0; k < 4; k++) {
      if (k === fi || k === fj) continue;
      for (let c = 0; c < 3; c++) if (Math.abs(sb[3 * k + c] + sb[3 * fi + c]) > cap3) tooLong = true;
    }
    if (it >= MAX_ITER || tooLong) {
      state[0] = 1;
      break;
    }
    for (let k = 0; k < 4; k++) {
      if (k === fi || k === fj) continue;
      for (let c = 0; c < 3; c++) sb[3 * k + c] += sb[3 * fi + c];
    }
    for (let c = 0; c < 3; c++) sb[3 * fi + c] = -sb[3 * fi + c];
  }
  let m = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      const rho = -dot3(D, sb, i, j);
      if (rho <= 0) continue;
      // the other two
      let k = -1;
      let l = -1;
      for (let q = 0; q < 4; q++) {
        if (q === i || q === j) continue;
        if (k < 0) k = q;
        else l = q;
      }
      const a0 = sb[3 * k];
      const a1 = sb[3 * k + 1];
      const a2 = sb[3 * k + 2];
      const b0 = sb[3 * l];
      const b1 = sb[3 * l + 1];
      const b2 = sb[3 * l + 2];
      w[m] = rho;
      off[3 * m] = a1 * b2 - a2 * b1;
      off[3 * m + 1] = a2 * b0 - a0 * b2;
      off[3 * m + 2] = a0 * b1 - a1 * b0;
      m++;
    }
  }
  return m;
}

function dot2(D: Float64Array, sb: Int32Array, i: number, j: number): number {
  const a0 = sb[2 * i];
  const a1 = sb[2 * i + 1];
  const b0 = sb[2 * j];
  const b1 = sb[2 * j + 1];
  return a0 * (D[0] * b0 + D[1] * b1) + a1 * (D[2] * b0 + D[3] * b1);
}

function dot3(D: Float64Array, sb: Int32Array, i: number, j: number): number {
  let s = 0;
  for (let r = 0; r < 3; r++) {
    let t = 0;
    for (let c = 0; c < 3; c++) t += D[3 * r + c] * sb[3 * j + c];
    s += sb[3 * i + r] * t;
  }
  return s;
}
