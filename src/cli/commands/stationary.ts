/**
 * `sgdscope stationary <problem> [--grid N] [--from POINT|--init LAW] [--eigs K] [--out DIR] [--json]`: the
 * long-time law of the SDE on a grid — normalisable density or point masses (with the mass fractions for the
 * given initial law, default uniform), spectral gap and relaxation times (SDE time and iterations).
 */
import { join } from "node:path";
import type { Command } from "commander";
import { NumericalError } from "../../errors.js";
import { loadProblem } from "../../io/load-problem.js";
import { checkOutDir, toJson, writeCsv, writeJson } from "../../io/write.js";
import {
  axisCoords,
  basinQuasiStationary,
  buildGenerator,
  gridBasins,
  initialDistribution,
  makeGrid,
  spectralGap,
  stationary,
} from "../../pde/index.js";
import { COMMANDS } from "../command-list.js";
import { fmt, parsePositiveInt, requireDomain } from "../common.js";
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
      "initial point (decides the mass fractions when the limit is made of point masses)",
    )
    .option(
      "--init <law>",
      "initial law: point:X,Y | gaussian:MEAN:STD | uniform (default) | samples:FILE.csv",
    )
    .option("--eigs <K>", "eigenvalues of the generator to compute near 0", "4")
    .option("--basins", "also the exit rate and quasi-stationary mean exit time of each basin (up to 8)")
    .option("--out <dir>", "write manifest.json and stationary.csv (the density) here")
    .option("--json", "print exactly one JSON object on stdout")
    .action(async (file: string, o: Opts) => {
      stationaryCommand(file, o);
    });
}

function stationaryCommand(file: string, o: Opts): void {
  const lp = loadProblem(file);
  const p = lp.problem;
  requireDomain(p, file, "the stationary law on a grid");
  const k = parsePositiveInt(o.eigs, "--eigs", 2, 1000);
  if (o.out !== undefined) checkOutDir(o.out);
  const baseDir = lp.path.replace(/[/\\][^/\\]*$/, "");
  const { shape, reason } = gridShape(p, o.grid);
  const grid = makeGrid(p.domain, shape);
  const gen = buildGenerator(p, grid);
  const init =
    o.from === undefined && o.init === undefined
      ? initialDistribution(grid, { kind: "uniform" })
      : initialDistribution(grid, parseGridInit(p, o.from, o.init, baseDir));
  const st = stationary(p, gen, { init });
  let spectral: ReturnType<typeof spectralGap> | null = null;
  let spectralError: string | undefined;
  try {
    spectral = spectralGap(gen, { k });
  } catch (e) {
    if (!(e instanceof NumericalError)) throw e;
    spectralError = e.message;
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
        const r = basinQuasiStationary(p, grid, b, q);
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
  let mean: number[] | null = null;
  if (st.probabilities) {
    mean = new Array(p.dim).fill(0);
    const ax = axisCoords(grid);
    for (let i = 0; i < grid.size; i++) {
      let r = i;
      for (let q = 0; q < p.dim; q++) {
        const iq = r % grid.shape[q];
        r = (r - iq) / grid.shape[q];
        mean[q] += st.probabilities[i] * ax[q][iq];
      }
    }
  }
  const out = {
    problem: p.name,
    lr: p.lr,
    batch: p.batch,
    grid: shape,
    grid_reason: reason,
    normalisable: st.normalisable,
    message: st.message,
    point_masses: st.pointMasses,
    diffuse_fraction: st.diffuseFraction,
    mean,
    eigenvalues: spectral ? spectral.re : null,
    spectral_gap: spectral?.gap ?? null,
    relaxation_time: spectral?.gap ? 1 / spectral.gap : null,
    relaxation_iterations: spectral?.gap ? 1 / spectral.gap / p.lr : null,
    zero_eigenvalues: spectral?.zeroEigenvalues ?? null,
    spectral_error: spectralError,
    basins: basinRows,
    solver: st.solve?.method ?? null,
  };
  if (o.out) {
    writeJson(join(o.out, "manifest.json"), { command: "stationary", file: lp.path, ...out });
    if (st.density) {
      const ax = axisCoords(grid);
      const rows: number[][] = [];
      for (let i = 0; i < grid.size; i++) {
        const row: number[] = [];
        let r = i;
        for (let q = 0; q < p.dim; q++) {
          const iq = r % grid.shape[q];
          r = (r - iq) / grid.shape[q];
          row.push(ax[q][iq]);
        }
        row.push(st.density[i], st.probabilities![i]);
        rows.push(row);
      }
      writeCsv(join(o.out, "stationary.csv"), [...p.varNames, "density", "probability"], rows);
    }
  }
  if (o.json) {
    process.stdout.write(`${toJson(out)}\n`);
    return;
  }
  const lines = [`${p.name}: long-time law on a ${shape.join("×")} grid (${reason})`, `  ${st.message}`];
  if (mean) lines.push(`  stationary mean (${mean.map((v) => fmt(v)).join(", ")})`);
  if (spectral) {
    lines.push(
      `  eigenvalues of −Q near 0: ${spectral.re.map((v) => fmt(v)).join(", ")}` +
        (spectral.gap
          ? `; spectral gap ${fmt(spectral.gap)} ⇒ relaxation time ${fmt(1 / spectral.gap)} (${fmt(1 / spectral.gap / p.lr)} iterations)`
          : ""),
    );
  } else lines.push(`  spectrum: not computed (${spectralError})`);
  for (const b of basinRows ?? []) {
    lines.push(
      `  basin of (${b.minimum.map((v) => fmt(v, 3)).join(", ")}): exit rate ${fmt(b.exit_rate)} ⇒ mean exit time from its quasi-stationary law ${fmt(b.mean_exit_time)} (${fmt(b.mean_exit_iterations)} iterations)`,
    );
  }
  if (o.out) lines.push(`  wrote ${o.out}/manifest.json${st.density ? ", stationary.csv" : ""}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
