// PDE benchmark: build the generator Q of a 2-D exit-time problem and solve Q_D u = −1 at 256² and 512²,
// then solve the SAME matrix with scipy.sparse.linalg.spsolve (bench/pde_scipy.py) in the same run.
// Usage: npm run build && node bench/pde.js [N1,N2,...]   → prints a table, writes bench/results/pde.json
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const dist = new URL("../dist/", import.meta.url).pathname;
const pde = await import(`${dist}pde/index.js`);
const { problemFromSpec, compileRegion } = await import(`${dist}problem/index.js`);
const { csrSubmatrix, csrByteSize } = await import(`${dist}linalg/csr.js`);
const { solveSparse } = await import(`${dist}linalg/solve.js`);

const sizes = (process.argv[2] ?? "256,512").split(",").map(Number);
const REPEATS = Number(process.env.REPEATS ?? 3);
const spec = {
  name: "double-well-2d",
  loss: "(x^2-1)^2/4 + y^2/2",
  noise: { isotropic: 1 },
  lr: 0.1, // ε = ησ²/(2B) = 0.05
  batch: 1,
  domain: [
    [-2, 2],
    [-2, 2],
  ],
};
const problem = problemFromSpec(spec);
const region = compileRegion("x > 0", problem.varNames);
const dir = mkdtempSync(join(tmpdir(), "sgdscope-pde-bench-"));
// JIT warm-up on a small grid (one-time cost of a Node process; SciPy's SuperLU is precompiled C)
{
  const g = pde.makeGrid(problem.domain, 96);
  pde.exitTime(pde.buildGenerator(problem, g, { absorbing: region }));
}
const rows = [];
for (const N of sizes) {
  const t0 = performance.now();
  const grid = pde.makeGrid(problem.domain, N);
  const gen = pde.buildGenerator(problem, grid, { absorbing: region });
  const t1 = performance.now();
  // the system exitTime solves: A = −Q_D, b = 1 (all nodes reach the target here)
  const keep = new Uint8Array(grid.size);
  for (let i = 0; i < grid.size; i++) keep[i] = gen.absorbing[i] ? 0 : 1;
  const sub = csrSubmatrix(gen.Q, keep);
  const A = sub.matrix;
  for (let k = 0; k < A.values.length; k++) A.values[k] = -A.values[k];
  const b = new Float64Array(A.n).fill(1);
  // median of REPEATS solves (the machine is shared; SciPy gets the same treatment)
  const times = [];
  let r;
  for (let k = 0; k < REPEATS; k++) {
    const ta = performance.now();
    r = solveSparse(A, b, { tol: 1e-10, grid: { nx: N } });
    times.push(performance.now() - ta);
  }
  times.sort((a, c) => a - c);
  const t2 = 0;
  const t3 = times[Math.floor(REPEATS / 2)];
  // the full pipeline as users call it (reachability + solve + interpolation)
  const t4 = performance.now();
  const et = pde.exitTime(gen);
  const T = pde.interpolate(grid, et.u, [-1, 0]);
  const t5 = performance.now();
  const prefix = join(dir, `N${N}`);
  writeFileSync(`${prefix}.rowptr`, Buffer.from(A.rowPtr.buffer, A.rowPtr.byteOffset, A.rowPtr.byteLength));
  writeFileSync(`${prefix}.colidx`, Buffer.from(A.colIdx.buffer, A.colIdx.byteOffset, A.colIdx.byteLength));
  writeFileSync(`${prefix}.values`, Buffer.from(A.values.buffer, A.values.byteOffset, A.values.byteLength));
  writeFileSync(`${prefix}.b`, Buffer.from(b.buffer));
  writeFileSync(`${prefix}.x`, Buffer.from(r.x.buffer));
  let scipy;
  try {
    scipy = JSON.parse(
      execFileSync(
        "python3",
        [new URL("./pde_scipy.py", import.meta.url).pathname, prefix, String(REPEATS)],
        {
          encoding: "utf8",
        },
      ),
    );
  } catch (e) {
    scipy = { error: String(e.message ?? e) };
  }
  const matrixBytes = csrByteSize(A);
  const row = {
    grid: `${N}x${N}`,
    unknowns: A.n,
    nnz: A.rowPtr[A.n],
    build_Q_s: (t1 - t0) / 1000,
    solve_s: (t3 - t2) / 1000,
    solve_s_all: times.map((t) => t / 1000),
    repeats: REPEATS,
    solve_method: r.method,
    solve_tried: r.tried,
    rel_residual: r.relativeResidual,
    exit_time_pipeline_s: (t5 - t4) / 1000,
    mean_exit_time_from_minus1_0: T,
    matrix_bytes: matrixBytes,
    solver_bytes: r.bytes,
    solver_bytes_over_matrix: r.bytes / matrixBytes,
    scipy_spsolve_s: scipy.spsolve_s ?? null,
    scipy_spsolve_s_all: scipy.spsolve_s_all ?? null,
    scipy_rel_residual: scipy.rel_residual ?? null,
    max_rel_diff_to_scipy: scipy.max_rel_diff_to_sgdscope ?? null,
    speedup_vs_scipy: scipy.spsolve_s ? scipy.spsolve_s / ((t3 - t2) / 1000) : null,
    scipy_version: scipy.scipy ?? null,
    scipy_error: scipy.error,
  };
  rows.push(row);
  console.log(
    `${row.grid}: build Q ${row.build_Q_s.toFixed(3)} s, solve ${row.solve_s.toFixed(3)} s (${row.solve_method}, ` +
      `res ${row.rel_residual.toExponential(1)}), SciPy spsolve ${row.scipy_spsolve_s?.toFixed(3)} s ⇒ ` +
      `speed-up ${row.speedup_vs_scipy?.toFixed(2)}×; solver memory ${row.solver_bytes_over_matrix.toFixed(1)}× matrix; ` +
      `max rel diff ${row.max_rel_diff_to_scipy?.toExponential(1)}; T(-1,0) = ${T.toPrecision(6)}`,
  );
}
rmSync(dir, { recursive: true, force: true });
const out = {
  what: "median of REPEATS timings; 2-D exit-time solve −Q_D u = 1 for L = (x²−1)²/4 + y²/2, isotropic noise, ε = 0.05, target x > 0",
  node: process.version,
  date: new Date().toISOString(),
  rows,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/pde.json", import.meta.url), JSON.stringify(out, null, 2) + "\n");
