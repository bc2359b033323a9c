/**
 * `sgdscope landscape <problem> [--json]`: critical points, symmetry classes, saddles, minimum
 * energy paths, barriers, basins, noise at each point, Eyring–Kramers exit times, OU covariances
 * and the long-time verdict.
 *
 * Importing this module also registers the `kramers` and `bounds` methods of
 * `sgdscope exit-time --method ...` (EXTRA_METHODS).
 */

import type { Command } from "commander";
import { UserError } from "../../errors.js";
import type { LoadedProblem } from "../../io/load-problem.js";
import { loadProblem } from "../../io/load-problem.js";
import { toJson } from "../../io/write.js";
import { comparisonConstants } from "../../landscape/generator-bounds.js";
import {
  analyseLandscape,
  basinOf,
  exitTimeBounds,
  eyringKramers,
  findMinima,
  findSaddles,
  type LandscapeReport,
} from "../../landscape/index.js";
import { pdeExitTimeAt, pdeExitTimeEstimate } from "../../pde/estimates.js";
import { compileRegion } from "../../problem/index.js";
import { firstEntry1d } from "../../problem/region-1d.js";
import { fmt, parsePositiveInt, parseSeed, requireDomain } from "../common.js";
import { EXTRA_METHODS, type MethodContext } from "../methods.js";

interface Opts {
  starts?: string;
  seed: string;
  grid?: string;
  saddles: boolean;
  json?: boolean;
}

export function registerLandscape(program: Command): void {
  program
    .command("landscape")
    .description(
      "critical points, saddles, paths, barriers, basins, noise, Kramers times and the long-time verdict",
    )
    .argument("<problem>", "problem file (YAML or JSON)")
    .option("--starts <N>", "multi-start descents over the domain (default min(400, 20·d + 20))")
    .option("--seed <S>", "random seed for the starts", "1")
    .option(
      "--grid <N>",
      "basin labels on an N-per-axis grid in 1-D/2-D (default 201 in 1-D, 41 in 2-D; 0 = none)",
    )
    .option("--no-saddles", "skip the saddle search (large d)")
    .option("--json", "print exactly one JSON object on stdout")
    .action((file: string, o: Opts) => {
      landscapeCommand(file, o);
    });
}

