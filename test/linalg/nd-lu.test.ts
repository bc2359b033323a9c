import { describe, expect, it } from "vitest";
import { SingularMatrixError } from "../../src/errors.js";
import {
  type Csr,
  csrFromTriplets,
  csrMatVec,
  csrSubmatrix,
  csrToDense,
  csrTransposeMatVec,
} from "../../src/linalg/csr.js";
import { solveDense, transpose } from "../../src/linalg/dense.js";
import { directSolveCost, ndLu } from "../../src/linalg/nd-lu.js";
import { nestedDissection } from "../../src/linalg/nested-dissection.js";
import { solveSparse } from "../../src/linalg/solve.js";
import { buildGenerator } from "../../src/pde/generator.js";
import { makeGrid } from "../../src/pde/grid.js";
import { makeProblem, noiseFrom, region } from "../pde/fixtures.js";
import { rng } from "./fixtures.js";

/** Random matrix on an nx×ny(×nz) grid with the given offsets (unsymmetric values, diagonal shifted by `shift`). */
function gridMatrix(shape: number[], offsets: number[][], seed: number, shift: number): Csr {
  const r = rng(seed);
  const [nx, ny, nz] = [shape[0], shape[1] ?? 1, shape[2] ?? 1];
  const n = nx * ny * nz;
  const R: number[] = [];
  const C: number[] = [];
  const V: number[] = [];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const me = i + nx * (j + ny * k);
        R.push(me);
        C.push(me);
        V.push(shift + 2 * r() - 1);
        for (const o of offsets) {
          const [a, b, c] = [i + o[0], j + (o[1] ?? 0), k + (o[2] ?? 0)];
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
          R.push(me);
          C.push(a + nx * (b + ny * c));
          V.push(2 * r() - 1);
        }
      }
  return csrFromTriplets(n, R, C, V);
}

function maxRelDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return d / m;
}

const five = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
];
const nine = [...five, [1, 1], [-1, -1], [1, -1], [-1, 1]];
/** A Selling-like wide stencil: offsets (±2, ±1) as well. */
const wide = [...five, [2, 1], [-2, -1], [1, 1], [-1, -1]];

