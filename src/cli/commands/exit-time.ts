/**
 * `sgdscope exit-time <problem> --from POINT --to REGION [--method sgd,sde,...]`
 * Mean exit time from POINT into REGION by several methods side by side (SDE time and iterations), through the
 * core's one exit-time engine (src/exit). This file only parses flags, shows progress and formats.
 */

import { join } from "node:path";
import type { Command } from "commander";
import { formatWithCi } from "../../analysis/index.js";
import { UserError } from "../../errors.js";
import {
  EXIT_METHOD_SPECS,
  EXIT_METHODS,
  type ExitEstimate,
  type ExitMethodName,
  type ExitTimeResult,
  isParticleMethod,
  type MonteCarloDetail,
  exitTime as runExitTime,
} from "../../exit/index.js";
import { defaultSdeStep } from "../../exit/policy.js";
import { openResultSet } from "../../io/result-set.js";
import { toJson, writeArrow, writeCsv, writeJson } from "../../io/write.js";
import { threadRunner } from "../../parallel/ensemble.js";
import { COMMANDS } from "../command-list.js";
import {
  defaultThreads,
  EXIT_CODES_HELP,
  EXIT_INTERRUPTED,
  exitQueryFromFlags,
  fmt,
  interruptFlag,
  Progress,
  parsePositive,
  parsePositiveInt,
  parseSeed,
  printText,
  requireDomain,
  stepsFor,
} from "../common.js";
import { estimateJson } from "../exit-json.js";

interface Opts {
  from?: string;
  to?: string;
  method: string;
  particles: string;
  maxTime?: string;
  dt?: string;
  seed: string;
  threads?: string;
  grid?: string;
  rtol?: string;
  pdeSeconds?: string;
  json?: boolean;
  dtCheck: boolean;
  out?: string;
  timings?: boolean;
}

export function registerExitTime(program: Command): void {
  program
    .command("exit-time")
    .description(COMMANDS["exit-time"].description)
    .argument("<problem>", "problem file (YAML or JSON)")
    .option("--from <point>", "start point, comma-separated (default: the problem's start)")
    .option("--to <region>", 'target region, a condition such as "x > 0" (default: the problem\'s target)')
    .option(
      "--method <list>",
      `comma-separated methods:\n${EXIT_METHODS.map((m) => `  ${m.padEnd(10)} ${EXIT_METHOD_SPECS[m].summary}`).join("\n")}\n`,
      "sgd,sde",
    )
    .option("--particles <M>", "particles per Monte Carlo method", "2000")
    .option(
      "--max-time <T>",
      "Monte Carlo horizon in SDE time; particles still out by then are censored (default: 16× the first " +
        "prediction of exact, pde or kramers when one of them is asked for, else 1000)",
    )
    .option(
      "--dt <dt>",
      "SDE step for sde/sde2 (default η/10); the time-step bias is checked by a second run at 2·dt (dt_check)",
    )
    .option("--no-dt-check", "skip the second sde/sde2 run at 2·dt that estimates the time-step bias")
    .option("--seed <S>", "random seed", "1")
    .option("--threads <N>", "worker threads (results do not depend on it)")
    .option("--grid <N>", "grid points per axis for grid methods (pde: the finest of its first three grids)")
    .option(
      "--rtol <r>",
      "pde: refine the grid until the error estimate is ≤ r × the value (default 0.01 with the automatic grid; with --grid no refinement unless --rtol is given)",
    )
    .option("--pde-seconds <s>", "pde: wall-clock budget of the grid refinement in seconds (default 30)")
    .option(
      "--out <dir>",
      "also write per-particle exit times (exit-times.csv, exit-times.arrow) and exit-time.json",
    )
    .option("--timings", "include each method's wall time (seconds) in the output")
    .option("--json", "print exactly one JSON object on stdout")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (file: string, o: Opts) => {
      const interrupted = await exitTimeCommand(file, o);
      if (interrupted) process.exitCode = EXIT_INTERRUPTED;
    });
}

