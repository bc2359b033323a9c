/**
 * `sgdscope fokker-planck <problem> --from POINT|--init LAW --times T1,T2,... [--grid N] [--out DIR] [--json]`:
 * the law of the SDE on a grid (DESIGN.md §2, src/pde), snapshots with mass, moments, region masses, relative
 * entropy and L¹ distance to the stationary law. Also registers the grid exit-time methods `pde` and `exact`
 * for `sgdscope exit-time --method`.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { UserError } from "../../errors.js";
import { loadProblem } from "../../io/load-problem.js";
import { readSamplesCsv } from "../../io/read.js";
import { openResultSet } from "../../io/result-set.js";
import { toJson, writeArrow, writeCsv, writeJson } from "../../io/write.js";
import {
  autoGridShape,
  axisCoords,
  buildGenerator,
  entropyDecay,
  fokkerPlanck,
  gridBasins,
  type InitialLaw,
  initialDistribution,
  makeGrid,
  type NamedRegion,
  stationary,
} from "../../pde/index.js";
import { parseDecimal } from "../../problem/decimal.js";
import { compileRegion, reservedName } from "../../problem/index.js";
import type { Problem } from "../../problem/types.js";
import { COMMANDS } from "../command-list.js";
import {
  checkStart,
  EXIT_CODES_HELP,
  EXIT_INTERRUPTED,
  fmt,
  Progress,
  parsePoint,
  parsePositive,
  parsePositiveInt,
  printText,
  requireGrid,
} from "../common.js";
/** Grid shape from --grid or automatic. */
export function gridShape(p: Problem, grid: string | undefined): { shape: number[]; reason: string } {
  if (grid !== undefined) {
    const n = parsePositiveInt(grid, "--grid", 3);
    return { shape: new Array(p.dim).fill(n), reason: `--grid ${n}` };
  }
  return autoGridShape(p);
}

/** --from / --init → an initial law on the grid (same syntax as `simulate --init`). */
export function parseGridInit(p: Problem, from: string | undefined, init: string | undefined): InitialLaw {
  const d = p.dim;
  if (from !== undefined && init !== undefined)
    throw new UserError("give either --from or --init, not both", { where: "--init" });
  if (init === undefined) {
    if (from !== undefined) {
      const x = parsePoint(from, d, "--from");
      checkStart(p, x, "--from");
      return { kind: "point", x };
    }
    if (p.start) return { kind: "point", x: [...p.start] };
    throw new UserError("no initial law", {
      where: "--from",
      hint: "--from POINT, --init LAW, or start: in the problem file",
    });
  }
  const hint = "point:X,Y | gaussian:MEAN:STD | uniform | samples:FILE.csv";
  if (init.startsWith("point:")) {
    const x = parsePoint(init.slice(6), d, "--init point");
    checkStart(p, x, "--init point");
    return { kind: "point", x };
  }
  if (init === "uniform") return { kind: "uniform" };
  if (init.startsWith("gaussian:")) {
    const [, mean, std] = init.split(":");
    if (std === undefined)
      throw new UserError(`"${init}" lacks the standard deviation`, { where: "--init", hint });
    const m = parsePoint(mean, d, "--init gaussian mean");
    const sd = std.split(",").map(parseDecimal);
    const sds = sd.length === 1 ? new Array(d).fill(sd[0]) : sd;
    if (sds.length !== d || sds.some((v) => !(v > 0))) {
      throw new UserError(`"${std}" is not one std > 0 or ${d} of them`, { where: "--init gaussian std" });
    }
    const cov = new Array(d * d).fill(0);
    for (let k = 0; k < d; k++) cov[k * d + k] = sds[k] * sds[k];
    return { kind: "gaussian", mean: m, cov };
  }
  if (init.startsWith("samples:")) {
    // relative to the working folder, like every file named on the command line
    return { kind: "samples", points: readSamplesCsv(init.slice(8), d).samples };
  }
  throw new UserError(`unknown initial law "${init}"`, { where: "--init", hint });
}