describe("nd-lu: nested dissection + multifrontal LU", () => {
  it("separator tree: every unknown once, children before parents, and no edge between sibling subtrees", () => {
    const A = gridMatrix([23, 17], wide, 1, 0);
    for (const geometry of [{ shape: [23, 17] }, undefined]) {
      const t = nestedDissection(A, { geometry, leafSize: 8 });
      const seen = new Uint8Array(A.n);
      for (const v of t.perm) seen[v]++;
      expect(Array.from(seen).every((c) => c === 1)).toBe(true);
      const T = t.parent.length;
      for (let s = 0; s < T; s++) if (t.parent[s] >= 0) expect(t.parent[s]).toBeGreaterThan(s);
      // supernode of each new index; an edge (i, j) must join a node to one of its ancestors (or itself)
      const inv = new Int32Array(A.n);
      for (let i = 0; i < A.n; i++) inv[t.perm[i]] = i;
      const sup = new Int32Array(A.n);
      for (let s = 0; s < T; s++) for (let i = t.superStart[s]; i < t.superStart[s + 1]; i++) sup[i] = s;
      const isAncestorOrSelf = (a: number, b: number) => {
        for (let x = b; x >= 0; x = t.parent[x]) if (x === a) return true;
        return false;
      };
      for (let i = 0; i < A.n; i++)
        for (let k = A.rowPtr[i]; k < A.rowPtr[i + 1]; k++) {
          const a = sup[inv[i]];
          const b = sup[inv[A.colIdx[k]]];
          expect(isAncestorOrSelf(a, b) || isAncestorOrSelf(b, a)).toBe(true);
        }
    }
  });

  it("random unsymmetric grid matrices (5-, 9-point, wide, 3-D 7-point) match dense LU, A x = b and Aᵀ x = b", () => {
    const cases: [number[], number[][], string][] = [
      [[19, 21], five, "5-point"],
      [[20, 20], nine, "9-point"],
      [[18, 22], wide, "wide"],
      [
        [8, 7, 9],
        [
          [1, 0, 0],
          [-1, 0, 0],
          [0, 1, 0],
          [0, -1, 0],
          [0, 0, 1],
          [0, 0, -1],
        ],
        "3-D",
      ],
    ];
    let seed = 10;
    for (const [shape, offs] of cases) {
      const A = gridMatrix(shape, offs, seed++, 0.3);
      const n = A.n;
      const dense = csrToDense(A);
      const r = rng(seed++);
      const b = new Float64Array(n).map(() => 2 * r() - 1);
      const ref = solveDense(dense, n, b);
      const refT = solveDense(transpose(dense, n, n), n, b);
      for (const geometry of [{ shape }, undefined]) {
        const f = ndLu(A, { geometry, leafSize: 16, ordering: geometry ? "geometric" : undefined });
        expect(f.ordering).toBe(geometry ? "geometric" : "graph");
        expect(f.pivoting).toBe("threshold 0.1");
        const x = f.solve(b, new Float64Array(n));
        const xt = f.solveTranspose(b, new Float64Array(n));
        expect(maxRelDiff(x, ref)).toBeLessThan(1e-9);
        expect(maxRelDiff(xt, refT)).toBeLessThan(1e-9);
        // residuals from the matrix itself
        const ax = csrMatVec(A, x, new Float64Array(n));
        const atx = csrTransposeMatVec(A, xt, new Float64Array(n));
        expect(maxRelDiff(ax, b)).toBeLessThan(1e-10);
        expect(maxRelDiff(atx, b)).toBeLessThan(1e-10);
      }
    }
  });

  it("solveSparse: method nd-lu says so and reports its factorisation", () => {
    const A = gridMatrix([30, 30], nine, 5, 6);
    const b = new Float64Array(A.n).fill(1);
    const res = solveSparse(A, b, { method: "nd-lu", grid: { nx: 30, ny: 30 } });
    expect(res.method).toBe("nd-lu");
    expect(res.relativeResidual).toBeLessThan(1e-12);
    // "best": the cheaper of the two orderings
    const flops = (ordering: "geometric" | "graph") =>
      ndLu(A, { geometry: { shape: [30, 30] }, ordering }).flops;
    expect(res.direct?.flops).toBe(Math.min(flops("geometric"), flops("graph")));
    // refusals before numeric work: the analysis over the cap, and the 3-D scaling guard before the analysis
    expect(() => solveSparse(A, b, { method: "nd-lu", directMaxBytes: 1e4 })).toThrow(/nd-lu needs \d+ MB/);
    const A3 = gridMatrix(
      [8, 7, 9],
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      9,
      4,
    );
    expect(() =>
      solveSparse(A3, new Float64Array(A3.n).fill(1), {
        method: "nd-lu",
        grid: { nx: 8, ny: 7, nz: 9 },
        directMaxBytes: 1e5,
      }),
    ).toThrow(/nd-lu would need ~\d+ MB for 504 unknowns in 3-D/);
    expect(res.direct?.factorEntries).toBeGreaterThan(A.rowPtr[A.n]);
  });

  it("a singular generator (no absorption on a closed set) throws SingularMatrixError, not a huge residual", () => {
    // 2-D random-walk generator on 30×30, absorbing only inside the left half's nodes i < 15 ... but the right
    // half is cut off from it: no edges cross x = 15, so −Q_D restricted to the right half is singular.
    const N = 30;
    const R: number[] = [];
    const C: number[] = [];
    const V: number[] = [];
    const r = rng(7);
    for (let j = 0; j < N; j++)
      for (let i = 0; i < N; i++) {
        const me = i + N * j;
        let out = 0;
        for (const [a, b] of five) {
          const [ii, jj] = [i + a, j + b];
          if (ii < 0 || jj < 0 || ii >= N || jj >= N) continue;
          if (i < 15 !== ii < 15) continue;
          const rate = 0.5 + r();
          R.push(me);
          C.push(ii + N * jj);
          V.push(-rate);
          out += rate;
        }
        R.push(me);
        C.push(me);
        V.push(out + (i === 0 ? 1 : 0)); // absorption (leak) only at the left wall
      }
    const A = csrFromTriplets(N * N, R, C, V);
    expect(() => ndLu(A, { geometry: { shape: [N, N] } })).toThrow(SingularMatrixError);
    const b = new Float64Array(N * N).fill(1);
    expect(() => solveSparse(A, b, { method: "nd-lu" })).toThrow(/singular to double precision/);
    // with the right half leaking too, it is an M-matrix solved without pivoting
    for (let j = 0; j < N; j++) {
      const me = N - 1 + N * j;
      for (let k = A.rowPtr[me]; k < A.rowPtr[me + 1]; k++) if (A.colIdx[k] === me) A.values[k] += 1;
    }
    const ok = solveSparse(A, b, { method: "nd-lu", grid: { nx: N, ny: N } });
    expect(ok.direct?.pivoting).toBe("none");
    expect(ok.relativeResidual).toBeLessThan(1e-12);
  });

  it("degenerate 2-D generator (rank-1 noise turning with the state): nd-lu solves to the rounding floor, agrees with an RCM banded LU, and takes over when the iterative methods fail", () => {
    // Σ(x, y) = v vᵀ, v = (cos 3xy, sin 3xy): rank 1 everywhere, direction turning with the state; η = 0.02.
    const p = makeProblem({
      loss: "(x^2-1)^2/4 + y^2/2",
      dim: 2,
      lr: 0.02,
      noise: noiseFrom(2, (x, o) => {
        const c = Math.cos(3 * x[0] * x[1]);
        const s = Math.sin(3 * x[0] * x[1]);
        o[0] = c * c;
        o[1] = c * s;
        o[2] = c * s;
        o[3] = s * s;
      }),
      domain: [
        [-2.5, 2.5],
        [-2, 2],
      ],
    });
    const N = 101;
    const g = makeGrid(p.domain, N);
    const gen = buildGenerator(p, g, { absorbing: region("x > 0", 2) });
    const keep = new Uint8Array(gen.Q.n);
    for (let i = 0; i < keep.length; i++) keep[i] = gen.absorbing?.[i] ? 0 : 1;
    const sub = csrSubmatrix(gen.Q, keep);
    const A = sub.matrix;
    for (let k = 0; k < A.values.length; k++) A.values[k] = -A.values[k];
    const b = new Float64Array(A.n).fill(1);
    const grid = { nx: N, ny: N, nodes: sub.keep };
    const res = solveSparse(A, b, { method: "nd-lu", grid });
    expect(res.method).toBe("nd-lu");
    expect(res.direct?.pivoting).toBe("none");
    // MET ~1e11: no double vector has relative residual 1e-10 here (the rounding floor is ~1e-3); the
    // backward error is what a direct solve controls, and it is at machine precision.
    expect(res.backwardError).toBeLessThan(1e-10);
    expect(res.relativeResidual).toBeLessThanOrEqual(2 * res.roundingFloor);
    const banded = solveSparse(A, b, { method: "banded-lu", maxBytes: 1e9 }).x;
    expect(maxRelDiff(res.x, banded)).toBeLessThan(1e-6);
    // auto: when the iterative methods fail (here: starved of iterations — with the consistent stencil AMG does
    // converge on this matrix), nd-lu takes over and the answer says what was tried
    const auto = solveSparse(A, b, { grid, maxIter: 2 });
    expect(auto.method).toBe("nd-lu");
    expect(auto.tried[0].method).toBe("amg-bicgstab");
    expect(maxRelDiff(auto.x, res.x)).toBeLessThan(1e-12);
  });

  it("directSolveCost: grows like n^1.5 (flops) in 2-D and rejects stencils that do not exist", () => {
    const a = directSolveCost([64, 64], 5);
    const b = directSolveCost([128, 128], 5);
    const ratio = b.flops / a.flops;
    expect(ratio).toBeGreaterThan(6);
    expect(ratio).toBeLessThan(11);
    // the estimate is the analysis the factorisation itself does
    const A = gridMatrix([64, 64], five, 3, 4);
    expect(ndLu(A, { geometry: { shape: [64, 64] } }).flops).toBe(a.flops);
    expect(() => directSolveCost([10, 10], 7)).toThrow(/5 \(axis neighbours\) or 9/);
  });
});
