/**
 * Generated code (a fragment of the fast kernel, fast-kernel.ts) that advances LANES particles in lockstep for
 * real minibatch SGD with tabulated batch means (batch-table.ts) and no added noise. One particle's step is a
 * chain of dependent floating-point operations (x → ∇ℓ → x), so running one particle at a time leaves the CPU
 * waiting on latency; independent chains of several particles overlap.
 *
 * Each lane keeps its particle's own stream (seed, p) in locals and does exactly the operations of the
 * one-particle loop (the same draw, the same gradient code, the same update and tests), so results are
 * bit-identical to it and to the general loop. A particle that exits or diverges is frozen (no more draws or
 * updates) while the others go on, as if it had run alone. The next step's batch is drawn and its literals
 * loaded one step ahead, so the load's latency overlaps the current step: the stream is used in the same order
 * (one draw per step), and the one draw after a particle's last step is never used (its stream ends with it).
 *
 * The fragment runs inside the kernel's particle loop (its variable: `loopVar`) and uses the kernel's names (m, K, h,
 * bound, inside, snaps, S, snapshots, exitTime, final, divergedStep, rng, st, seed, from, init, xb, BT, THO,
 * startedInside, completed, drawInitial); it handles particles j … j + LANES − 1 and continues the loop, or falls
 * through to the one-particle loop for the last (m mod LANES) particles. Generated text: names made here and
 * the family's and region's generated code only.
 */
import type { FiniteSum } from "../problem/types.js";

/** Particles advanced together (4: measured ≈ 1.4× one at a time; 8 adds ≈ 5% for twice the code). */
export const LANES = 4;
const NAMES = ["P", "Q", "R", "T"];

export interface LanesArgs {
  d: number;
  family: NonNullable<FiniteSum["family"]>;
  /** Number of batch outcomes (the table's rows; ≤ 2¹⁶, Rng.int's first branch). */
  outcomes: number;
  /** xoshiro128** step on the locals `${s}0 … ${s}3`, leaving the output in `out` (fast-kernel.ts). */
  next: (out: string, s: string) => string;
  /** The kernel's particle-loop variable (advanced here by LANES − 1 before `continue`). */
  loopVar: string;
  /** The target region's generated test, if any. */
  inside?: (load: (k: number) => string, dest: string, prefix: string) => string;
}

/**
 * JS text for ⌊w·n / 2³²⌋ (w the int32 bits of a 32-bit draw, read unsigned; integer n ≤ 2¹⁶), the high word of
 * Lemire's product, in int32 arithmetic: with w = hi·2¹⁶ + lo, ⌊w·n/2³²⌋ = ⌊(hi·n + ⌊lo·n/2¹⁶⌋)/2¹⁶⌋ and the
 * sum is < 2³², so its low 32 bits (`| 0`) read unsigned are exact. Equal to Rng.int's ⌊m / 2³²⌋ (tested);
 * ≈ 15% faster in the lanes than the floating-point form (no int → double → int round trip).
 */
export function mulHigh(w: string, n: string): string {
  return `(((Math.imul(${w} >>> 16, ${n}) + (Math.imul(${w} & 65535, ${n}) >>> 16)) | 0) >>> 16)`;
}

export function lanesLoop(a: LanesArgs): string {
  const { d, family: fam, outcomes: NO, next } = a;
  const P = fam.params;
  const all = (f: (i: number) => string, sep = "\n") => Array.from({ length: d }, (_, i) => f(i)).join(sep);
  // Rng.int(NO) (Lemire with rejection, as fast-kernel.ts) and the outcome's mean literals into b_q…
  const drawAhead = (q: string) => `{
          let ix = 0;
          for (;;) {
            let w = 0;
            ${next("w", `s${q}`)}
            if (Math.imul(w, ${NO}) >>> 0 >= THO) { ix = ${mulHigh("w", String(NO))}; break; }
          }
          const po = ix * ${P};
          ${Array.from({ length: P }, (_, k) => `b${q}${k} = BT[po + ${k}];`).join(" ")}
        }`;
  // one step of lane q (particle index jj): |x_i| ≤ bound for all i ⟺ max_i |x_i| ≤ bound (false for NaN),
  // the general loop's test !(x_i <= bound && x_i >= −bound) in one comparison
  const one = (q: string, jj: string) => {
    const Xq = (i: number) => `x${q}${i}`;
    const absMax = d === 1 ? `Math.abs(x${q}0)` : `Math.max(${all((i) => `Math.abs(x${q}${i})`, ", ")})`;
    return `if (live${q}) {
          ${all((i) => `let g${q}${i} = 0;`)}
          {
            ${fam.gradientCode(
              (k) => (k < d ? Xq(k) : `b${q}${k - d}`),
              (i) => `g${q}${i}`,
              `_f${q}`,
            )}
          }
          ${drawAhead(q)}
          ${all((i) => `x${q}${i} -= h * g${q}${i};`)}
          if (!(${absMax} <= bound)) {
            divergedStep[${jj}] = k + 1;
            if (inside !== undefined) exitTime[${jj}] = NaN;
            ${all((i) => `x${q}${i} = NaN;`)}
            live${q} = false;
          }${
            a.inside !== undefined
              ? ` else {
            let ins = false;
            ${a.inside(Xq, "ins", `_r${q}`)}
            if (ins) { exitTime[${jj}] = (k + 1) * h; live${q} = false; }
          }`
              : ""
          }
        }`;
  };
  const start = (q: string, jj: string) => `
      rng.reseed(seed, from + ${jj});
      drawInitial(init, from + ${jj}, rng, xb, ${d});
      ${all((i) => `let x${q}${i} = xb[${i}];`)}
      let s${q}0 = st[0], s${q}1 = st[1], s${q}2 = st[2], s${q}3 = st[3];
      let live${q} = true;
      ${Array.from({ length: P }, (_, k) => `let b${q}${k} = 0;`).join(" ")}
      ${drawAhead(q)}
      if (inside !== undefined && inside(xb)) { exitTime[${jj}] = 0; startedInside++; live${q} = false; }`;
  const snap = (q: string, jj: string) =>
    all((i) => `snapshots[(si * ${d} + ${i}) * m + ${jj}] = x${q}${i};`);
  const lanes = NAMES.slice(0, LANES);
  const j = a.loopVar;
  const each = (f: (q: string, jj: string) => string) => lanes.map((q, l) => f(q, `jl${l}`)).join("\n");
  return `if (${j} + ${LANES - 1} < m) {
      ${lanes.map((_, l) => `const jl${l} = ${j} + ${l};`).join(" ")}
      ${each(start)}
      let si = 0;
      let nextSnap = S > 0 ? snaps[0] : -1;
      for (let k = 0; k < K && (${lanes.map((q) => `live${q}`).join(" || ")}); k++) {
        if (k === nextSnap) {
          while (si < S && snaps[si] === k) {
            ${each(snap)}
            si++;
          }
          nextSnap = si < S ? snaps[si] : -1;
        }
        ${each(one)}
      }
      while (si < S) {
        ${each(snap)}
        si++;
      }
      ${each((q, jj) => all((i) => `final[${i} * m + ${jj}] = x${q}${i};`))}
      completed += ${LANES};
      ${j} += ${LANES - 1};
      continue;
    }`;
}
