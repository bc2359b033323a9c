/**
 * A small multilayer perceptron as a finite sum L(x) = (1/N) Σ_i ℓ_i(x), float64, with per-sample
 * gradients by hand-written backpropagation on preallocated Float64Arrays (no allocation per call).
 *
 * Network: sizes n_0 = p (inputs), n_1..n_H (hidden, H = 1 or 2), n_{H+1} = outputs.
 *   h_0 = a_i,  z_l = W_l h_{l−1} + b_l,  h_l = act(z_l) (l ≤ H),  o = z_{H+1} (no activation),
 * act = tanh or relu (relu'(0) taken as 0). Output loss:
 *   softmax cross-entropy  ℓ_i = logsumexp(o) − o_{y_i}       (y_i a class index 0..outputs−1),
 *   squared                ℓ_i = ½ ‖o − t_i‖²                (t_i a target vector of length outputs),
 * plus (λ/2)‖x‖² with λ = `l2` on every parameter.
 *
 * Parameter layout in x (length d): for l = 1..H+1 in order, W_l row-major (n_l × n_{l−1}: weight from
 * unit c of layer l−1 to unit r of layer l at offset wOff[l−1] + r·n_{l−1} + c), then b_l (n_l entries,
 * at bOff[l−1]) when `bias` is set. `layout()` returns these offsets.
 *
 * Kernels: sampleGradient/sampleValue run one sample through forward()/backward(); batchGradient and
 * gradient run blocks of 32 samples layer by layer (chunk(): small matrix products with contiguous dot
 * products), the hot path of SGD. Both are tested against each other and against finite differences.
 *
 * Hessian: central finite difference of the exact gradient, column j = (∇L(x + h e_j) − ∇L(x − h e_j))/(2h)
 * with h = 2⁻¹⁷·max(1, |x_j|) ≈ 7.6e-6·max(1,|x_j|), then symmetrised. Error ≈ h²/6·|∂³∇L| + ε|∇L|/h,
 * i.e. about 1e-10 relative for tanh networks. For relu it is the Hessian of the piece containing x
 * (wrong only if x is within h of a kink). Cost 2d full gradients.
 */
import type { FiniteSum, Loss } from "../types.js";
import { MlpWasm } from "./mlp-wasm.js";
import { tanh } from "./tanh.js";

export type Activation = "tanh" | "relu";
export type OutputLoss = "softmax" | "squared";

export interface MlpOptions {
  /** Hidden layer widths, 1 or 2 entries. */
  hidden: readonly number[];
  activation?: Activation;
  output?: OutputLoss;
  bias?: boolean;
  /** Ridge penalty λ ≥ 0: ℓ_i += (λ/2)‖x‖². */
  l2?: number;
  /**
   * Minibatch kernel: "auto" (default) uses WebAssembly SIMD where available, "js" the JavaScript chunk kernel.
   * The two agree to rounding; `MlpLoss.kernel` says which one runs.
   */
  kernel?: "auto" | "js";
}

export interface MlpLayout {
  /** Layer sizes n_0..n_{H+1}. */
  sizes: number[];
  /** Offset of W_l in x, l = 1..H+1 (index l−1). */
  wOff: number[];
  /** Offset of b_l in x, or −1 without bias. */
  bOff: number[];
  /** Total number of parameters d. */
  dim: number;
}

/** Computes the parameter layout of an MLP with the given layer sizes. */
export function mlpLayout(sizes: readonly number[], bias: boolean): MlpLayout {
  const wOff: number[] = [];
  const bOff: number[] = [];
  let o = 0;
  for (let l = 1; l < sizes.length; l++) {
    wOff.push(o);
    o += sizes[l] * sizes[l - 1];
    if (bias) {
      bOff.push(o);
      o += sizes[l];
    } else bOff.push(-1);
  }
  return { sizes: [...sizes], wOff, bOff, dim: o };
}

/** Samples processed together by the batch kernel (layer by layer, like a small matrix product). */
const CHUNK = 32;

