// Times the sparse solvers on the 2-D exit-time system of bench/linalg-scipy.py (same matrix).
// Usage: npm run build && node bench/linalg-bench.js [N] [absorb] [method]
// (LINALG_DIST=/other/dist/linalg to use another build.)
import { performance } from "node:perf_hooks";

const dist = process.env.LINALG_DIST ?? new URL("../dist/linalg", import.meta.url).pathname;
const { csrFromTriplets, csrSubmatrix, csrByteSize } = await import(`${dist}/csr.js`);
const { solveSparse } = await import(`${dist}/solve.js`);

const N = Number(process.argv[2] ?? 512);
const absorb = Number(process.argv[3] ?? 0);
const method = process.argv[4] ?? "auto";
const eps = Number(process.env.EPS ?? 0.05);
const h = 4 / (N - 1);
const n = N * N;
const t0 = performance.now();
const Lv = new Float64Array(n);
const X = new Float64Array(n);
for (let j = 0; j < N; j++)
  for (let i = 0; i < N; i++) {
    const x = -2 + i * h;
    const y = -2 + j * h;
    X[i + N * j] = x;
    Lv[i + N * j] = (x * x - 1) ** 2 / 4 + (y * y) / 2;
  }
const B = (z) => (Math.abs(z) < 1e-12 ? 1 - z / 2 : z / Math.expm1(z));
const rows = new Int32Array(5 * n);
const cols = new Int32Array(5 * n);
const vals = new Float64Array(5 * n);
let m = 0;
for (let j = 0; j < N; j++)
  for (let i = 0; i < N; i++) {
    const k = i + N * j;
    let d = 0;
    const nb = [];
    if (i > 0) nb.push(k - 1);
    if (i < N - 1) nb.push(k + 1);
    if (j > 0) nb.push(k - N);
    if (j < N - 1) nb.push(k + N);
    for (const l of nb) {
      const r = (eps / (h * h)) * B((Lv[l] - Lv[k]) / eps);
      rows[m] = k;
      cols[m] = l;
      vals[m++] = r;
      d -= r;
    }
    rows[m] = k;
    cols[m] = k;
    vals[m++] = d;
  }
const Q = csrFromTriplets(n, rows, cols, vals, m);
const mask = new Uint8Array(n);
for (let k = 0; k < n; k++) mask[k] = X[k] <= absorb ? 1 : 0;
const { matrix: QD } = csrSubmatrix(Q, mask);
const t1 = performance.now();
const b = new Float64Array(QD.n).fill(-1);
const mem0 = process.memoryUsage();
const t2 = performance.now();
const c2 = process.cpuUsage();
const res = solveSparse(QD, b, { method, grid: { nx: N, ny: N } });
const c3 = process.cpuUsage(c2);
const t3 = performance.now();
let umax = 0;
for (const v of res.x) umax = Math.max(umax, v);
console.log(
  JSON.stringify({
    N,
    unknowns: QD.n,
    nnz: QD.rowPtr[QD.n],
    build_s: (t1 - t0) / 1000,
    solve_s: (t3 - t2) / 1000,
    solve_cpu_s: (c3.user + c3.system) / 1e6,
    method: res.method,
    iterations: res.iterations,
    relativeResidual: res.relativeResidual,
    roundingFloor: res.roundingFloor,
    converged: res.converged,
    u_max: umax,
    matrixBytes: csrByteSize(QD),
    solverBytes: res.bytes,
    rssDeltaMB: (process.memoryUsage().rss - mem0.rss) / 2 ** 20,
    seconds: res.seconds,
    tried: res.tried,
  }),
);
