/**
 * Counter-free, splittable randomness: a stream is a pure function of (seed, stream index).
 *
 * Generator: xoshiro128** (Blackman & Vigna), 32-bit state words, period 2^128 − 1.
 * Stream seeding: the 128-bit state is four rounds of a 32-bit avalanche hash (lowbias32) over
 * (seed low word, seed high word, stream, round), so particle i of a run always gets the same numbers
 * whatever the thread count or the order in which particles are processed.
 * Normals: Marsaglia–Tsang ziggurat with 128 layers; one 32-bit draw gives the layer (7 bits), the
 * sign (1 bit) and a 24-bit abscissa, with exact rejection in the wedges and the exponential tail.
 */

const TWO_M32 = 2 ** -32;
const M24 = 16777216; // 2^24

/* ---------- ziggurat tables (computed once at load, deterministic) ---------- */
const ZK = new Int32Array(128);
const ZW = new Float64Array(128);
const ZF = new Float64Array(128);
const ZR = 3.442619855899;
(function setupZiggurat() {
  let dn = ZR;
  let tn = dn;
  const vn = 9.91256303526217e-3;
  const q = vn / Math.exp(-0.5 * dn * dn);
  ZK[0] = Math.floor((dn / q) * M24);
  ZK[1] = 0;
  ZW[0] = q / M24;
  ZW[127] = dn / M24;
  ZF[0] = 1;
  ZF[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    ZK[i + 1] = Math.floor((dn / tn) * M24);
    tn = dn;
    ZF[i] = Math.exp(-0.5 * dn * dn);
    ZW[i] = dn / M24;
  }
})();

/** Signed widths: ZWS[b] = ±ZW[b & 127], negative when bit 7 of b is set. One load gives the layer width
 * and the sign of the fast path's result, without a branch (a 50/50 branch mispredicts half the time);
 * j·(−w) = −(j·w) exactly, so this draws the same numbers as applying the sign afterwards. */
const ZWS = new Float64Array(256);
for (let b = 0; b < 256; b++) ZWS[b] = (b & 128 ? -1 : 1) * ZW[b & 127];

/** Ziggurat tables (layer thresholds ZK and widths ZW) for kernels that inline the fast path. */
export const ZIGGURAT_K: Int32Array = ZK;
export const ZIGGURAT_W: Float64Array = ZW;
export const ZIGGURAT_WS: Float64Array = ZWS;
export const ZIGGURAT_F: Float64Array = ZF;
export const ZIGGURAT_R = ZR;

/** lowbias32 (Wellons): a fast 32-bit avalanche hash. */
function hash32(v: number): number {
  v ^= v >>> 16;
  v = Math.imul(v, 0x7feb352d);
  v ^= v >>> 15;
  v = Math.imul(v, 0x846ca68b);
  v ^= v >>> 16;
  return v >>> 0;
}

/** A seeded stream of random numbers. Reuse one object with `reseed` in hot loops: no allocation. */
export class Rng {
  /** xoshiro128** state. An Int32Array, not four fields: int32 values beyond V8's 31-bit small
   * integers would be boxed as heap numbers on every step. */
  readonly s = new Int32Array(4);
  /** int(n)'s last n and its rejection threshold (2³² − n) mod n. */
  private intN = 0;
  private intThreshold = 0;

  /** seed: any integer in [0, 2^53); stream: any integer in [0, 2^32) (e.g. the particle index). */
  constructor(seed: number, stream = 0) {
    this.reseed(seed, stream);
  }

  /** Re-initialise to the start of stream `stream` of `seed`. */
  reseed(seed: number, stream = 0): void {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let h = hash32(lo ^ 0x9e3779b9);
    h = hash32(h ^ hi ^ 0x85ebca6b);
    h = hash32(h ^ (stream >>> 0) ^ 0xc2b2ae35);
    const s = this.s;
    s[0] = hash32(h ^ 0x27d4eb2f);
    s[1] = hash32(h ^ 0x165667b1);
    s[2] = hash32(h ^ 0xd3a2646c);
    s[3] = hash32(h ^ 0xfd7046c5);
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
    // decorrelate nearby streams further: discard a few outputs
    for (let i = 0; i < 4; i++) this.nextU32();
  }

  /** Next 32-bit output as a signed int (use `>>> 0` for unsigned). */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return r;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform on the open interval (0, 1) with 32 random bits (safe for log). */
  uniformOpen(): number {
    return ((this.nextU32() >>> 0) + 0.5) * TWO_M32;
  }

  /** Uniform integer in [0, n), n ≤ 2^32, without modulo bias (Lemire's method with rejection). */
  int(n: number): number {
    if (n <= 65536) {
      // Lemire on 32-bit words: lo = x·n mod 2³², accepted when lo ≥ (2³² − n) mod n, result ⌊x·n/2³²⌋ (the high
      // word from two 16-bit partial products). Integer arithmetic only: the double `%` it replaces is a call
      // into the runtime (≈ 20 ns). The threshold is kept for the last n.
      if (n !== this.intN) {
        this.intN = n;
        this.intThreshold = (4294967296 - n) % n;
      }
      const threshold = this.intThreshold;
      for (;;) {
        const x = this.nextU32();
        if (Math.imul(x, n) >>> 0 >= threshold) {
          return ((Math.imul(x >>> 16, n) + (Math.imul(x & 65535, n) >>> 16)) | 0) >>> 16;
        }
      }
    }
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextU32() >>> 0;
      if (x < limit) return x % n;
    }
  }

  /** Standard normal N(0, 1) by the ziggurat (fast path inline, rare wedge/tail cases in normalSlow). */
  normal(): number {
    const u = this.nextU32();
    const i = u & 127;
    const j = u >>> 8;
    if (j < ZK[i]) return j * ZWS[u & 255];
    return this.normalSlow(u);
  }

  /**
   * The ziggurat's rare branches (wedges, tail) for the 32-bit draw u0 that missed the fast path.
   * Public for kernels that inline the fast path with the state in locals (see fast-kernel.ts).
   */
  normalSlow(u0: number): number {
    let u = u0;
    for (;;) {
      const i = u & 127;
      const j = u >>> 8;
      const neg = (u & 128) !== 0;
      if (j < ZK[i]) {
        const x = j * ZW[i];
        return neg ? -x : x;
      }
      if (i === 0) {
        // tail beyond ZR: Marsaglia's exponential rejection
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniformOpen()) / ZR;
          y = -Math.log(this.uniformOpen());
        } while (y + y < x * x);
        return neg ? -(ZR + x) : ZR + x;
      }
      const x = j * ZW[i];
      if (ZF[i] + this.uniformOpen() * (ZF[i - 1] - ZF[i]) < Math.exp(-0.5 * x * x)) {
        return neg ? -x : x;
      }
      u = this.nextU32();
    }
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(this.uniformOpen());
  }

  /** Fills out[0..n) with standard normals. */
  fillNormal(out: Float64Array, n = out.length): void {
    for (let k = 0; k < n; k++) out[k] = this.normal();
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