/** "name=expr;name2=expr2" or "expr" → named regions. */
function parseRegions(p: Problem, s: string | undefined): NamedRegion[] {
  if (!s) return [];
  const seen = new Set<string>();
  return s
    .split(";")
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t, k) => {
      const eq = t.indexOf("=");
      const named = eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.slice(0, eq).trim()) && t[eq + 1] !== "=";
      const name = named ? t.slice(0, eq).trim() : `region${k + 1}`;
      if (reservedName(name))
        throw new UserError(`the region name '${name}' is reserved (a property of every JavaScript object)`, {
          where: "--regions",
          hint: "plain names such as left, right, well1",
        });
      if (seen.has(name))
        throw new UserError(`the region name '${name}' is used twice`, { where: "--regions" });
      seen.add(name);
      const src = named ? t.slice(eq + 1) : t;
      return { name, fn: compileRegion(src, p.varNames, "--regions") };
    });
}

interface Opts {
  from?: string;
  init?: string;
  times: string;
  grid?: string;
  method: string;
  dt?: string;
  regions?: string;
  order2?: boolean;
  out?: string;
  json?: boolean;
}

export function registerFokkerPlanck(program: Command): void {
  program
    .command("fokker-planck")
    .description(COMMANDS["fokker-planck"].description)
    .argument("<problem>", "problem file (YAML or JSON)")
    .option("--from <point>", "initial point mass (spread to the surrounding grid nodes)")
    .option("--init <law>", "initial law: point:X,Y | gaussian:MEAN:STD | uniform | samples:FILE.csv")
    .requiredOption("--times <list>", "snapshot times in SDE time, comma-separated, increasing")
    .option("--grid <N>", "grid points per axis (default: chosen from the noise scale and the landscape)")
    .option(
      "--method <m>",
      "time integrator: uniformization (exact in time) | implicit-euler (order 1)",
      "uniformization",
    )
    .option("--dt <dt>", "implicit Euler step (SDE time)")
    .option("--regions <list>", 'regions to track, "name=expr;name2=expr2", e.g. "left=x<0;right=x>0"')
    .option("--order2", "add the order-2 drift correction −(η/4)∇|∇L|²")
    .option("--out <dir>", "write manifest.json, snapshots.csv and density.arrow here")
    .option("--json", "print exactly one JSON object on stdout")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (file: string, o: Opts) => {
      if (fokkerPlanckCommand(file, o)) process.exitCode = EXIT_INTERRUPTED;
    });
}

/**
 * Runs the command; returns true when Ctrl-C stopped the time stepping (the snapshots reached are kept and
 * written, and say so). Interrupted before the stepping (the stationary law), nothing is kept.
 */
