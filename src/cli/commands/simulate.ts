/**
 * `sgdscope simulate <problem>`: an ensemble of SGD / SDE / ... particles, with snapshots of the law
 * over time (moments, histograms, divergence) and, with --to, exit statistics.
 */

import { join } from "node:path";
import type { Command } from "commander";
import { exitTimeStats, formatExitTimeStats, snapshotStats } from "../../analysis/index.js";
import type { InitialLaw } from "../../dynamics/initial.js";
import { DYNAMICS, type DynamicsKind, type SimulateResult } from "../../dynamics/simulate.js";
import { UserError } from "../../errors.js";
import { defaultSdeStep } from "../../exit/policy.js";
import { loadProblem } from "../../io/load-problem.js";
import { readSamplesCsv } from "../../io/read.js";
import { openResultSet } from "../../io/result-set.js";
import { toJson, writeArrow, writeCsv, writeJson } from "../../io/write.js";
import { runEnsemble } from "../../parallel/ensemble.js";
import { parseDecimal } from "../../problem/decimal.js";
import { compileRegion } from "../../problem/index.js";
import type { Problem } from "../../problem/types.js";
import { COMMANDS } from "../command-list.js";
import {
  checkEnsembleSize,
  checkStart,
  defaultThreads,
  EXIT_CODES_HELP,
  EXIT_INTERRUPTED,
  fmt,
  interruptFlag,
  MAX_STEPS,
  Progress,
  parsePoint,
  parsePositive,
  parsePositiveInt,
  parseSeed,
  printText,
  stepsFor,
} from "../common.js";

/** Most snapshots of one simulate run (each is a copy of every particle and a row of moments). */
export const MAX_SNAPSHOTS = 100_000;

interface Opts {
  dynamics: string;
  particles: string;
  steps?: string;
  time?: string;
  dt?: string;
  from?: string;
  init?: string;
  to?: string;
  snapshots: string;
  seed: string;
  threads?: string;
  out?: string;
  json?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description(COMMANDS["simulate"].description)
    .argument("<problem>", "problem file (YAML or JSON)")
    .option("--dynamics <kind>", DYNAMICS.join(" | "), "sgd")
    .option("--particles <M>", "ensemble size", "1000")
    .option("--steps <K>", "number of steps (η each for SGD, dt each for SDEs)")
    .option("--time <T>", "horizon in SDE time (instead of --steps)")
    .option("--dt <dt>", "SDE step (default η/10, as in exit-time and analyze)")
    .option("--from <point>", "start every particle at this point (default: the problem's start)")
    .option(
      "--init <law>",
      "initial law: point:X,Y | gaussian:MEAN:STD | uniform (the domain box) | samples:FILE.csv",
    )
    .option("--to <region>", "stop particles when they enter this region and report exit times")
    .option("--snapshots <n>", "number of evenly spaced snapshots, including t = 0", "11")
    .option("--seed <S>", "random seed", "1")
    .option("--threads <N>", "worker threads (results do not depend on it)")
    .option("--out <dir>", "write manifest.json, moments.csv and snapshots.arrow here")
    .option("--json", "print exactly one JSON object on stdout")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (file: string, o: Opts) => {
      if (await simulateCommand(file, o)) process.exitCode = EXIT_INTERRUPTED;
    });
}