/** An MLP loss; it is its own `finiteSum`. */
export class MlpLoss implements Loss, FiniteSum {
  readonly dim: number;
  readonly n: number;
  readonly finiteSum: FiniteSum = this;
  readonly activation: Activation;
  readonly output: OutputLoss;
  readonly bias: boolean;
  readonly l2: number;
  readonly sizes: readonly number[];
  readonly layoutInfo: MlpLayout;
  /** Inputs, n × n_0 row-major. */
  readonly X: Float64Array;
  /** Softmax: class index per sample (n). Squared: targets n × outputs row-major. */
  readonly T: Float64Array;
  /** The minibatch kernel in use: WebAssembly SIMD, or JavaScript (no WebAssembly SIMD, or asked for). */
  readonly kernel: "wasm-simd" | "js";
  private readonly wasm: MlpWasm | null;

  private readonly nl: number; // number of weight layers H+1
  private readonly sz: Int32Array;
  private readonly wo: Int32Array;
  private readonly bo: Int32Array;
  private readonly unitOff: Int32Array; // offset of layer l's units in the activation buffers
  private readonly act: Float64Array; // h_l (h_0 = input), and o for the last layer
  private readonly pre: Float64Array; // z_l
  private readonly delta: Float64Array; // ∂ℓ/∂z_l
  private readonly relu: boolean;
  private readonly softmax: boolean;
  private readonly hx: Float64Array;
  private readonly hgp: Float64Array;
  private readonly hgm: Float64Array;
  // chunked batch kernel buffers (CHUNK samples at a time, sample-major)
  private readonly bH: Float64Array[]; // activations per layer, CHUNK × n_l
  private readonly bD0: Float64Array; // deltas, CHUNK × max n_l
  private readonly bD1: Float64Array;
  private readonly bWt: Float64Array; // a transposed weight matrix
  private readonly bDt: Float64Array; // Δ_l transposed, unit-major (n_l × CHUNK)
  private readonly bHt: Float64Array; // H_{l−1} transposed, unit-major
  private readonly allIdx: Int32Array; // 0..n−1
  // Losses are passed through double fields, not return values (a returned double is boxed, i.e.
  // allocated, by V8); initialised non-integer so that V8 gives them a double representation.
  private sumLoss = 0.5; // Σ ℓ of the current batch
  private fwdLoss = 0.5; // ℓ of the last forward()