function fokkerPlanckCommand(file: string, o: Opts): boolean {
  const lp = loadProblem(file);
  const p = lp.problem;
  requireGrid(p, file, "the Fokker–Planck grid");
  const set = o.out !== undefined ? openResultSet(o.out) : undefined;
  const times = o.times.split(",").map((t) => parsePositiveOrZero(t.trim()));
  if (o.method !== "uniformization" && o.method !== "implicit-euler") {
    throw new UserError(`unknown method '${o.method}'`, {
      where: "--method",
      hint: "uniformization, implicit-euler",
    });
  }
  const dt = o.dt !== undefined ? parsePositive(o.dt, "--dt") : undefined;
  const { shape, reason } = gridShape(p, o.grid);
  const grid = makeGrid(p.domain, shape);
  const init = parseGridInit(p, o.from, o.init);
  const p0 = initialDistribution(grid, init);
  const regions = parseRegions(p, o.regions);
  const gen = buildGenerator(p, grid, { order2: o.order2 === true });
  checkWork(gen.Q, times, o.method, dt);
  const st = stationary(p, gen, { init: p0 });
  const basins = gridBasins(grid, gen.loss);
  const bar = new Progress("fokker-planck", 1000, o.json === true);
  const fp = fokkerPlanck(gen, p0, times, {
    method: o.method as "uniformization" | "implicit-euler",
    dt,
    regions,
    basins,
    stationary: st.probabilities,
    onProgress: (t, tEnd) => bar.update(Math.round((1000 * t) / (tEnd || 1))),
  });
  bar.stop();
  const ent = st.probabilities ? entropyDecay(p, grid, gen.Q, fp.snapshots, st.probabilities) : null;
  const summary = {
    problem: p.name,
    lr: p.lr,
    batch: p.batch,
    grid: shape,
    grid_reason: reason,
    integrator: fp.method,
    interrupted: fp.interrupted !== undefined,
    // Ctrl-C: the evolution stopped at this SDE time; the snapshots are those of the requested times reached
    interrupted_at_time: fp.interrupted?.t ?? null,
    snapshots_requested: times.length,
    uniformization_rate: fp.rate,
    matvecs: fp.matvecs,
    stationary: {
      normalisable: st.normalisable,
      message: st.message,
      point_masses: st.pointMasses,
    },
    basins: basins.minima.map((m) => ({ minimum: m.x, loss: m.loss })),
    snapshots: fp.snapshots.map((s) => ({
      t: s.t,
      iterations: s.t / p.lr,
      mass: s.mass,
      min_value: s.minValue,
      mean: s.mean,
      cov: s.cov,
      region_mass: s.regionMass,
      basin_mass: s.basinMass ?? [],
      rel_entropy: s.relEntropy ?? null,
      l1_to_stationary: s.l1 ?? null,
    })),
    entropy: ent
      ? {
          fitted_rate: ent.fittedRate,
          bakry_emery_rate: ent.bakryEmeryRate,
          lambda_min_hessian: ent.lambdaMin,
          production: ent.production,
          fisher: ent.fisher,
        }
      : null,
  };
  if (set) {
    const dir = set.dir;
    writeJson(join(dir, "manifest.json"), { command: "fokker-planck", file: lp.path, ...summary });
    const d = p.dim;
    const header = ["t", "iterations", "mass", ...p.varNames.map((v) => `mean_${v}`)];
    for (let k = 0; k < d; k++)
      for (let l = k; l < d; l++) header.push(`cov_${p.varNames[k]}${p.varNames[l]}`);
    header.push(...regions.map((r) => `mass_${r.name}`), "rel_entropy", "l1_to_stationary");
    writeCsv(
      join(dir, "snapshots.csv"),
      header,
      fp.snapshots.map((s) => {
        const row: unknown[] = [s.t, s.t / p.lr, s.mass, ...s.mean];
        for (let k = 0; k < d; k++) for (let l = k; l < d; l++) row.push(s.cov[k * d + l]);
        row.push(...regions.map((r) => s.regionMass[r.name]), s.relEntropy ?? "", s.l1 ?? "");
        return row;
      }),
    );
    const cols: Record<string, Float64Array> = {};
    const ax = axisCoords(grid);
    const x = new Float64Array(d);
    const coordCols = p.varNames.map(() => new Float64Array(grid.size));
    for (let i = 0; i < grid.size; i++) {
      let r = i;
      for (let k = 0; k < d; k++) {
        const ik = r % grid.shape[k];
        r = (r - ik) / grid.shape[k];
        x[k] = ax[k][ik];
        coordCols[k][i] = x[k];
      }
    }
    p.varNames.forEach((v, k) => {
      cols[v] = coordCols[k];
    });
    fp.snapshots.forEach((s, k) => {
      const dens = new Float64Array(grid.size);
      for (let i = 0; i < grid.size; i++) dens[i] = s.p[i] / grid.volume[i];
      cols[`density_t${k}`] = dens;
    });
    if (st.density) cols.density_stationary = st.density;
    writeArrow(join(dir, "density.arrow"), cols);
    set.commit();
  }
  if (o.json) {
    process.stdout.write(`${toJson(summary)}\n`);
    return fp.interrupted !== undefined;
  }
  const lines = [
    `${p.name}: Fokker–Planck on a ${shape.join("×")} grid (${reason}); ${fp.method}`,
    `  long time: ${st.message}`,
  ];
  for (const s of summary.snapshots) {
    const reg = Object.entries(s.region_mass)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(", ");
    lines.push(
      `  t = ${fmt(s.t)} (${fmt(s.iterations)} it.): mass ${s.mass.toFixed(12)}, mean (${s.mean.map((v) => fmt(v)).join(", ")})` +
        (s.rel_entropy !== null ? `, H(ρ|ρ∞) ${fmt(s.rel_entropy)}` : "") +
        (s.l1_to_stationary !== null ? `, L¹ ${fmt(s.l1_to_stationary)}` : "") +
        (reg ? `, ${reg}` : ""),
    );
    const bm = s.basin_mass
      .map((m, k) => [m, k] as const)
      .filter(([m]) => m > 1e-4)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 6)
      .map(([m, k]) => `(${basins.minima[k].x.map((v) => fmt(v, 3)).join(", ")}) ${fmt(m, 3)}`);
    if (basins.minima.length > 1) lines.push(`      mass per basin (grid minimum): ${bm.join(", ")}`);
  }
  if (ent) {
    lines.push(
      `  entropy decay rate: fitted ${ent.fittedRate === null ? "n/a" : fmt(ent.fittedRate)}` +
        (ent.bakryEmeryRate !== null ? `, Bakry–Émery bound 2λ = ${fmt(ent.bakryEmeryRate)}` : ""),
    );
  }
  if (o.out) lines.push(`  wrote ${o.out}/manifest.json, snapshots.csv, density.arrow`);
  if (fp.interrupted)
    lines.push(
      `interrupted (Ctrl-C) at SDE time t = ${fmt(fp.interrupted.t)}: ${fp.snapshots.length} of ${times.length} snapshots finished${fp.snapshots.length > 0 ? " (above)" : ""}; the files hold them (exit code ${EXIT_INTERRUPTED})`,
    );
  printText(lines.join("\n"));
  return fp.interrupted !== undefined;
}