/** Runs the command; returns true when interrupted. */
async function exitTimeCommand(file: string, o: Opts): Promise<boolean> {
  const { lp, p, from, to, methods, particles } = exitQueryFromFlags(file, o);
  const maxTime = o.maxTime !== undefined ? parsePositive(o.maxTime, "--max-time") : undefined;
  const dt = o.dt !== undefined ? parsePositive(o.dt, "--dt") : undefined;
  if (dt !== undefined && !methods.some((m) => m === "sde" || m === "sde2")) {
    throw new UserError("applies only to the methods sde and sde2, and none of them is asked for", {
      where: "--dt",
      hint: "--method sde,sde2 with --dt, or no --dt",
    });
  }
  for (const m of methods) {
    if ((EXIT_METHODS as readonly string[]).includes(m) && isParticleMethod(m) && maxTime !== undefined)
      stepsFor(maxTime, m === "sde" || m === "sde2" ? (dt ?? defaultSdeStep(p.lr)) : p.lr, "--max-time");
  }
  if (methods.some((m) => m === "pde" || m === "exact" || m === "bounds") && p.dim <= 3)
    requireDomain(p, file, "the grid methods pde, exact and bounds");
  const seed = parseSeed(o.seed);
  const threads = o.threads !== undefined ? parsePositiveInt(o.threads, "--threads") : defaultThreads();
  const grid = o.grid !== undefined ? parsePositiveInt(o.grid, "--grid", 3) : undefined;
  const rtol = o.rtol !== undefined ? parsePositive(o.rtol, "--rtol") : undefined;
  const maxSeconds = o.pdeSeconds !== undefined ? parsePositive(o.pdeSeconds, "--pde-seconds") : undefined;
  if ((rtol !== undefined || maxSeconds !== undefined) && !methods.includes("pde" as ExitMethodName))
    throw new UserError("applies only to the method pde, which is not asked for", {
      where: rtol !== undefined ? "--rtol" : "--pde-seconds",
      hint: "--method pde (or remove the option)",
    });
  const set = o.out !== undefined ? openResultSet(o.out) : undefined;
  const intr = interruptFlag();
  let bar: { label: string; p: Progress } | null = null;
  let result: ExitTimeResult;
  try {
    result = await runExitTime(
      p,
      { from, to },
      {
        methods,
        particles: {
          particles,
          seed,
          horizon: maxTime ?? "auto",
          fallbackHorizon: 1000,
          dt,
          dtCheck: o.dtCheck,
        },
        gridMethods: { grid, rtol, maxSeconds },
        runner: threadRunner(lp.spec, lp.path.replace(/[/\\][^/\\]*$/, ""), threads),
        shouldStop: intr.stopped,
        onProgress: (label, done, total) => {
          if (bar?.label !== label) {
            bar?.p.stop();
            bar = { label, p: new Progress(label, total, o.json === true) };
          }
          bar.p.update(done);
        },
      },
    );
  } finally {
    (bar as { p: Progress } | null)?.p.stop();
    intr.dispose();
  }
  const out = {
    problem: result.problem,
    from: result.from,
    to: result.to,
    lr: result.lr,
    batch: result.batch,
    interrupted: result.interrupted,
    estimates: result.estimates.map((e) => {
      const j = estimateJson(e);
      if (!o.timings) delete j.seconds;
      return j;
    }),
  };
  if (set) {
    writeExitTimes(set.dir, result, out);
    set.commit();
  }
  if (o.json) process.stdout.write(`${toJson(out)}\n`);
  else printText(describe(result, o.timings === true));
  return result.interrupted;
}

/** Per-particle exit times of every Monte Carlo method, and the JSON, into `dir`. */
function writeExitTimes(dir: string, r: ExitTimeResult, json: unknown): void {
  const rows: unknown[][] = [];
  const method: number[] = [];
  const particle: number[] = [];
  const time: number[] = [];
  const status: number[] = [];
  const mc = r.estimates.filter((e) => e.detail?.kind === "monte-carlo");
  mc.forEach((e, k) => {
    const d = e.detail as MonteCarloDetail;
    d.exitTimes.forEach((t, i) => {
      const s = Number.isNaN(t) ? 2 : t === Number.POSITIVE_INFINITY ? 1 : 0;
      rows.push([e.method, i, Number.isFinite(t) ? t : "", s === 1 ? 1 : 0, s === 2 ? 1 : 0]);
      method.push(k);
      particle.push(i);
      time.push(t);
      status.push(s);
    });
  });
  writeCsv(join(dir, "exit-times.csv"), ["method", "particle", "time", "censored", "diverged"], rows);
  writeArrow(join(dir, "exit-times.arrow"), {
    method: Int32Array.from(method),
    particle: Int32Array.from(particle),
    time: Float64Array.from(time),
    status: Int32Array.from(status),
  });
  writeJson(join(dir, "exit-time.json"), {
    ...(json as object),
    files: {
      "exit-times.csv":
        "one row per particle: method, particle index, exit time (SDE time; empty when censored or diverged), censored (1 = still outside at the horizon), diverged (1)",
      "exit-times.arrow": `columns method (index into [${mc.map((e) => e.method).join(", ")}]), particle, time (SDE time; +Inf censored, NaN diverged), status (0 exited, 1 censored, 2 diverged)`,
    },
  });
}