  /**
   * X: n×p inputs. For output "softmax", `targets` holds n class indices in 0..outputs−1; for
   * "squared", n×outputs target values. The data are copied.
   */
  constructor(
    X: Float64Array,
    targets: Float64Array,
    n: number,
    p: number,
    outputs: number,
    opts: MlpOptions,
  ) {
    const hidden = opts.hidden;
    if (hidden.length < 1 || hidden.length > 2 || hidden.some((h) => !(Number.isInteger(h) && h >= 1))) {
      throw new RangeError("MlpLoss: hidden must list 1 or 2 positive integer widths");
    }
    if (!(n >= 1) || !(p >= 1) || !(outputs >= 1)) throw new RangeError("MlpLoss: need n, p, outputs ≥ 1");
    this.activation = opts.activation ?? "tanh";
    this.output = opts.output ?? "softmax";
    this.bias = opts.bias ?? true;
    this.l2 = opts.l2 ?? 0;
    this.relu = this.activation === "relu";
    this.softmax = this.output === "softmax";
    if (this.softmax && outputs < 2) throw new RangeError("MlpLoss: softmax needs ≥ 2 outputs");
    const tlen = this.softmax ? n : n * outputs;
    if (X.length < n * p || targets.length < tlen) throw new RangeError("MlpLoss: data arrays too short");
    this.n = n;
    this.sizes = [p, ...hidden, outputs];
    this.layoutInfo = mlpLayout(this.sizes, this.bias);
    this.dim = this.layoutInfo.dim;
    this.nl = this.sizes.length - 1;
    this.sz = Int32Array.from(this.sizes);
    this.wo = Int32Array.from(this.layoutInfo.wOff);
    this.bo = Int32Array.from(this.layoutInfo.bOff);
    this.unitOff = new Int32Array(this.sizes.length + 1);
    for (let l = 0; l < this.sizes.length; l++) this.unitOff[l + 1] = this.unitOff[l] + this.sizes[l];
    const units = this.unitOff[this.sizes.length];
    this.act = new Float64Array(units);
    this.pre = new Float64Array(units);
    this.delta = new Float64Array(units);
    this.X = Float64Array.from(X.subarray(0, n * p));
    this.T = Float64Array.from(targets.subarray(0, tlen));
    if (this.softmax) {
      for (let i = 0; i < n; i++) {
        const c = this.T[i];
        if (!(Number.isInteger(c) && c >= 0 && c < outputs)) {
          throw new RangeError(`MlpLoss: class index ${c} of sample ${i} not in 0..${outputs - 1}`);
        }
      }
    }
    this.hx = new Float64Array(this.dim);
    this.hgp = new Float64Array(this.dim);
    this.hgm = new Float64Array(this.dim);
    const maxUnits = Math.max(...this.sizes);
    this.bH = this.sizes.map((u) => new Float64Array(CHUNK * u));
    this.bD0 = new Float64Array(CHUNK * maxUnits);
    this.bD1 = new Float64Array(CHUNK * maxUnits);
    let maxW = 0;
    for (let l = 1; l < this.sizes.length; l++) maxW = Math.max(maxW, this.sizes[l] * this.sizes[l - 1]);
    this.bWt = new Float64Array(maxW);
    this.bDt = new Float64Array(CHUNK * maxUnits);
    this.bHt = new Float64Array(CHUNK * maxUnits);
    this.allIdx = new Int32Array(n);
    for (let i = 0; i < n; i++) this.allIdx[i] = i;
    this.wasm =
      opts.kernel === "js"
        ? null
        : MlpWasm.create({
            sizes: this.sizes,
            wOff: this.layoutInfo.wOff,
            bOff: this.layoutInfo.bOff,
            dim: this.dim,
            relu: this.relu,
            softmax: this.softmax,
            X: this.X,
            T: this.T,
          });
    this.kernel = this.wasm ? "wasm-simd" : "js";
  }

  /** Parameter offsets (see the module comment). */
  layout(): MlpLayout {
    return this.layoutInfo;
  }

  /**
   * Forward pass for sample i; leaves h_l, z_l in the buffers and, if `withDelta`, ∂ℓ/∂o in the
   * output block of `delta`. Leaves the data loss of sample i (without the ridge term) in fwdLoss.
   */
  private forward(i: number, x: Float64Array, withDelta: boolean): void {
    const act = this.act;
    const pre = this.pre;
    const sz = this.sz;
    const uo = this.unitOff;
    const p = sz[0];
    const X = this.X;
    const xo = i * p;
    for (let c = 0; c < p; c++) act[c] = X[xo + c];
    const nl = this.nl;
    const relu = this.relu;
    for (let l = 1; l <= nl; l++) {
      const nin = sz[l - 1];
      const nout = sz[l];
      const inO = uo[l - 1];
      const outO = uo[l];
      const wo = this.wo[l - 1];
      const bo = this.bo[l - 1];
      const last = l === nl;
      for (let r = 0; r < nout; r++) {
        let z = bo >= 0 ? x[bo + r] : 0;
        const w = wo + r * nin;
        for (let c = 0; c < nin; c++) z += x[w + c] * act[inO + c];
        pre[outO + r] = z;
        act[outO + r] = last ? z : relu ? Math.max(z, 0) : tanh(z);
      }
    }
    const no = sz[nl];
    const oo = uo[nl];
    const delta = this.delta;
    if (this.softmax) {
      let m = Number.NEGATIVE_INFINITY;
      for (let r = 0; r < no; r++) if (act[oo + r] > m) m = act[oo + r];
      let s = 0;
      for (let r = 0; r < no; r++) {
        const e = Math.exp(act[oo + r] - m);
        if (withDelta) delta[oo + r] = e;
        s += e;
      }
      const yi = this.T[i];
      if (withDelta) {
        const inv = 1 / s;
        for (let r = 0; r < no; r++) delta[oo + r] *= inv;
        delta[oo + yi] -= 1;
      }
      this.fwdLoss = m + Math.log(s) - act[oo + yi];
      return;
    }
    const T = this.T;
    const to = i * no;
    let s = 0;
    for (let r = 0; r < no; r++) {
      const e = act[oo + r] - T[to + r];
      if (withDelta) delta[oo + r] = e;
      s += e * e;
    }
    this.fwdLoss = 0.5 * s;
  }

