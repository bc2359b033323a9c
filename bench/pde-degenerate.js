// Degenerate-noise PDE benchmark (issue #9 item 10): the exit-time system −Q_D u = 1 of two 2-D problems whose
// noise is degenerate — rank-1 noise turning with the state, and Hessian noise vanishing on a band — at 256²
// and 512². sgdscope's solveSparse (auto: AMG first, then the direct nd-lu) and nd-lu alone, then the SAME
// matrix (raw CSR files) solved by scipy.sparse.linalg.spsolve (bench/pde_degenerate_scipy.py) in the same run.
// Usage: npm run build && node bench/pde-degenerate.js [N1,N2,...]  → table, bench/results/pde-degenerate.json
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const dist = new URL("../dist/", import.meta.url).pathname;
const pde = await import(`${dist}pde/index.js`);
const { problemFromSpec, compileRegion } = await import(`${dist}problem/index.js`);
const { csrSubmatrix, csrByteSize } = await import(`${dist}linalg/csr.js`);
const { solveSparse } = await import(`${dist}linalg/solve.js`);

const sizes = (process.argv[2] ?? "256,512").split(",").map(Number);
const cases = [
  {
    name: "rank-1 turning",
    what: "finite sum L ± φ, L = (x²−1)²/4 + y²/2, φ = x + sin(2y)/2 + 0.3xy: Σ = ∇φ∇φᵀ (rank 1, direction turning with the state), lr 0.1, B 1; from (−1, 0) to x > 0",
    spec: {
      name: "rank1-turning",
      loss: {
        samples: [
          "(x^2-1)^2/4 + y^2/2 + x + sin(2*y)/2 + 0.3*x*y",
          "(x^2-1)^2/4 + y^2/2 - x - sin(2*y)/2 - 0.3*x*y",
        ],
      },
      lr: 0.1,
      batch: 1,
      domain: [
        [-2.5, 2.5],
        [-2, 2],
      ],
    },
    target: "x > 0",
    start: [-1, 0],
  },
  {
    name: "Hessian band",
    what: "L = x⁴ − 2x² + y² + 0.3xy, Σ = P₊(∇²L) (rank 1 on the band |x| < 0.58 where ∂²L/∂x² < 0), lr 0.05; domain [−2, 0]×[−2, 2] (the saddle's side of the left well: every point drifts into it); from (−0.3, 0), inside the band, to x < −1.2 (beyond the left minimum)",
    spec: {
      name: "hessian-band",
      loss: "x^4 - 2*x^2 + y^2 + 0.3*x*y",
      noise: { hessian: 1 },
      lr: 0.05,
      batch: 1,
      domain: [
        [-2, 0],
        [-2, 2],
      ],
    },
    target: "x < -1.2",
    start: [-0.3, 0],
  },
  {
    name: "Hessian band, across",
    what: "the same loss and noise on [−2, 2]², from (−1, 0) to x > 0: on the band the noise has (almost) no x-component and the drift points back to the well, so the process cannot cross; the discrete chain leaks only through numerical diffusion (exit times ~1e14) — expected: singular to double precision",
    spec: null, // same as above
    target: "x > 0",
    start: [-1, 0],
  },
];
cases[2].spec = {
  ...cases[1].spec,
  domain: [
    [-2, 2],
    [-2, 2],
  ],
};

