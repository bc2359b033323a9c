/**
 * `sgdscope stationary <problem> [--grid N] [--from POINT|--init LAW] [--eigs K] [--out DIR] [--json]`: the
 * long-time law of the SDE on a grid from the closed classes of the generator — each class's stationary law (a
 * density or a point mass) with its basin and the probability of ending there from the given initial law
 * (default uniform), "unique" only for one closed class, the spectral gap within each class and the relaxation
 * time (SDE time and iterations).
 */
import { join } from "node:path";
import type { Command } from "commander";
import { NumericalError, UserError } from "../../errors.js";
import { loadProblem } from "../../io/load-problem.js";
import { openResultSet } from "../../io/result-set.js";
import { toJson, writeCsv, writeJson } from "../../io/write.js";
import {
  axisCoords,
  basinQuasiStationary,
  buildGenerator,
  type ClassSpectrum,
  classSpectrum,
  gridBasins,
  type InitialLaw,
  initialDistribution,
  makeGrid,
  nearestNode,
  type StationaryResult,
  stationary,
  transientDecayRate,
} from "../../pde/index.js";
import type { Problem } from "../../problem/types.js";
import { Interrupted } from "../../stop.js";
import { COMMANDS } from "../command-list.js";
import {
  EXIT_CODES_HELP,
  EXIT_INTERRUPTED,
  fmt,
  parsePositiveInt,
  printText,
  requireGrid,
} from "../common.js";
import { gridShape, parseGridInit } from "./fokker-planck.js";

interface Opts {
  grid?: string;
  from?: string;
  init?: string;
  eigs: string;
  basins?: boolean;
  out?: string;
  json?: boolean;
}

export function registerStationary(program: Command): void {
  program
    .command("stationary")
    .description(COMMANDS["stationary"].description)
    .argument("<problem>", "problem file (YAML or JSON)")
    .option("--grid <N>", "grid points per axis (default: chosen from the noise scale and the landscape)")
    .option(
      "--from <point>",
      "initial point (decides the probability of ending in each closed class when there are several)",
    )
    .option(
      "--init <law>",
      "initial law: point:X,Y | gaussian:MEAN:STD | uniform (default) | samples:FILE.csv",
    )
    .option("--eigs <K>", "eigenvalues of the generator to compute near 0 (per closed class)", "4")
    .option("--basins", "also the exit rate and quasi-stationary mean exit time of each basin (up to 8)")
    .option("--out <dir>", "write manifest.json and stationary.csv (the density) here")
    .option("--json", "print exactly one JSON object on stdout")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (file: string, o: Opts) => {
      if (stationaryCommand(file, o)) process.exitCode = EXIT_INTERRUPTED;
    });
}

/**
 * The same class structure on a grid with half the points per axis: class count, and the largest change of the
 * probability of ending in a class (classes matched by kind and nearest centre). The probabilities carry the
 * scheme's error — O(h) where the noise is degenerate (numerical diffusion across separatrices) — and this is
 * how that error shows.
 */
function gridCheck(p: Problem, shape: number[], law: InitialLaw, st: StationaryResult) {
  const coarse = shape.map((n) => Math.max(3, Math.floor((n - 1) / 2) + 1));
  if (coarse.every((n, k) => n === shape[k])) return null;
  const g = makeGrid(p.domain, coarse);
  let c: StationaryResult;
  try {
    c = stationary(p, buildGenerator(p, g), { init: initialDistribution(g, law) });
  } catch (e) {
    if (!(e instanceof NumericalError)) throw e;
    return {
      coarse_grid: coarse,
      classes: null,
      max_probability_change: null,
      summary: `not done (${e.message})`,
    };
  }
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]));
  let change: number | null = null;
  if (c.classes.length === st.classes.length) {
    change = 0;
    const used = new Set<number>();
    for (const f of st.classes) {
      let best = -1;
      c.classes.forEach((q, k) => {
        if (used.has(k) || q.kind !== f.kind) return;
        if (best < 0 || dist(q.centre, f.centre) < dist(c.classes[best].centre, f.centre)) best = k;
      });
      if (best < 0) {
        change = null;
        break;
      }
      used.add(best);
      change = Math.max(change, Math.abs(c.classes[best].mass - f.mass));
    }
  }
  const summary =
    c.classes.length !== st.classes.length
      ? `the ${coarse.join("×")} grid finds ${c.classes.length} closed classes instead of ${st.classes.length}: the structure depends on the resolution`
      : change === null
        ? `the ${coarse.join("×")} grid finds classes of other kinds: the structure depends on the resolution`
        : `on the ${coarse.join("×")} grid the same ${c.classes.length} class${c.classes.length > 1 ? "es" : ""}; probabilities of ending in each change by at most ${fmt(change, 2)}`;
  return { coarse_grid: coarse, classes: c.classes.length, max_probability_change: change, summary };
}

