/**
 * The WebAssembly SIMD minibatch kernel of MlpLoss (mlp-kernel.wat): forward and backward over chunks of ≤ 32
 * samples, two samples per f64x2 operation, weights read from a copy of the parameter vector as laid out by
 * mlpLayout. Same network, loss and activations as MlpLoss's JavaScript chunk kernel; the sums run in another
 * order (over even and odd samples, then added), so the two agree to rounding, not bit for bit. tanh is
 * tanh.ts's, lane by lane (same bits). Allocates nothing per call.
 *
 * `MlpWasm.create` returns null where WebAssembly SIMD is unavailable; MlpLoss then keeps its JavaScript kernel
 * and says so in `MlpLoss.kernel`.
 */
import { MLP_KERNEL_WASM } from "./mlp-kernel-wasm.js";
import { SECH2_K8, TANH_K8 } from "./tanh.js";

/** The part of the WebAssembly API used here (the core's type libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface KernelExports {
  mem: { buffer: ArrayBuffer; grow(pages: number): number };
  mix(
    w: number,
    si: number,
    sj: number,
    nI: number,
    nJ: number,
    inp: number,
    out: number,
    nv: number,
    bias: number,
  ): void;
  tanh(a: number, nI: number, nv: number, tab: number): void;
  relu(a: number, nI: number, nv: number): void;
  dact(d: number, h: number, nI: number, nv: number, relu: number): void;
  grad(d: number, h: number, nO: number, nIn: number, nv: number, g: number, gb: number): void;
}

/** Samples per chunk: rows of the unit-major matrices are 32 doubles (256 bytes), as in the .wat file. */
export const WASM_CHUNK = 32;
const ROW = 32; // doubles per row

let compiled: object | null | undefined;

/** The compiled module, or null when this runtime has no WebAssembly SIMD (decided once). */
function kernelModule(): object | null {
  if (compiled !== undefined) return compiled;
  if (!wasmApi) return (compiled = null);
  try {
    const bin = atob(MLP_KERNEL_WASM);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new wasmApi.Module(bytes); // fails to validate without SIMD
  } catch {
    compiled = null;
  }
  return compiled;
}

/** The network description the kernel needs (MlpLoss's own fields). */
export interface MlpWasmSpec {
  sizes: readonly number[];
  wOff: readonly number[];
  /** Offset of b_l, or −1 without bias. */
  bOff: readonly number[];
  dim: number;
  relu: boolean;
  softmax: boolean;
  /** Inputs n × p, row-major. */
  X: Float64Array;
  /** Class indices (softmax) or n × outputs targets (squared). */
  T: Float64Array;
}

export class MlpWasm {
  /** Σ ℓ of the last `accumulate` calls since `begin` (a field: a returned double would be boxed). */
  sumLoss = 0.5;
  private readonly k: KernelExports;
  private readonly F: Float64Array;
  private readonly sz: Int32Array;
  private readonly wo: Int32Array;
  private readonly bo: Int32Array;
  private readonly nl: number;
  private readonly d: number;
  private readonly relu: boolean;
  private readonly softmax: boolean;
  private readonly X: Float64Array;
  private readonly T: Float64Array;
  // byte offsets
  private readonly tab: number;
  private readonly P: number;
  private readonly G: number;
  private readonly A: Int32Array; // activations of layer l (rows = units)
  private readonly D0: number;
  private readonly D1: number;

  private constructor(api: WasmApi, mod: object, s: MlpWasmSpec) {
    this.k = new api.Instance(mod, {}).exports as KernelExports;
    this.sz = Int32Array.from(s.sizes);
    this.wo = Int32Array.from(s.wOff);
    this.bo = Int32Array.from(s.bOff);
    this.nl = s.sizes.length - 1;
    this.d = s.dim;
    this.relu = s.relu;
    this.softmax = s.softmax;
    this.X = s.X;
    this.T = s.T;
    const al16 = (bytes: number) => Math.ceil(bytes / 16) * 16;
    let o = 0;
    this.tab = o;
    o += al16((TANH_K8.length + SECH2_K8.length) * 8);
    this.P = o;
    o += al16(this.d * 8);
    this.G = o;
    o += al16(this.d * 8);
    this.A = new Int32Array(s.sizes.length);
    for (let l = 0; l < s.sizes.length; l++) {
      this.A[l] = o;
      o += s.sizes[l] * ROW * 8;
    }
    const maxUnits = Math.max(...s.sizes);
    this.D0 = o;
    o += maxUnits * ROW * 8;
    this.D1 = o;
    o += maxUnits * ROW * 8;
    const pages = Math.ceil(o / 65536);
    const mem = this.k.mem;
    if (pages > mem.buffer.byteLength / 65536) mem.grow(pages - mem.buffer.byteLength / 65536);
    this.F = new Float64Array(mem.buffer);
    this.F.set(TANH_K8, this.tab / 8);
    this.F.set(SECH2_K8, this.tab / 8 + TANH_K8.length);
  }