/** Most multiply-adds a Fokker–Planck run may ask for (≈ a few minutes): beyond, an error instead of a hang. */
export const MAX_FP_WORK = 1e11;

/** Rejects --times / --dt that would take days: uniformization needs ≈ Λ·t products with Q. */
function checkWork(
  Q: { n: number; rowPtr: ArrayLike<number>; colIdx: ArrayLike<number>; values: ArrayLike<number> },
  times: number[],
  method: string,
  dt: number | undefined,
): void {
  const tEnd = times.length ? Math.max(...times) : 0;
  if (method === "uniformization") {
    let lam = 0;
    for (let i = 0; i < Q.n; i++)
      for (let q = Q.rowPtr[i]; q < Q.rowPtr[i + 1]; q++)
        if (Q.colIdx[q] === i) lam = Math.max(lam, -Q.values[q]);
    if (lam * tEnd * Q.values.length > MAX_FP_WORK) {
      throw new UserError(
        `t = ${tEnd} needs about ${(lam * tEnd).toExponential(1)} products with the ${Q.n}-node generator (uniformization rate Λ = ${fmt(lam)})`,
        { where: "--times", hint: "shorter times, a coarser --grid, or stationary for the long-time law" },
      );
    }
  } else if (dt !== undefined && (tEnd / dt) * Q.values.length > MAX_FP_WORK * 1e-2) {
    throw new UserError(
      `t = ${tEnd} in implicit Euler steps of ${dt} is ${(tEnd / dt).toExponential(1)} solves`,
      {
        where: "--dt",
        hint: "a larger --dt or shorter --times",
      },
    );
  }
}

function parsePositiveOrZero(s: string): number {
  const v = Number(s);
  if (s === "" || !Number.isFinite(v) || v < 0) {
    throw new UserError(`"${s}" is not a time ≥ 0`, { where: "--times", hint: "e.g. 0,0.5,1,2" });
  }
  return v;
}