  /** Backward pass after forward(i, x, true): adds ∇ℓ_i (data part) into g. */
  private backward(x: Float64Array, g: Float64Array): void {
    const act = this.act;
    const delta = this.delta;
    const sz = this.sz;
    const uo = this.unitOff;
    const relu = this.relu;
    for (let l = this.nl; l >= 1; l--) {
      const nin = sz[l - 1];
      const nout = sz[l];
      const inO = uo[l - 1];
      const outO = uo[l];
      const wo = this.wo[l - 1];
      const bo = this.bo[l - 1];
      const back = l > 1;
      if (back) for (let c = 0; c < nin; c++) delta[inO + c] = 0;
      for (let r = 0; r < nout; r++) {
        const dr = delta[outO + r];
        if (bo >= 0) g[bo + r] += dr;
        if (dr === 0) continue;
        const w = wo + r * nin;
        if (back) {
          for (let c = 0; c < nin; c++) {
            g[w + c] += dr * act[inO + c];
            delta[inO + c] += x[w + c] * dr;
          }
        } else {
          for (let c = 0; c < nin; c++) g[w + c] += dr * act[inO + c];
        }
      }
      if (back) {
        // through the activation of layer l−1: tanh' = 1 − h², relu' = 1[z > 0]
        if (relu) {
          const pre = this.pre;
          for (let c = 0; c < nin; c++) if (!(pre[inO + c] > 0)) delta[inO + c] = 0;
        } else {
          for (let c = 0; c < nin; c++) {
            const h = act[inO + c];
            delta[inO + c] *= 1 - h * h;
          }
        }
      }
    }
  }

  private ridge(x: Float64Array): number {
    if (this.l2 === 0) return 0;
    let s = 0;
    for (let j = 0; j < this.dim; j++) s += x[j] * x[j];
    return 0.5 * this.l2 * s;
  }

  /** The network output o (logits, or predictions for squared loss) for one input `a` (length p). Allocates. */
  predict(a: Float64Array, x: Float64Array, out: Float64Array): void {
    const sz = this.sz;
    let h = Float64Array.from(a.subarray(0, sz[0]));
    for (let l = 1; l <= this.nl; l++) {
      const nin = sz[l - 1];
      const nout = sz[l];
      const z = new Float64Array(nout);
      for (let r = 0; r < nout; r++) {
        let s = this.bo[l - 1] >= 0 ? x[this.bo[l - 1] + r] : 0;
        for (let c = 0; c < nin; c++) s += x[this.wo[l - 1] + r * nin + c] * h[c];
        z[r] = l === this.nl ? s : this.relu ? Math.max(s, 0) : tanh(s);
      }
      h = z;
    }
    out.set(h);
  }

  sampleValue(i: number, x: Float64Array): number {
    this.forward(i, x, false);
    return this.fwdLoss + this.ridge(x);
  }

  sampleGradient(i: number, x: Float64Array, g: Float64Array): number {
    const d = this.dim;
    for (let j = 0; j < d; j++) g[j] = 0;
    this.forward(i, x, true);
    const v = this.fwdLoss;
    this.backward(x, g);
    const lam = this.l2;
    if (lam !== 0) for (let j = 0; j < d; j++) g[j] += lam * x[j];
    return v + this.ridge(x);
  }