const dir = mkdtempSync(join(tmpdir(), "sgdscope-pde-degenerate-"));
const rss = () => process.memoryUsage().rss;
/** Resets the kernel's peak-RSS mark (Linux ≥ 4.0); then `peakRss()` is the peak since. */
const resetPeak = () => {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {}
};
const peakRss = () => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
};
const rows = [];
for (const N of sizes) {
  for (const c of cases) {
    const problem = problemFromSpec(c.spec);
    const region = compileRegion(c.target, problem.varNames);
    const grid = pde.makeGrid(problem.domain, N);
    const gen = pde.buildGenerator(problem, grid, { absorbing: region });
    const keep = new Uint8Array(grid.size);
    for (let i = 0; i < grid.size; i++) keep[i] = gen.absorbing[i] ? 0 : 1;
    const sub = csrSubmatrix(gen.Q, keep);
    const A = sub.matrix;
    for (let k = 0; k < A.values.length; k++) A.values[k] = -A.values[k];
    const b = new Float64Array(A.n).fill(1);
    const hint = { nx: N, ny: N, nodes: sub.keep };
    const startNode = pde.nearestNode(grid, c.start);
    const row = {
      case: c.name,
      grid: `${N}x${N}`,
      unknowns: A.n,
      nnz: A.rowPtr[A.n],
      matrix_bytes: csrByteSize(A),
      selling_fallbacks: gen.sellingFallbacks,
      degenerate_nodes: gen.degenerateNodes,
    };
    const run = (opts) => {
      const r0 = rss();
      resetPeak();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      try {
        const r = solveSparse(A, b, { tol: 1e-10, grid: hint, ...opts });
        const cpu = process.cpuUsage(c0);
        return {
          ok: true,
          method: r.method,
          wall_s: (performance.now() - t0) / 1000,
          cpu_s: (cpu.user + cpu.system) / 1e6,
          rel_residual: r.relativeResidual,
          rounding_floor: r.roundingFloor,
          backward_error: r.backwardError,
          limited_by_rounding: r.limitedByRounding,
          solver_bytes: r.bytes,
          peak_rss_growth_bytes: peakRss() - r0,
          tried: r.tried.map((t) => ({ ...t, note: t.note?.slice(0, 160) })),
          direct: r.direct,
          met_at_start: r.x[sub.newIndex[startNode]],
          x: r.x,
        };
      } catch (e) {
        return {
          ok: false,
          error: `${e.name}: ${String(e.message).slice(0, 400)}`,
          wall_s: (performance.now() - t0) / 1000,
        };
      }
    };
    const auto = run({});
    row.auto = { ...auto, x: undefined };
    const nd = run({ method: "nd-lu" });
    row.nd_lu = { ...nd, x: undefined };
    const prefix = join(dir, `case${rows.length}`);
    writeFileSync(`${prefix}.rowptr`, Buffer.from(A.rowPtr.buffer, A.rowPtr.byteOffset, A.rowPtr.byteLength));
    writeFileSync(`${prefix}.colidx`, Buffer.from(A.colIdx.buffer, A.colIdx.byteOffset, A.colIdx.byteLength));
    writeFileSync(`${prefix}.values`, Buffer.from(A.values.buffer, A.values.byteOffset, A.values.byteLength));
    writeFileSync(`${prefix}.b`, Buffer.from(b.buffer));
    writeFileSync(`${prefix}.x`, Buffer.from((nd.x ?? new Float64Array(A.n).fill(Number.NaN)).buffer));
    try {
      row.scipy = JSON.parse(
        execFileSync(
          "python3",
          [
            new URL("./pde_degenerate_scipy.py", import.meta.url).pathname,
            prefix,
            String(sub.newIndex[startNode]),
          ],
          { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        ),
      );
    } catch (e) {
      row.scipy = { error: String(e.message ?? e).slice(0, 400) };
    }
    rows.push(row);
    writeResults(false);
    const f = (v, d = 2) => (typeof v === "number" ? v.toExponential(d) : String(v));
    const s = row.scipy;
    console.log(
      `${c.name} ${row.grid} (${row.unknowns} unknowns): auto → ${auto.ok ? `${auto.method} ${auto.wall_s.toFixed(1)} s` : auto.error.slice(0, 120)}; ` +
        `nd-lu ${nd.ok ? `${nd.wall_s.toFixed(1)} s wall / ${nd.cpu_s.toFixed(1)} s CPU, ${(nd.solver_bytes / 2 ** 20).toFixed(0)} MB (peak RSS +${(nd.peak_rss_growth_bytes / 2 ** 20).toFixed(0)} MB), res ${f(nd.rel_residual)} (floor ${f(nd.rounding_floor)}), MET(start) ${f(nd.met_at_start, 4)}` : nd.error.slice(0, 160)}; ` +
        `SciPy ${s.error ? s.error.slice(0, 100) : `${s.spsolve_s.toFixed(1)} s wall / ${s.spsolve_cpu_s.toFixed(1)} s CPU, +${s.peak_rss_growth_bytes === null ? "?" : (s.peak_rss_growth_bytes / 2 ** 20).toFixed(0)} MB, res ${f(s.rel_residual)}, MET(start) ${f(s.met_at_start, 4)}, max rel diff ${f(s.max_rel_diff_to_sgdscope, 1)}`}`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
writeResults(true);

/** Writes bench/results/pde-degenerate.json (after every row, so that a long run leaves what it finished). */
function writeResults(complete) {
  const out = {
    what: "exit-time systems −Q_D u = 1 of degenerate 2-D noise; sgdscope solveSparse auto and nd-lu vs scipy.sparse.linalg.spsolve (SuperLU, COLAMD) on the same matrix; one timing each (wall and CPU seconds; the machine is shared)",
    cases: cases.map((c) => ({ name: c.name, what: c.what })),
    node: process.version,
    date: new Date().toISOString(),
    load_average_1min: loadavg()[0],
    complete,
    rows,
  };
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL("./results/pde-degenerate.json", import.meta.url),
    `${JSON.stringify(out, null, 2)}\n`,
  );
}