  /** A kernel for this network, or null without WebAssembly SIMD. */
  static create(s: MlpWasmSpec): MlpWasm | null {
    const mod = kernelModule();
    return mod && wasmApi ? new MlpWasm(wasmApi, mod, s) : null;
  }

  /** Starts a minibatch at parameters x: copies x in, zeroes the gradient and sumLoss. */
  begin(x: Float64Array): void {
    const F = this.F;
    const P = this.P / 8;
    const d = this.d;
    for (let j = 0; j < d; j++) F[P + j] = x[j];
    F.fill(0, this.G / 8, this.G / 8 + d);
    this.sumLoss = 0;
  }

  /** Adds the data gradient Σ_{k<cnt} ∇ℓ_{idx[start+k]} (cnt ≤ 32) to the kernel's gradient and Σ ℓ to sumLoss. */
  accumulate(idx: Int32Array, start: number, cnt: number): void {
    const F = this.F;
    const k = this.k;
    const sz = this.sz;
    const nl = this.nl;
    const nv = (cnt + 1) >> 1;
    const width = 2 * nv; // samples incl. the zero pad of an odd count
    // gather the inputs, unit-major
    const p = sz[0];
    const X = this.X;
    const a0 = this.A[0] / 8;
    for (let b = 0; b < cnt; b++) {
      const xo = idx[start + b] * p;
      for (let c = 0; c < p; c++) F[a0 + c * ROW + b] = X[xo + c];
    }
    if (width > cnt) for (let c = 0; c < p; c++) F[a0 + c * ROW + cnt] = 0;
    // forward
    const P = this.P;
    for (let l = 1; l <= nl; l++) {
      const nin = sz[l - 1];
      const nout = sz[l];
      const bo = this.bo[l - 1];
      k.mix(
        P + 8 * this.wo[l - 1],
        nin,
        1,
        nout,
        nin,
        this.A[l - 1],
        this.A[l],
        nv,
        bo >= 0 ? P + 8 * bo : -1,
      );
      if (l < nl) {
        if (this.relu) k.relu(this.A[l], nout, nv);
        else k.tanh(this.A[l], nout, nv, this.tab);
      }
    }
    // output loss and Δ_out (zero in the pad column)
    const no = sz[nl];
    const O = this.A[nl] / 8;
    let D = this.D0;
    let Dp = this.D1;
    const d0 = D / 8;
    const T = this.T;
    let s = 0;
    if (this.softmax) {
      for (let b = 0; b < cnt; b++) {
        let m = Number.NEGATIVE_INFINITY;
        for (let r = 0; r < no; r++) if (F[O + r * ROW + b] > m) m = F[O + r * ROW + b];
        let se = 0;
        for (let r = 0; r < no; r++) {
          const z = F[O + r * ROW + b] - m;
          const e = z === 0 ? 1 : Math.exp(z); // exp(0) = 1 exactly: one call fewer per sample
          F[d0 + r * ROW + b] = e;
          se += e;
        }
        const yi = T[idx[start + b]];
        s += m + Math.log(se) - F[O + yi * ROW + b];
        const inv = 1 / se;
        for (let r = 0; r < no; r++) F[d0 + r * ROW + b] *= inv;
        F[d0 + yi * ROW + b] -= 1;
      }
    } else {
      for (let b = 0; b < cnt; b++) {
        const to = idx[start + b] * no;
        for (let r = 0; r < no; r++) {
          const e = F[O + r * ROW + b] - T[to + r];
          F[d0 + r * ROW + b] = e;
          s += 0.5 * e * e;
        }
      }
    }
    if (width > cnt) for (let r = 0; r < no; r++) F[d0 + r * ROW + cnt] = 0;
    // backward
    const G = this.G;
    const relu = this.relu ? 1 : 0;
    for (let l = nl; l >= 1; l--) {
      const nin = sz[l - 1];
      const nout = sz[l];
      const wo = this.wo[l - 1];
      const bo = this.bo[l - 1];
      k.grad(D, this.A[l - 1], nout, nin, nv, G + 8 * wo, bo >= 0 ? G + 8 * bo : -1);
      if (l > 1) {
        k.mix(P + 8 * wo, 1, nin, nin, nout, D, Dp, nv, -1);
        k.dact(Dp, this.A[l - 1], nin, nv, relu);
        const t = D;
        D = Dp;
        Dp = t;
      }
    }
    this.sumLoss += s;
  }

  /** g[j] = (Σ gradient)·scale + lam·x[j], the data gradient accumulated since `begin`. */
  finish(x: Float64Array, g: Float64Array, scale: number, lam: number): void {
    const F = this.F;
    const G = this.G / 8;
    const d = this.d;
    for (let j = 0; j < d; j++) g[j] = F[G + j] * scale + lam * x[j];
  }
}