  /**
   * Adds Σ_{k<cnt} ∇ℓ_{idx[start+k]}(x) (data part) into g and Σ ℓ into `sumLoss` (a field, not a
   * return value: a returned double would be boxed, i.e. allocated, by V8), for cnt ≤ CHUNK samples,
   * layer by layer over the chunk: forward H_l = act(H_{l−1} W_lᵀ + b_l), backward
   * ∇W_l += Δ_lᵀ H_{l−1}, Δ_{l−1} = (Δ_l W_l) ⊙ act'(H_{l−1}). Same arithmetic as forward/backward,
   * summed in a different order (agrees to rounding).
   */
  private chunk(idx: Int32Array, start: number, cnt: number, x: Float64Array, g: Float64Array): void {
    const sz = this.sz;
    const nl = this.nl;
    const relu = this.relu;
    const H = this.bH;
    const p = sz[0];
    const X = this.X;
    const H0 = H[0];
    for (let b = 0; b < cnt; b++) {
      const xo = idx[start + b] * p;
      for (let c = 0; c < p; c++) H0[b * p + c] = X[xo + c];
    }
    // forward: Z_l = H_{l−1} W_lᵀ + b_l, four samples per pass over W_l (each weight loaded once for four
    // products, four independent sums), then the activation over the whole block (independent calls)
    for (let l = 1; l <= nl; l++) {
      const nin = sz[l - 1];
      const nout = sz[l];
      const Hp = H[l - 1];
      const Hl = H[l];
      const wo = this.wo[l - 1];
      const bo = this.bo[l - 1];
      let b = 0;
      for (; b + 3 < cnt; b += 4) {
        const h0 = b * nin;
        const h1 = h0 + nin;
        const h2 = h1 + nin;
        const h3 = h2 + nin;
        const o0 = b * nout;
        for (let r = 0; r < nout; r++) {
          const w = wo + r * nin;
          const bias = bo >= 0 ? x[bo + r] : 0;
          let z0 = bias;
          let z1 = bias;
          let z2 = bias;
          let z3 = bias;
          for (let c = 0; c < nin; c++) {
            const wc = x[w + c];
            z0 += wc * Hp[h0 + c];
            z1 += wc * Hp[h1 + c];
            z2 += wc * Hp[h2 + c];
            z3 += wc * Hp[h3 + c];
          }
          Hl[o0 + r] = z0;
          Hl[o0 + nout + r] = z1;
          Hl[o0 + 2 * nout + r] = z2;
          Hl[o0 + 3 * nout + r] = z3;
        }
      }
      for (; b < cnt; b++) {
        const h0 = b * nin;
        for (let r = 0; r < nout; r++) {
          const w = wo + r * nin;
          let z0 = bo >= 0 ? x[bo + r] : 0;
          for (let c = 0; c < nin; c++) z0 += x[w + c] * Hp[h0 + c];
          Hl[b * nout + r] = z0;
        }
      }
      if (l < nl) {
        const m = cnt * nout;
        if (relu) for (let k = 0; k < m; k++) Hl[k] = Math.max(Hl[k], 0);
        else for (let k = 0; k < m; k++) Hl[k] = tanh(Hl[k]);
      }
    }
    // output loss and Δ_out
    const no = sz[nl];
    const O = H[nl];
    let D = this.bD0;
    let Dp = this.bD1;
    const T = this.T;
    let s = 0;
    if (this.softmax) {
      for (let b = 0; b < cnt; b++) {
        const ob = b * no;
        let m = Number.NEGATIVE_INFINITY;
        for (let r = 0; r < no; r++) if (O[ob + r] > m) m = O[ob + r];
        let se = 0;
        for (let r = 0; r < no; r++) {
          const e = Math.exp(O[ob + r] - m);
          D[ob + r] = e;
          se += e;
        }
        const yi = T[idx[start + b]];
        s += m + Math.log(se) - O[ob + yi];
        const inv = 1 / se;
        for (let r = 0; r < no; r++) D[ob + r] *= inv;
        D[ob + yi] -= 1;
      }
    } else {
      for (let b = 0; b < cnt; b++) {
        const ob = b * no;
        const to = idx[start + b] * no;
        for (let r = 0; r < no; r++) {
          const e = O[ob + r] - T[to + r];
          D[ob + r] = e;
          s += 0.5 * e * e;
        }
      }
    }
    // backward: ∇W_l += Δ_lᵀ H_{l−1} as dot products over the chunk on unit-major copies, two units × two
    // inputs per pass (four sums, one load per product); Δ_{l−1} = (Δ_l W_l) ⊙ act'(H_{l−1}), four samples per
    // pass over W_l
    const Wt = this.bWt;
    const Dt = this.bDt;
    const Ht = this.bHt;
    for (let l = nl; l >= 1; l--) {
      const nin = sz[l - 1];
      const nout = sz[l];
      const Hp = H[l - 1];
      const wo = this.wo[l - 1];
      const bo = this.bo[l - 1];
      for (let b = 0; b < cnt; b++) {
        for (let r = 0; r < nout; r++) Dt[r * CHUNK + b] = D[b * nout + r];
        for (let c = 0; c < nin; c++) Ht[c * CHUNK + b] = Hp[b * nin + c];
      }
      let r = 0;
      for (; r + 1 < nout; r += 2) {
        const d0 = r * CHUNK;
        const d1 = d0 + CHUNK;
        const w0 = wo + r * nin;
        const w1 = w0 + nin;
        let c = 0;
        for (; c + 1 < nin; c += 2) {
          const e0 = c * CHUNK;
          const e1 = e0 + CHUNK;
          let a00 = 0;
          let a01 = 0;
          let a10 = 0;
          let a11 = 0;
          for (let b = 0; b < cnt; b++) {
            const p0 = Dt[d0 + b];
            const p1 = Dt[d1 + b];
            const q0 = Ht[e0 + b];
            const q1 = Ht[e1 + b];
            a00 += p0 * q0;
            a01 += p0 * q1;
            a10 += p1 * q0;
            a11 += p1 * q1;
          }
          g[w0 + c] += a00;
          g[w0 + c + 1] += a01;
          g[w1 + c] += a10;
          g[w1 + c + 1] += a11;
        }
        if (c < nin) {
          const e0 = c * CHUNK;
          let a00 = 0;
          let a10 = 0;
          for (let b = 0; b < cnt; b++) {
            a00 += Dt[d0 + b] * Ht[e0 + b];
            a10 += Dt[d1 + b] * Ht[e0 + b];
          }
          g[w0 + c] += a00;
          g[w1 + c] += a10;
        }
      }
      if (r < nout) {
        const d0 = r * CHUNK;
        const w0 = wo + r * nin;
        for (let c = 0; c < nin; c++) {
          const e0 = c * CHUNK;
          let a = 0;
          for (let b = 0; b < cnt; b++) a += Dt[d0 + b] * Ht[e0 + b];
          g[w0 + c] += a;
        }
      }
      if (bo >= 0) {
        for (let q = 0; q < nout; q++) {
          const d0 = q * CHUNK;
          let a = 0;
          for (let b = 0; b < cnt; b++) a += Dt[d0 + b];
          g[bo + q] += a;
        }
      }
      if (l > 1) {
        for (let q = 0; q < nout; q++) for (let c = 0; c < nin; c++) Wt[c * nout + q] = x[wo + q * nin + c];
        let b = 0;
        for (; b + 3 < cnt; b += 4) {
          const db = b * nout;
          const hb = b * nin;
          for (let c = 0; c < nin; c++) {
            const wt = c * nout;
            let a0 = 0;
            let a1 = 0;
            let a2 = 0;
            let a3 = 0;
            for (let q = 0; q < nout; q++) {
              const w = Wt[wt + q];
              a0 += D[db + q] * w;
              a1 += D[db + nout + q] * w;
              a2 += D[db + 2 * nout + q] * w;
              a3 += D[db + 3 * nout + q] * w;
            }
            Dp[hb + c] = a0;
            Dp[hb + nin + c] = a1;
            Dp[hb + 2 * nin + c] = a2;
            Dp[hb + 3 * nin + c] = a3;
          }
        }
        for (; b < cnt; b++) {
          const db = b * nout;
          const hb = b * nin;
          for (let c = 0; c < nin; c++) {
            const wt = c * nout;
            let a0 = 0;
            for (let q = 0; q < nout; q++) a0 += D[db + q] * Wt[wt + q];
            Dp[hb + c] = a0;
          }
        }
        // through the activation: tanh' = 1 − h², relu' = 1[h > 0]
        const m = cnt * nin;
        if (relu) for (let k = 0; k < m; k++) Dp[k] = Hp[k] > 0 ? Dp[k] : 0;
        else
          for (let k = 0; k < m; k++) {
            const h = Hp[k];
            Dp[k] *= 1 - h * h;
          }
        const t = D;
        D = Dp;
        Dp = t;
      }
    }
    this.sumLoss += s;
  }