/** Large values in exponent notation (fmt prints all digits below 1e21). */
const big = (v: number) => (Math.abs(v) >= 1e6 && Number.isFinite(v) ? v.toExponential(2) : fmt(v, 3));

/**
 * Most grid nodes `stationary --grid` accepts: the classes, every class's law, the spectrum and the check on
 * the coarser grid take ~5 s of CPU at 2·10⁵ nodes in 1-D and grow faster than the node count.
 */
export const MAX_STATIONARY_NODES = 250_000;

/** Most eigenvalues `stationary --eigs` computes (dense work grows with their square). */
export const MAX_EIGS = 1000;

/**
 * Runs the command; returns true when Ctrl-C stopped one of the checks after the stationary law (the law is
 * kept and written; the checks not done say so). Interrupted during the law itself, nothing is kept.
 */
function stationaryCommand(file: string, o: Opts): boolean {
  const lp = loadProblem(file);
  const p = lp.problem;
  requireGrid(p, file, "the stationary law on a grid");
  const k = parsePositiveInt(o.eigs, "--eigs", 2, MAX_EIGS);
  const set = o.out !== undefined ? openResultSet(o.out) : undefined;
  const { shape, reason } = gridShape(p, o.grid);
  const nodes = shape.reduce((a, b) => a * b, 1);
  if (o.grid !== undefined && nodes > MAX_STATIONARY_NODES) {
    throw new UserError(`a grid of ${shape.join("×")} = ${nodes} nodes is too large for the stationary law`, {
      where: "--grid",
      hint: `at most ${MAX_STATIONARY_NODES} nodes (${Math.floor(MAX_STATIONARY_NODES ** (1 / p.dim))} per axis in ${p.dim}-D)`,
    });
  }
  const grid = makeGrid(p.domain, shape);
  const gen = buildGenerator(p, grid);
  const law: InitialLaw =
    o.from === undefined && o.init === undefined ? { kind: "uniform" } : parseGridInit(p, o.from, o.init);
  const init = initialDistribution(grid, law);
  const st = stationary(p, gen, { init });
  // after the law: a Ctrl-C inside a check keeps the law; the checks not done say "interrupted"
  let interrupted: string | null = null;
  const unlessInterrupted = <T>(f: () => T): T | null => {
    if (interrupted !== null) return null;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof Interrupted)) throw e;
      interrupted = e.what;
      return null;
    }
  };
  const notDone = () => `not done: interrupted (Ctrl-C) during ${interrupted}`;
  const check =
    unlessInterrupted(() => gridCheck(p, shape, law, st)) ??
    (interrupted !== null
      ? { coarse_grid: null, classes: null, max_probability_change: null, summary: notDone() }
      : null);
  // spectral gap within each density class (up to 8, most likely first)
  const spectra: (ClassSpectrum | { error: string } | null)[] = st.classes.map((c, q) => {
    if (c.kind !== "density" || q >= 8) return null;
    try {
      return (
        unlessInterrupted(() => classSpectrum(gen.Q, c.members, { k, cut: st.cut })) ?? { error: notDone() }
      );
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      return { error: e.message };
    }
  });
  let transient: { rate: number; converged: boolean } | { error: string } | null = null;
  if (st.transientNodes > 0) {
    try {
      transient = unlessInterrupted(() => transientDecayRate(gen.Q, st.classOf)) ?? { error: notDone() };
    } catch (e) {
      if (!(e instanceof NumericalError)) throw e;
      transient = { error: e.message };
    }
  }
  let basinRows:
    | { minimum: number[]; exit_rate: number; mean_exit_time: number; mean_exit_iterations: number }[]
    | null = null;
  if (o.basins) {
    const b = gridBasins(grid, gen.loss);
    basinRows = [];
    for (let q = 0; q < Math.min(8, b.minima.length); q++) {
      if (b.minima.length < 2) break;
      try {
        const r = unlessInterrupted(() => basinQuasiStationary(p, grid, b, q));
        if (r === null) break;
        basinRows.push({
          minimum: r.minimum,
          exit_rate: r.exitRate,
          mean_exit_time: r.meanExitTime,
          mean_exit_iterations: r.meanExitTime / p.lr,
        });
      } catch (e) {
        if (!(e instanceof NumericalError)) throw e;
      }
    }
  }
  const ax = axisCoords(grid);
  const coordsOf = (i: number) => {
    const row: number[] = [];
    let r = i;
    for (let q = 0; q < p.dim; q++) {
      const iq = r % grid.shape[q];
      r = (r - iq) / grid.shape[q];
      row.push(ax[q][iq]);
    }
    return row;
  };
  let mean: number[] | null = null;
  if (st.probabilities) {
    mean = new Array(p.dim).fill(0);
    for (let i = 0; i < grid.size; i++) {
      const c = coordsOf(i);
      for (let q = 0; q < p.dim; q++) mean[q] += st.probabilities[i] * c[q];
    }
  }
  const spec = (q: number): ClassSpectrum | null => {
    const s = spectra[q];
    return s && !("error" in s) ? s : null;
  };
  const classes = st.classes.map((c, q) => {
    const s = spectra[q];
    const sp = spec(q);
    return {
      kind: c.kind,
      why: c.why || undefined,
      probability: c.mass,
      nodes: c.nodes,
      centre: c.centre,
      support: c.support,
      basin_nodes: c.basinNodes,
      sure_nodes: c.sureNodes,
      leak_rate: c.leak,
      min_lifetime: c.minLifetime,
      min_lifetime_iterations: c.minLifetime / p.lr,
      eigenvalues: sp ? sp.re : null,
      spectral_gap: sp?.gap ?? null,
      relaxation_time: sp?.relaxationTime ?? null,
      relaxation_iterations: sp?.relaxationTime ? sp.relaxationTime / p.lr : null,
      spectral_note: sp?.note || (s && "error" in s ? `not computed: ${s.error}` : undefined),
    };
  });
  const only = st.unique ? classes[0] : null;
  const out = {
    problem: p.name,
    lr: p.lr,
    batch: p.batch,
    grid: shape,
    grid_reason: reason,
    unique: st.unique,
    // the paper's dichotomy: the parameters converge (a.s., to a point) exactly on the mass that ends in point masses
    parameters_converge_probability: 1 - st.diffuseFraction,
    normalisable: st.normalisable,
    message: st.message,
    classes,
    transient_nodes: st.transientNodes,
    transient_decay_rate: transient && !("error" in transient) ? transient.rate : null,
    point_masses: st.pointMasses,
    diffuse_fraction: st.diffuseFraction,
    mean,
    // one closed class: its spectrum; several: per class only (a gap is a statement within a class)
    eigenvalues: only?.eigenvalues ?? null,
    spectral_gap: only?.spectral_gap ?? null,
    relaxation_time: only?.relaxation_time ?? null,
    relaxation_iterations: only?.relaxation_iterations ?? null,
    zero_eigenvalues: st.classes.length,
    spectral_error: classes.find((c) => c.spectral_note?.startsWith("not computed"))?.spectral_note,
    weak_rate: st.weakRate,
    grid_check: check,
    absorption: st.absorption,
    basins: basinRows,
    solver: st.solve?.method ?? null,
    interrupted: interrupted !== null,
    interrupted_during: interrupted,
  };
  if (set) {
    writeJson(join(set.dir, "manifest.json"), { command: "stationary", file: lp.path, ...out });
    // the t → ∞ law from the initial law (point masses at their node), class and basin labels per node
    const limit = st.probabilities ? Float64Array.from(st.probabilities) : new Float64Array(grid.size);
    if (!st.probabilities) {
      for (const c of st.classes) {
        if (c.probabilities) for (const i of c.members) limit[i] += c.mass * c.probabilities[i];
        else {
          const x = Float64Array.from(c.centre);
          limit[c.members.length === 1 ? c.members[0] : nearestNode(grid, x)] += c.mass;
        }
      }
    }
    const rows: (number | string)[][] = [];
    for (let i = 0; i < grid.size; i++)
      rows.push([...coordsOf(i), st.classOf[i], st.basin[i], limit[i], limit[i] / grid.volume[i]]);
    writeCsv(
      join(set.dir, "stationary.csv"),
      [...p.varNames, "class", "basin", "probability", "density"],
      rows,
    );
    set.commit();
  }
  if (o.json) {
    process.stdout.write(`${toJson(out)}\n`);
    return interrupted !== null;
  }
  const lines = [`${p.name}: long-time law on a ${shape.join("×")} grid (${reason})`, `  ${st.message}`];
  const pc = 1 - st.diffuseFraction;
  lines.push(
    pc >= 1 - 1e-9
      ? `  do the parameters converge? yes: all the mass${st.unique ? "" : " of the initial law"} ends in point masses`
      : pc <= 1e-9
        ? `  do the parameters converge? no: the law converges${st.unique ? "" : " (from the initial law)"} to stationary densities, the parameters keep fluctuating`
        : `  do the parameters converge? with probability ${fmt(pc)} (the mass that ends in point masses); otherwise they keep fluctuating in a stationary density`,
  );
  if (mean) lines.push(`  mean of the limit law (${mean.map((v) => fmt(v)).join(", ")})`);
  classes.forEach((c, q) => {
    const where =
      c.kind === "point-mass"
        ? `point mass at (${c.centre.map((v) => fmt(v)).join(", ")})`
        : `density around (${c.centre.map((v) => fmt(v)).join(", ")}), ${c.nodes} nodes`;
    const gap =
      c.kind !== "density"
        ? ""
        : c.spectral_gap
          ? `; spectral gap within the class ${fmt(c.spectral_gap)} ⇒ relaxation time ${fmt(c.relaxation_time!)} (${fmt(c.relaxation_iterations!)} iterations)`
          : c.spectral_note
            ? `; spectral gap: ${c.spectral_note}`
            : "";
    const basin = c.basin_nodes >= 0 ? `; basin (absorption probability ≥ ½): ${c.basin_nodes} nodes` : "";
    const leak =
      c.leak_rate > 0
        ? `; closed up to rates ≤ ${fmt(st.weakRate, 2)}: left after ≥ ${big(c.min_lifetime)} SDE time (${big(c.min_lifetime_iterations)} iterations) on average`
        : "";
    if (q < 12) lines.push(`  class ${q} (probability ${fmt(c.probability)}): ${where}${gap}${basin}${leak}`);
  });
  if (classes.length > 12) lines.push(`  … ${classes.length - 12} more classes (see --json)`);
  if (check) lines.push(`  grid check: ${check.summary}`);
  if (st.transientNodes > 0) {
    lines.push(
      `  ${st.transientNodes} transient nodes` +
        (transient && !("error" in transient)
          ? `: mass leaves them at rate ${fmt(transient.rate)} (time ${fmt(1 / transient.rate)} = ${fmt(1 / transient.rate / p.lr)} iterations)`
          : ""),
    );
  }
  for (const b of basinRows ?? []) {
    lines.push(
      `  basin of (${b.minimum.map((v) => fmt(v, 3)).join(", ")}): exit rate ${fmt(b.exit_rate)} ⇒ mean exit time from its quasi-stationary law ${fmt(b.mean_exit_time)} (${fmt(b.mean_exit_iterations)} iterations)`,
    );
  }
  if (o.out) lines.push(`  wrote ${o.out}/manifest.json, stationary.csv`);
  if (interrupted !== null)
    lines.push(
      `interrupted (Ctrl-C) during ${interrupted}: the long-time law above is complete; the checks marked "not done" were not finished (exit code ${EXIT_INTERRUPTED})`,
    );
  printText(lines.join("\n"));
  return interrupted !== null;
}