function parseInit(p: Problem, o: Opts): InitialLaw {
  if (o.from !== undefined && o.init !== undefined)
    throw new UserError("give either --from or --init, not both", { where: "--init" });
  const d = p.dim;
  if (o.init === undefined) {
    if (o.from !== undefined) {
      const x = parsePoint(o.from, d, "--from");
      checkStart(p, x, "--from");
      return { kind: "point", point: x };
    }
    if (p.start) return { kind: "point", point: p.start };
    throw new UserError("no initial law", {
      where: "--from",
      hint: "--from POINT, --init LAW, or start: [...] in the problem file",
    });
  }
  const s = o.init;
  const hint = "point:X,Y | gaussian:MEAN:STD | uniform | samples:FILE.csv";
  if (s.startsWith("point:")) {
    const x = parsePoint(s.slice(6), d, "--init point");
    checkStart(p, x, "--init point");
    return { kind: "point", point: x };
  }
  if (s === "uniform") {
    if (p.domain.some(([lo, hi]) => !Number.isFinite(lo) || !Number.isFinite(hi))) {
      throw new UserError("uniform needs a finite domain in the problem file", { where: "--init" });
    }
    return { kind: "uniform", box: p.domain };
  }
  if (s.startsWith("gaussian:")) {
    const [, mean, std] = s.split(":");
    if (std === undefined)
      throw new UserError(`"${s}" lacks the standard deviation`, { where: "--init", hint });
    const m = parsePoint(mean, d, "--init gaussian mean");
    const sd = std.split(",").map(parseDecimal);
    const sds = sd.length === 1 ? Array(d).fill(sd[0]) : sd;
    if (sds.length !== d || sds.some((v) => !(v >= 0))) {
      throw new UserError(`"${std}" is not one std ≥ 0 or ${d} of them`, { where: "--init gaussian std" });
    }
    return { kind: "gaussian", mean: m, std: sds };
  }
  if (s.startsWith("samples:")) {
    // a file named on the command line is relative to the working folder (as in fokker-planck)
    const { samples, count } = readSamplesCsv(s.slice(8), d);
    return { kind: "samples", samples, count };
  }
  throw new UserError(`unknown initial law "${s}"`, { where: "--init", hint });
}