/** Human-readable table of estimates. */
function describe(r: ExitTimeResult, timings: boolean): string {
  const lines = [
    `${r.problem}: mean exit time from (${r.from.join(", ")}) into {${r.to}}  (η = ${r.lr}, B = ${r.batch}; SDE time t, iterations t/η)`,
  ];
  for (const e of r.estimates) lines.push(...describeEstimate(e, r.lr, timings));
  if (r.interrupted) lines.push("interrupted: the values above are what finished (exit code 130)");
  return lines.join("\n");
}

function describeEstimate(e: ExitEstimate, lr: number, timings: boolean): string[] {
  const m = e.method.padEnd(8);
  const secs = timings ? `  (${fmt(e.seconds, 3)} s)` : "";
  const pad = "           ";
  switch (e.status) {
    case "not-applicable":
      return [`  ${m} not applicable: ${e.reason}`];
    case "failed":
      return [`  ${m} failed: ${e.reason}`];
    case "skipped":
      return [`  ${m} not run: ${e.reason}`];
    case "infinite":
      return [`  ${m} infinite: ${e.reason ?? "the process cannot reach the region"}${secs}`];
    case "bracket": {
      const [lo, hi] = e.interval as [number, number];
      return [
        `  ${m} ${fmt(lo)} ≤ t ≤ ${fmt(hi)} = ${fmt(lo / lr)}…${fmt(hi / lr)} iterations  (${e.how})${secs}`,
        ...(e.reason ? [`${pad}${e.reason}`] : []),
      ];
    }
  }
  const d = e.detail;
  if (d?.kind === "monte-carlo") {
    const it: [number, number] = d.iterationsCi95;
    const tag = e.status === "lower-bound" ? "≥ " : "";
    const lines = [
      `  ${m} t ${tag}${formatWithCi(e.time as number, d.ci95)} = ${tag}${formatWithCi(e.iterations as number, it)} iterations` +
        `  [${d.exited}/${d.particles} exited by t = ${fmt(d.horizon)} (${d.horizonWhy})${d.censored ? ", censored: a lower bound" : ""}` +
        `${d.diverged > 0 ? `, ${d.diverged} diverged` : ""}, dt = ${fmt(d.dt)}, 95% CI]${secs}`,
    ];
    if (d.diverged > 0)
      lines.push(
        `${pad}${d.diverged} of ${d.particles} particles diverged before reaching the region: the statistics ` +
          "are over the others, i.e. the mean exit time given no divergence",
      );
    if (d.exponentiality) lines.push(`${pad}exponentiality: ${d.exponentiality.verdict}`);
    const c = d.dtCheck;
    if (c) {
      const rel = (v: number) => `${v >= 0 ? "+" : ""}${fmt((100 * v) / (e.time as number), 2)}%`;
      lines.push(
        c.notAssessable
          ? `${pad}time-step check at dt = ${fmt(c.dt)}: not assessable (${c.notAssessable})`
          : c.significant
            ? `${pad}time-step bias: at dt = ${fmt(c.dt)} t = ${formatWithCi(c.time, c.ci95)}; estimated bias of the value above ` +
              `${formatWithCi(c.biasEstimate, c.biasCi95)} (${rel(c.biasEstimate)} of it), beyond the Monte Carlo error — ` +
              `extrapolated to dt → 0: ${formatWithCi(c.extrapolated, c.extrapolatedCi95)}; a smaller --dt is advised`
            : `${pad}time-step check: at dt = ${fmt(c.dt)} t = ${formatWithCi(c.time, c.ci95)}; no bias detectable ` +
              `beyond the Monte Carlo error (difference ${formatWithCi(c.biasEstimate, c.biasCi95)}: biases below ` +
              `±${fmt((100 * (c.biasCi95[1] - c.biasCi95[0])) / 2 / (e.time as number), 2)}% cannot be seen with ` +
              `${d.particles} particles per run)`,
      );
    }
    if (d.stopped) lines.push(`${pad}interrupted: statistics of the particles that finished`);
    return lines;
  }
  const err =
    e.intervalKind === "error-estimate" && e.interval && e.time !== null
      ? `  (± ${fmt(e.interval[1] - e.time, 2)} ${e.method === "exact" ? "quadrature" : "grid"} error${d?.kind === "pde" ? `, grid ${d.grid.join("×")}` : ""})`
      : e.intervalKind === "asymptotic-band"
        ? "  (asymptotic formula)"
        : e.intervalKind === "discrete-lower-bound"
          ? `  (certified lower bound for the discrete chain${d?.kind === "pde" ? ` on ${d.grid.join("×")}` : ""}; grid error not included)`
          : "";
  const rel = e.status === "lower-bound" ? "≥" : "=";
  return [
    `  ${m} t ${rel} ${fmt(e.time as number)} ${rel} ${fmt(e.iterations as number)} iterations${err}${secs}`,
    ...(e.reason ? [`${pad}${e.reason}`] : []),
  ];
}