function landscapeCommand(file: string, o: Opts): void {
  const lp = loadProblem(file);
  const p = lp.problem;
  if (!p.start) requireDomain(p, file, "the landscape search (or give start: [...] to search around)");
  const r = analyseLandscape(p, {
    minima: {
      seed: parseSeed(o.seed),
      starts: o.starts !== undefined ? parsePositiveInt(o.starts, "--starts") : undefined,
    },
    skipSaddles: !o.saddles,
    basinGrid:
      o.grid !== undefined
        ? o.grid === "0"
          ? undefined
          : parsePositiveInt(o.grid, "--grid", 2)
        : !p.domain.every(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
          ? undefined
          : p.dim === 1
            ? 201
            : p.dim === 2
              ? 41
              : undefined,
  });
  if (o.json) {
    process.stdout.write(`${toJson({ problem: p.name, variables: p.varNames, ...r })}\n`);
    return;
  }
  process.stdout.write(`${describeReport(p.name, p.varNames, r)}\n`);
}

const pt = (x: number[]) => `(${x.map((v) => fmt(v, 6)).join(", ")})`;

export function describeReport(name: string, vars: readonly string[], r: LandscapeReport): string {
  const L = [
    `${name}: landscape in d = ${r.dim} (${vars.join(", ")}); η = ${r.eta}, Σ_B = ${fmt(r.batchScale)}·Σ, δ = ${r.delta}`,
  ];
  L.push(
    `minima (${r.minima.length}; ${r.classes.length} up to symmetry; ${r.search.starts} starts, chance that another start finds a new one ≈ ${fmt(r.search.unseenProbability, 2)}):`,
  );
  r.minima.forEach((m, i) => {
    const cls = r.classes.find((c) => c.members.includes(i))!;
    const ev =
      m.eigenvalues.length <= 6
        ? m.eigenvalues.map((v) => fmt(v)).join(", ")
        : `${fmt(m.eigenvalues[0])} … ${fmt(m.eigenvalues[m.eigenvalues.length - 1])}`;
    const noise = m.noise
      ? m.noise.interpolating
        ? "Σ = 0 (interpolating)"
        : `tr Σ = ${fmt(m.noise.traceSigma)}, rank ${m.noise.rank}`
      : "";
    L.push(
      `  [${i}] ${pt(m.x)}  L = ${fmt(m.value, 6)}  Hessian eig ${ev}  ${noise}${cls.multiplicity > 1 ? `  (×${cls.multiplicity} symmetric copies)` : ""}${m.inDomain ? "" : "  OUTSIDE domain"}`,
    );
  });
  if (r.saddles.length) {
    L.push(`index-1 saddles (${r.saddles.length}):`);
    r.saddles.forEach((s, i) => {
      const sc = r.saddleClasses.find((c) => c.members.includes(i));
      const mult = sc && sc.multiplicity > 1 ? `  (×${sc.multiplicity} symmetric copies)` : "";
      L.push(
        `  [${i}] ${pt(s.x)}  L = ${fmt(s.value, 6)}  λ₁ = ${fmt(s.eigenvalues[0])}  joins minima ${s.connects.join(" – ")}  path: ${s.path.points.length} points, length ${fmt(s.path.arcLength[s.path.arcLength.length - 1])}${mult}`,
      );
    });
    L.push("barriers L(z) − L(m):");
    for (const b of r.barriers) L.push(`  ${b.from} → ${b.to} over saddle ${b.saddle}: ${fmt(b.height, 6)}`);
  } else if (r.minima.length > 1) L.push("no saddle found (or search skipped)");
  L.push("exit from each minimum (Eyring–Kramers, SDE time t and iterations t/η):");
  r.kramers.forEach((k, i) => {
    const t = k.infinite ? "∞" : `${fmt(k.time)} = ${fmt(k.iterations)} it.`;
    L.push(`  [${i}] ${k.applicable ? t : `${t} — not applicable`}: ${k.why}`);
  });
  L.push("OU spread at each minimum (√tr S: SDE / discrete SGD):");
  r.ou.forEach((o, i) => {
    L.push(
      `  [${i}] ${o.collapses ? "0 (collapses to the point)" : `${fmt(Math.sqrt(Math.max(0, o.sde.trace)))} / ${o.sgd.stable ? fmt(Math.sqrt(Math.max(0, o.sgd.trace))) : "unstable"}`}`,
    );
  });
  if (r.basins)
    L.push(
      `basin fractions of the grid: ${r.basins.fractions.map((f) => fmt(f, 3)).join(", ")} (last: unlabelled)`,
    );
  L.push(`verdict: ${r.verdict.sentence}`);
  L.push(`as δ → 0 (Noisy SGD): ${r.verdict.noisySgd}`);
  return L.join("\n");
}

/** Shared: landscape facts around the start point for exit-time methods. */
function around(lp: LoadedProblem, ctx: MethodContext) {
  const p = lp.problem;
  const mr = findMinima(p, { seed: 1 });
  const mins = mr.minima;
  const sad = mins.length > 1 ? findSaddles(p, mins).saddles : [];
  const mi = basinOf(p, ctx.from, mins, { saddles: sad });
  return { p, mins, sad, mi };
}

/** x or a point within 1e-6·max(1, |x_i|) of it along a coordinate axis lies in the region (minima sit on boundaries like "x >= 1"). */
function nearlyInside(inside: (x: Float64Array) => boolean, x: number[]): boolean {
  const y = Float64Array.from(x);
  if (inside(y)) return true;
  for (let i = 0; i < x.length; i++) {
    for (const s of [-1, 1]) {
      y[i] = x[i] + s * 1e-6 * Math.max(1, Math.abs(x[i]));
      if (inside(y)) return true;
      y[i] = x[i];
    }
  }
  return false;
}

/** `exit-time --method kramers`. */
export function kramersMethod(lp: LoadedProblem, ctx: MethodContext): Record<string, unknown> {
  const { p, mins, sad, mi } = around(lp, ctx);
  const inside = compileRegion(ctx.to, p.varNames, "--to");
  const na = (why: string) => ({
    method: "kramers",
    time: Number.NaN,
    iterations: Number.NaN,
    applicable: false,
    why,
  });
  if (mi < 0) return na("the start point does not flow to a known minimum");
  if (inside(Float64Array.from(mins[mi].x))) return na("the start's own minimum lies in the target region");
  // Channels: saddles of minimum mi whose far side (or the saddle itself) lies in the target.
  let rate = 0;
  let best: ReturnType<typeof eyringKramers> | undefined;
  let mode = "";
  for (const s of sad) {
    if (!s.connects.includes(mi) || s.connects[0] === s.connects[1]) continue;
    const other = s.connects[0] === mi ? s.connects[1] : s.connects[0];
    if (other < 0) continue;
    const k = eyringKramers(p, mins[mi], s);
    // Is the target's boundary at the saddle? Step a little past the saddle towards the other minimum.
    const v = s.x.map((z, i) => mins[other].x[i] - z);
    const nv = Math.hypot(...v) || 1;
    const h = 1e-6 * Math.max(1, nv);
    const past = Float64Array.from(s.x.map((z, i) => z + (h * v[i]) / nv));
    const atSaddle = inside(past) || inside(Float64Array.from(s.x));
    const beyond = nearlyInside(inside, mins[other].x);
    if (!atSaddle && !beyond) continue;
    const t = atSaddle ? k.toSaddle.time : k.time;
    if (!best || k.barrier < best.barrier) {
      best = k;
      mode = atSaddle
        ? "first hitting of the saddle (≈ half the transition time)"
        : "transition over the saddle into the target's basin";
    }
    rate += 1 / t;
  }
  if (!best) return na("no saddle of the start's minimum leads into the target region");
  const time = best.infinite ? Number.POSITIVE_INFINITY : 1 / rate;
  return {
    method: "kramers",
    time,
    iterations: time / p.lr,
    applicable: best.applicable,
    infinite: best.infinite === true,
    why: `${best.why}; ${mode}; assumes the start relaxes to the minimum ${pt(mins[mi].x)} first`,
    regime: best.regime,
    exponent: best.exponent,
    barrier: best.barrier,
    minimum: mins[mi].x,
  };
}

/**
 * `exit-time --method bounds`. 1-D: rigorous bounds on the continuum MET (absorbing at the nearest
 * target boundary, reflecting at the domain edge). 2-D/3-D: the certified bracket of the discrete
 * generator's value widened by the PDE's estimated grid error (see generatorBoundsMethod) — an enclosure
 * of the MET only as far as that estimate holds, and marked `rigorous: false`.
 */
export function boundsMethod(lp: LoadedProblem, ctx: MethodContext): Record<string, unknown> {
  const p = lp.problem;
  if (p.dim !== 1) return generatorBoundsMethod(lp, ctx);
  const inside = compileRegion(ctx.to, p.varNames, "--to");
  const [lo, hi] = p.domain[0];
  const x0 = ctx.from[0];
  const find = (end: number): number | undefined => firstEntry1d(inside, x0, end);
  const right = find(hi);
  const left = find(lo);
  if (right !== undefined && left !== undefined) {
    return {
      method: "bounds",
      lower: Number.NaN,
      upper: Number.NaN,
      applicable: false,
      why: "the target lies on both sides of the start: two absorbing ends are not implemented",
    };
  }
  if (right === undefined && left === undefined)
    throw new UserError(`the region "${ctx.to}" is never reached inside the domain`, { where: "--to" });
  const absorb = (right ?? left)!;
  const b = exitTimeBounds(p, { start: x0, absorb, reflect: right !== undefined ? lo : hi });
  return { ...b, rigorous: b.applicable };
}

/**
 * d = 2, 3: what bounds the MET on a grid. The discrete comparison principle (generator-bounds.ts) certifies
 * the DISCRETE generator's exit time at the start: [T_h/c⁺, T_h/c⁻] on the `pde` method's final grid
 * (`discrete_certificate`: it certifies the linear solve, not the grid). The continuum MET differs from T_h by
 * the grid error, so the bracket returned is the certificate widened by the `error_estimate` of
 * `pdeExitTimeEstimate` (Richardson on three grids): [T_h/c⁺ − e, T_h/c⁻ + e]. It brackets the MET as far as
 * that error estimate covers the grid error — an estimate, not a proof (`rigorous: false`). Without an error
 * estimate there is no useful bound, and the entry says so.
 */
function generatorBoundsMethod(lp: LoadedProblem, ctx: MethodContext): Record<string, unknown> {
  const p = lp.problem;
  const none = (why: string, extra: Record<string, unknown> = {}) => ({
    method: "bounds",
    lower: Number.NaN,
    upper: Number.NaN,
    applicable: false,
    rigorous: false,
    why: `no useful bound: ${why}`,
    ...extra,
  });
  if (p.dim > 3) return none("bounds need the 1-D formula or a grid generator (d ≤ 3)");
  const region = compileRegion(ctx.to, p.varNames, "--to");
  const est = pdeExitTimeEstimate(p, ctx.from, region, { grid: ctx.grid });
  if (est.infinite) {
    return {
      method: "bounds",
      lower: Number.POSITIVE_INFINITY,
      upper: Number.POSITIVE_INFINITY,
      infinite: true,
      applicable: true,
      rigorous: false,
      why: `the PDE exit time is infinite: ${est.reason ?? "traps or unreachable target"}`,
      grid: est.grid,
    };
  }
  const r = pdeExitTimeAt(p, ctx.from, region, est.grid);
  const c = comparisonConstants(r.gen.Q, r.gen.absorbing!, r.res.u);
  if (!(c.cMin > 0 && c.cMax > 0 && Number.isFinite(r.t)))
    return none(
      "the comparison constants of the discrete certificate are not positive (the linear solve is not accurate enough)",
      {
        grid: est.grid,
      },
    );
  const certificate = {
    lower: r.t / c.cMax,
    upper: r.t / c.cMin,
    grid: est.grid,
    what: "certified bracket of the discrete generator's exit time at the start (comparison principle); it does not include the grid error",
  };
  const e = est.error_estimate;
  if (e === null || !Number.isFinite(e))
    return none(
      "the PDE's grid error is not estimated, so the discrete certificate says nothing about the MET itself",
      {
        discrete_certificate: certificate,
        grid: est.grid,
      },
    );
  const lower = Math.max(0, certificate.lower - e);
  const upper = certificate.upper + e;
  return {
    method: "bounds",
    lower,
    upper,
    iterations: { lower: lower / p.lr, upper: upper / p.lr },
    applicable: true,
    rigorous: false,
    why:
      `discrete certificate [${certificate.lower.toPrecision(6)}, ${certificate.upper.toPrecision(6)}] on grid ${est.grid.join("×")}, ` +
      `widened by the PDE's estimated grid error ±${e.toPrecision(3)} (${est.observed_order !== null ? `Richardson, observed order ${est.observed_order.toFixed(2)}` : "grids not yet converging: twice the last difference"}); ` +
      `a bracket of the MET as far as that estimate holds, not a proof${lower === 0 ? "; the lower side is trivial" : ""}`,
    discrete_certificate: certificate,
    error_estimate: e,
    grid: est.grid,
  };
}

EXTRA_METHODS.kramers = kramersMethod;
EXTRA_METHODS.bounds = boundsMethod;
