// Observed convergence order of the pde exit time for each noise class (issue #9 item 1): one exit-time
// problem per class, solved on a sequence of grids (each with twice the cells per axis), the observed order
// log2((T₁−T₀)/(T₂−T₁)) of each consecutive triple, the Richardson error of the finest value and, where one
// exists, an independent reference (exact 1-D formula, the aligned-grid / Euler–Maruyama fixtures).
// Usage: npm run build && node bench/pde-coverage.study.js   → prints a table, writes bench/results/pde-coverage.json
// Not a test: minutes on a loaded machine.
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const dist = new URL("../dist/", import.meta.url).pathname;
const pde = await import(`${dist}pde/index.js`);
const { problemFromSpec, compileRegion } = await import(`${dist}problem/index.js`);
const fixture = (f) =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/degenerate/${f}`, import.meta.url), "utf8"));

const dw = "(x^2-1)^2/4 + y^2/2";
const box = [
  [-2.5, 2.5],
  [-2, 2],
];
const twoSamples = (phi) => ({ samples: [`${dw} + ${phi}`, `${dw} - ${phi}`] });
const exact1d = (spec, from, to) => {
  const p = problemFromSpec(spec);
  return pde.exactExitTimeEstimate(p, from, to).time;
};
const dw1 = (noise) => ({ name: "1d", loss: "(x^2-1)^2/4", noise, lr: 0.1, batch: 1, domain: [[-2.5, 2.5]] });

const grids2 = (process.env.GRIDS ?? "41,81,161,321").split(",").map(Number);
const grids1 = [501, 1001, 2001, 4001, 8001];
const cases = [
  {
    name: "isotropic",
    spec: { name: "iso", loss: dw, noise: { isotropic: 1 }, lr: 0.1, batch: 1, domain: box },
    ref: () => ({
      value: exact1d(dw1({ isotropic: 1 }), [-1], "x > 0"),
      how: "exact 1-D formula (separable)",
    }),
  },
  {
    name: "diagonal",
    spec: { name: "diag", loss: dw, noise: { diagonal: [1, 0.3] }, lr: 0.1, batch: 1, domain: box },
    ref: () => ({
      value: exact1d(dw1({ isotropic: 1 }), [-1], "x > 0"),
      how: "exact 1-D formula (separable)",
    }),
  },
  {
    name: "anisotropic matrix",
    spec: {
      name: "aniso",
      loss: dw,
      noise: {
        matrix: [
          ["1", "0.6"],
          ["0.6", "0.5"],
        ],
      },
      lr: 0.1,
      batch: 1,
      domain: box,
    },
  },
  {
    name: "rank-1 constant off-lattice",
    spec: { name: "r1", loss: twoSamples("(x + 0.5*y)"), lr: 0.1, batch: 1, domain: box },
    ref: () => {
      const f = fixture("rank1-offlattice.json");
      return { value: f.met, error: f.met_error, how: "aligned grid + Richardson (rank1-offlattice.py)" };
    },
  },
  {
    name: "rank-1 turning",
    spec: { name: "r1t", loss: twoSamples("(x + 0.5*y + 0.4*x*y)"), lr: 0.1, batch: 1, domain: box },
    ref: () => {
      try {
        const f = fixture("rank1-turning.json");
        const r = f.runs[f.runs.length - 1];
        return {
          value: r.mean,
          error: r.ci95_halfwidth,
          how: `Euler–Maruyama + bridge, dt ${r.dt} (rank1-turning.py)`,
        };
      } catch {
        return null;
      }
    },
  },
  {
    name: "Hessian, vanishing on a band (target before the band)",
    spec: {
      name: "hband",
      loss: "x^4 - 2*x^2 + y^2 + 0.3*x*y",
      noise: { hessian: 1 },
      lr: 0.05,
      batch: 1,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    },
    to: "x > -0.7",
  },
  {
    name: "Hessian, vanishing on a band (target across the band)",
    spec: {
      name: "hband2",
      loss: "x^4 - 2*x^2 + y^2 + 0.3*x*y",
      noise: { hessian: 1 },
      lr: 0.05,
      batch: 1,
      domain: [
        [-2, 2],
        [-2, 2],
      ],
    },
    to: "x > 0.5",
  },
  {
    name: "loss-proportional (1-D)",
    spec: {
      name: "lossp",
      loss: "(x^2-1)^2/4 + 0.5",
      noise: { loss: 1 },
      lr: 0.1,
      batch: 1,
      domain: [[-2.5, 2.5]],
    },
    ref: () => ({
      value: exact1d(
        {
          name: "l",
          loss: "(x^2-1)^2/4 + 0.5",
          noise: { loss: 1 },
          lr: 0.1,
          batch: 1,
          domain: [[-2.5, 2.5]],
        },
        [-1],
        "x > 0",
      ),
      how: "exact 1-D formula",
    }),
  },
];

const only = process.env.ONLY;
const rows = [];
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const p = problemFromSpec(c.spec);
  const to = c.to ?? "x > 0";
  const from = p.dim === 1 ? [-1] : [-1, 0];
  const region = compileRegion(to, p.varNames);
  const ns = p.dim === 1 ? grids1 : grids2;
  const values = [];
  const seconds = [];
  let relaxed = 0;
  let maxRel = 0;
  let failure = null;
  for (const n of ns) {
    const t0 = performance.now();
    let r;
    try {
      r = pde.pdeExitTimeAt(p, from, region, n);
    } catch (e) {
      failure = `${n} points per axis: ${e.message}`;
      process.stderr.write(`${c.name} ${failure}\n`);
      break;
    }
    seconds.push((performance.now() - t0) / 1000);
    values.push(Number.isFinite(r.t) ? r.t : null);
    relaxed = r.gen.relaxedNodes;
    maxRel = r.gen.maxRelaxation;
    process.stderr.write(`${c.name} ${n}: ${r.t} (${seconds.at(-1).toFixed(1)} s)\n`);
  }
  const orders = [];
  for (let k = 2; k < values.length; k++) {
    const d1 = values[k - 1] - values[k - 2];
    const d2 = values[k] - values[k - 1];
    orders.push(values[k] !== null && values[k - 2] !== null && d1 / d2 > 0 ? Math.log2(d1 / d2) : null);
  }
  const rich = values.length >= 2 && values.every((v) => v !== null) ? pde.richardson(values) : null;
  const ref = c.ref?.() ?? null;
  rows.push({
    case: c.name,
    problem: c.spec,
    from,
    to,
    grids: ns.slice(0, values.length),
    failure,
    values,
    seconds,
    observed_orders: orders,
    finest: values.at(-1),
    error_estimate: rich?.errorEstimate ?? null,
    extrapolated: rich?.extrapolated ?? null,
    relaxed_nodes_finest: relaxed,
    max_relaxation_finest: maxRel,
    reference: ref,
    true_error_finest: ref && values.at(-1) !== null ? Math.abs(values.at(-1) - ref.value) : null,
    within_stated_error:
      ref && rich && values.at(-1) !== null
        ? Math.abs(values.at(-1) - ref.value) <= rich.errorEstimate + (ref.error ?? 0)
        : null,
  });
}
for (const r of rows)
  console.log(
    `${r.case.padEnd(56)} ${r.values.map((v) => (v === null ? "∞" : v.toPrecision(6))).join(" / ")}  orders ${r.observed_orders.map((o) => (o === null ? "—" : o.toFixed(2))).join(", ")}  ±${r.error_estimate?.toPrecision(2) ?? "—"}  ref ${r.reference ? r.reference.value.toPrecision(6) : "—"}`,
  );
if (!only) {
  const out = new URL("results/pde-coverage.json", import.meta.url);
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
  );
}