  /** Minibatch mean gradient over idx[0..count) (repeats allowed); allocates nothing. */
  batchGradient(idx: Int32Array, count: number, x: Float64Array, g: Float64Array): number {
    const w = this.wasm;
    if (w !== null) {
      w.begin(x);
      for (let k = 0; k < count; k += CHUNK) w.accumulate(idx, k, Math.min(CHUNK, count - k));
      const inv = 1 / count;
      w.finish(x, g, inv, this.l2);
      return w.sumLoss * inv + this.ridge(x);
    }
    const d = this.dim;
    for (let j = 0; j < d; j++) g[j] = 0;
    this.sumLoss = 0;
    for (let k = 0; k < count; k += CHUNK) this.chunk(idx, k, Math.min(CHUNK, count - k), x, g);
    const s = this.sumLoss;
    const inv = 1 / count;
    const lam = this.l2;
    for (let j = 0; j < d; j++) g[j] = g[j] * inv + lam * x[j];
    return s * inv + this.ridge(x);
  }

  value(x: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) {
      this.forward(i, x, false);
      s += this.fwdLoss;
    }
    return s / this.n + this.ridge(x);
  }

  gradient(x: Float64Array, g: Float64Array): number {
    return this.batchGradient(this.allIdx, this.n, x, g);
  }

  /**
   * ∇²L by central differences of the exact gradient (see the module comment for step and error),
   * symmetrised, row-major d×d. Allocates nothing (buffers are preallocated).
   */
  hessian(x: Float64Array, h: Float64Array): void {
    const d = this.dim;
    const xp = this.hx;
    const gp = this.hgp;
    const gm = this.hgm;
    for (let j = 0; j < d; j++) xp[j] = x[j];
    for (let j = 0; j < d; j++) {
      const step = 2 ** -17 * Math.max(1, Math.abs(x[j]));
      const xj = x[j];
      xp[j] = xj + step;
      const hp = xp[j] - xj; // the step actually taken in floating point
      this.gradient(xp, gp);
      xp[j] = xj - step;
      const hm = xj - xp[j];
      this.gradient(xp, gm);
      xp[j] = xj;
      const inv = 1 / (hp + hm);
      for (let r = 0; r < d; r++) h[r * d + j] = (gp[r] - gm[r]) * inv;
    }
    for (let r = 0; r < d; r++) {
      for (let s = 0; s < r; s++) {
        const m = 0.5 * (h[r * d + s] + h[s * d + r]);
        h[r * d + s] = m;
        h[s * d + r] = m;
      }
    }
  }

  /**
   * A deterministic initial point from `rng`-style normals: weights of layer l ~ N(0, 1/n_{l−1})
   * (LeCun normal), biases 0. `normal` is a standard normal source (e.g. `() => rng.normal()`).
   */
  initialParams(normal: () => number): Float64Array {
    const x = new Float64Array(this.dim);
    for (let l = 1; l <= this.nl; l++) {
      const nin = this.sz[l - 1];
      const s = 1 / Math.sqrt(nin);
      const wo = this.wo[l - 1];
      for (let k = 0; k < this.sz[l] * nin; k++) x[wo + k] = s * normal();
    }
    return x;
  }
}