/** Runs the command; returns true when Ctrl-C stopped it (the particles that finished are kept and written). */
async function simulateCommand(file: string, o: Opts): Promise<boolean> {
  const lp = loadProblem(file);
  const p = lp.problem;
  const baseDir = lp.path.replace(/[/\\][^/\\]*$/, "");
  const dynamics = o.dynamics as DynamicsKind;
  if (!DYNAMICS.includes(dynamics))
    throw new UserError(`unknown dynamics '${o.dynamics}'`, {
      where: "--dynamics",
      hint: DYNAMICS.join(", "),
    });
  const isSde = dynamics === "sde" || dynamics === "sde2";
  if (o.dt !== undefined && !isSde)
    throw new UserError(`applies only to sde and sde2 (${dynamics} steps by η = ${p.lr})`, { where: "--dt" });
  // the one default-step policy of every command: η for the discrete dynamics, η/10 for the SDEs
  const h = o.dt !== undefined ? parsePositive(o.dt, "--dt") : isSde ? defaultSdeStep(p.lr) : p.lr;
  const stepName = o.dt !== undefined ? `--dt ${h}` : isSde ? `η/10 = ${h}` : `η = ${h}`;
  if (o.steps !== undefined && o.time !== undefined)
    throw new UserError("give either --steps or --time", { where: "--time" });
  const steps =
    o.steps !== undefined
      ? parsePositiveInt(o.steps, "--steps", 0, MAX_STEPS)
      : o.time !== undefined
        ? stepsFor(parsePositive(o.time, "--time"), h, "--time", stepName)
        : stepsFor(
            10,
            h,
            o.dt !== undefined ? "--dt" : `${file}: lr`,
            `${stepName} (the default horizon is t = 10)`,
          );
  const particles = parsePositiveInt(o.particles, "--particles");
  const nsnap = parsePositiveInt(o.snapshots, "--snapshots", 1, MAX_SNAPSHOTS);
  const snapshotSteps = [
    ...new Set(
      Array.from({ length: nsnap }, (_, i) => (nsnap === 1 ? steps : Math.round((i * steps) / (nsnap - 1)))),
    ),
  ];
  checkEnsembleSize(particles, p.dim, snapshotSteps.length);
  const seed = parseSeed(o.seed);
  const threads = o.threads !== undefined ? parsePositiveInt(o.threads, "--threads") : defaultThreads();
  const init = parseInit(p, o);
  if (o.to !== undefined) {
    const inside = compileRegion(o.to, p.varNames, "--to");
    if (init.kind === "point" && inside(Float64Array.from(init.point))) {
      throw new UserError(
        `the start point (${init.point.join(", ")}) is already inside the target region "${o.to}"`,
        {
          where: o.from !== undefined ? "--from" : o.init !== undefined ? "--init" : "--to",
          hint: "a start point outside the region",
        },
      );
    }
  }
  const set = o.out !== undefined ? openResultSet(o.out) : undefined;
  const intr = interruptFlag();
  const bar = new Progress(`${dynamics} particles`, particles, o.json === true);
  let res: SimulateResult;
  try {
    res = await runEnsemble(p, lp.spec, baseDir, {
      dynamics,
      particles,
      steps,
      dt: isSde ? h : undefined,
      seed,
      init,
      snapshotSteps,
      target: o.to,
      threads,
      onProgress: (n) => bar.update(n),
      shouldStop: intr.stopped,
    });
  } catch (e) {
    set?.discard();
    throw e;
  } finally {
    bar.stop();
    intr.dispose();
  }
  const m = res.to - res.from;
  const d = p.dim;
  // 1-D marginal histograms on the domain box (60 bins per coordinate; particles outside are counted)
  const bins = p.domain.map(([lo, hi]) =>
    Number.isFinite(lo) && Number.isFinite(hi) ? { lo, hi, bins: 60 } : null,
  );
  const snaps = res.snapshotSteps.map((k, s) => {
    const xs = Array.from({ length: d }, (_, i) =>
      res.snapshots.subarray((s * d + i) * m, (s * d + i + 1) * m),
    );
    const st = snapshotStats(xs, { time: k * res.stepSize, lr: p.lr, bins });
    return {
      step: k,
      time: k * res.stepSize,
      iterations: (k * res.stepSize) / p.lr,
      valid: st.valid,
      diverged: st.diverged,
      mean: st.mean,
      mean_ci95: Array.from(st.mean, (_v, i) => [st.meanLo[i], st.meanHi[i]]),
      cov: st.cov,
      histograms: st.histograms.map((h) => ({
        variable: p.varNames[h.dim],
        edges: h.edges,
        counts: h.counts,
        density: h.density,
        underflow: h.underflow,
        overflow: h.overflow,
      })),
    };
  });
  const divergedCount = res.divergedStep.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0);
  const firstDiv = res.divergedStep.reduce((a, v) => (v >= 0 && (a < 0 || v < a) ? v : a), -1);
  const exit = o.to ? exitTimeStats(res.exitTime, { horizon: steps * res.stepSize, lr: p.lr }) : undefined;
  const summary = {
    problem: p.name,
    dynamics,
    lr: p.lr,
    batch: p.batch,
    step_size: res.stepSize,
    steps,
    horizon: steps * res.stepSize,
    horizon_iterations: (steps * res.stepSize) / p.lr,
    particles: res.completed,
    requested_particles: particles,
    stopped: res.stopped,
    seed,
    variables: p.varNames,
    divergence: { particles: divergedCount, first_step: firstDiv < 0 ? null : firstDiv, bound: res.bound },
    snapshots: snaps.map(({ histograms: _h, ...rest }) => rest),
    exit: exit
      ? {
          to: o.to,
          mean: exit.mean,
          median: exit.median,
          exited: exit.exited,
          censored: exit.censored,
          diverged: exit.diverged,
          exponentiality: exit.exponentiality
            ? {
                statistic: exit.exponentiality.statistic,
                p_value: exit.exponentiality.pValue,
                verdict: exit.exponentiality.verdict,
              }
            : null,
        }
      : null,
  };
  if (set) {
    writeCsv(
      join(set.dir, "moments.csv"),
      [
        "step",
        "time",
        "iterations",
        "valid",
        "diverged",
        ...p.varNames.map((v) => `mean_${v}`),
        ...p.varNames.flatMap((a) => p.varNames.map((b) => `cov_${a}_${b}`)),
      ],
      snaps.map((s) => [s.step, s.time, s.iterations, s.valid, s.diverged, ...s.mean, ...s.cov]),
    );
    const cols: Record<string, Float64Array | Int32Array> = {};
    const total = res.snapshotSteps.length * m;
    cols.snapshot = new Int32Array(total);
    cols.particle = new Int32Array(total);
    cols.time = new Float64Array(total);
    for (const v of p.varNames) cols[v] = new Float64Array(total);
    res.snapshotSteps.forEach((k, s) => {
      for (let j = 0; j < m; j++) {
        const r = s * m + j;
        cols.snapshot[r] = s;
        cols.particle[r] = res.from + j;
        cols.time[r] = k * res.stepSize;
        p.varNames.forEach((v, i) => {
          cols[v][r] = res.snapshots[(s * d + i) * m + j];
        });
      }
    });
    writeArrow(join(set.dir, "snapshots.arrow"), cols);
    if (o.to)
      writeArrow(join(set.dir, "exit-times.arrow"), {
        particle: Int32Array.from({ length: m }, (_, j) => res.from + j),
        time: res.exitTime,
      });
    writeJson(join(set.dir, "manifest.json"), {
      sgdscope: "simulate",
      files: {
        moments: "moments.csv",
        snapshots: "snapshots.arrow",
        exit_times: o.to ? "exit-times.arrow" : null,
      },
      problem_file: lp.path,
      ...summary,
      histograms: snaps.map((s) => ({
        step: s.step,
        time: s.time,
        iterations: s.iterations,
        marginals: s.histograms,
      })),
    });
    set.commit();
  }
  if (o.json) {
    process.stdout.write(`${toJson(summary)}\n`);
    return res.stopped;
  }
  const lines = [
    `${p.name}: ${dynamics}, ${res.completed} particles × ${steps} steps of ${fmt(res.stepSize)} (SDE time ${fmt(steps * res.stepSize)} = ${fmt((steps * res.stepSize) / p.lr)} iterations), seed ${seed}${res.stopped ? " — interrupted, partial" : ""}`,
  ];
  lines.push(`  snapshots (mean ± 95% half-width, sd; particles that exited stay at their exit point):`);
  for (const s of snaps) {
    const mean = Array.from(
      s.mean,
      (v, i) => `${fmt(v)} ± ${fmt((s.mean_ci95[i][1] - s.mean_ci95[i][0]) / 2, 2)}`,
    ).join(", ");
    const sd = Array.from({ length: d }, (_, i) => fmt(Math.sqrt(s.cov[i * d + i]))).join(", ");
    lines.push(
      `  t = ${fmt(s.time).padEnd(8)} (${fmt(s.iterations)} it.)  mean (${mean})  sd (${sd})${s.diverged ? `  ${s.diverged} diverged` : ""}`,
    );
  }
  if (divergedCount > 0)
    lines.push(
      `  DIVERGENCE: ${divergedCount} of ${res.completed} particles diverged (|x| > ${fmt(res.bound)} or non-finite), the first at step ${firstDiv}`,
    );
  if (exit) lines.push(`  exit into {${o.to}}: ${formatExitTimeStats(exit).split("\n").join("\n    ")}`);
  if (o.out) lines.push(`  wrote ${join(o.out, "manifest.json")}, moments.csv, snapshots.arrow`);
  if (res.stopped)
    lines.push(
      `interrupted (Ctrl-C): the statistics above are over the ${res.completed} of ${particles} particles that finished (exit code ${EXIT_INTERRUPTED})`,
    );
  printText(lines.join("\n"));
  return res.stopped;
}
