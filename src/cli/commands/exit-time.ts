/**
 * `sgdscope exit-time <problem> --from POINT --to REGION [--method sgd,sde,...]`
 * Mean exit time from POINT into REGION by several methods side by side (SDE time and iterations).
 */
import type { Command } from "commander";
import { formatWithCi } from "../../analysis/index.js";
import { DYNAMICS, type DynamicsKind } from "../../dynamics/simulate.js";
import { UserError } from "../../errors.js";
import { loadProblem } from "../../io/load-problem.js";
import { toJson } from "../../io/write.js";
import { compileRegion } from "../../problem/index.js";
import {
  checkEnsembleSize,
  checkInDomain,
  defaultThreads,
  fmt,
  interruptFlag,
  Progress,
  parsePositive,
  parsePositiveInt,
  parseSeed,
  requireDomain,
  startPoint,
  stepsFor,
} from "../common.js";
import { EXTRA_METHODS } from "../methods.js";
import { type DtCheck, dtCheck, particleEstimate } from "../particle-estimate.js";

interface Opts {
  from?: string;
  to?: string;
  method: string;
  particles: string;
  maxTime: string;
  dt?: string;
  seed: string;
  threads?: string;
  grid?: string;
  json?: boolean;
  dtCheck: boolean;
}

export function registerExitTime(program: Command): void {
  program
    .command("exit-time")
    .description("mean exit time from a point into a region, by particles (sgd, sde, ...) and other methods")
    .argument("<problem>", "problem file (YAML or JSON)")
    .option("--from <point>", "start point, comma-separated (default: the problem's start)")
    .option("--to <region>", 'target region, a condition such as "x > 0" (default: the problem\'s target)')
    .option(
      "--method <list>",
      `comma-separated methods: ${[...DYNAMICS, ...Object.keys(EXTRA_METHODS)].join(", ")}`,
      "sgd,sde",
    )
    .option("--particles <M>", "particles per Monte Carlo method", "2000")
    .option("--max-time <T>", "horizon in SDE time; particles still out by then are censored", "1000")
    .option(
      "--dt <dt>",
      "SDE step for sde/sde2 (default η/10); the time-step bias is checked by a second run at 2·dt (dt_check)",
    )
    .option("--no-dt-check", "skip the second sde/sde2 run at 2·dt that estimates the time-step bias")
    .option("--seed <S>", "random seed", "1")
    .option("--threads <N>", "worker threads (results do not depend on it)")
    .option("--grid <N>", "grid points per axis for grid methods")
    .option("--json", "print exactly one JSON object on stdout")
    .action(async (file: string, o: Opts) => {
      await exitTime(file, o);
    });
}

async function exitTime(file: string, o: Opts): Promise<void> {
  const lp = loadProblem(file);
  const p = lp.problem;
  const from = startPoint(p, o.from);
  const to = o.to ?? p.target;
  if (!to)
    throw new UserError("no target region", {
      where: "--to",
      hint: 'a condition such as "x > 0", or target: in the problem file',
    });
  const inside = compileRegion(to, p.varNames, "--to");
  if (inside(Float64Array.from(from))) {
    throw new UserError(`the start point (${from.join(", ")}) is already inside the target region "${to}"`, {
      where: "--from",
      hint: "a start point outside the region",
    });
  }
  const methods = o.method
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const valid = [...DYNAMICS, ...Object.keys(EXTRA_METHODS)];
  for (const m of methods) {
    if (!valid.includes(m))
      throw new UserError(`unknown method '${m}'`, { where: "--method", hint: valid.join(", ") });
  }
  if (methods.length === 0)
    throw new UserError("no method given", { where: "--method", hint: valid.join(", ") });
  const twice = methods.find((m, i) => methods.indexOf(m) !== i);
  if (twice) throw new UserError(`'${twice}' is listed twice`, { where: "--method", hint: valid.join(", ") });
  const particles = parsePositiveInt(o.particles, "--particles");
  checkEnsembleSize(particles, p.dim);
  const maxTime = parsePositive(o.maxTime, "--max-time");
  const dt = o.dt !== undefined ? parsePositive(o.dt, "--dt") : undefined;
  const sdes = methods.filter((m) => m === "sde" || m === "sde2");
  if (dt !== undefined && sdes.length === 0) {
    throw new UserError("applies only to the methods sde and sde2, and none of them is asked for", {
      where: "--dt",
      hint: "--method sde,sde2 with --dt, or no --dt",
    });
  }
  for (const m of methods) {
    if ((DYNAMICS as readonly string[]).includes(m))
      stepsFor(maxTime, m === "sde" || m === "sde2" ? (dt ?? p.lr / 10) : p.lr, "--max-time");
  }
  if (methods.some((m) => m === "pde" || m === "exact" || m === "bounds")) {
    requireDomain(p, file, "the grid methods pde, exact and bounds");
    checkInDomain(p, from, "--from");
  }
  const seed = parseSeed(o.seed);
  const threads = o.threads !== undefined ? parsePositiveInt(o.threads, "--threads") : defaultThreads();
  const grid = o.grid !== undefined ? parsePositiveInt(o.grid, "--grid", 3) : undefined;
  const estimates: Record<string, unknown>[] = [];
  const intr = interruptFlag();
  try {
    for (const m of methods) {
      if (intr.stopped()) break;
      if ((DYNAMICS as readonly string[]).includes(m)) {
        const isSde = m === "sde" || m === "sde2";
        /** One Monte Carlo estimate of method m at step `h` (sde/sde2) with its own progress bar. */
        const run = async (label: string, h: number | undefined, s: number) => {
          const bar = new Progress(label, particles, o.json === true);
          const est = await particleEstimate(lp, {
            dynamics: m as DynamicsKind,
            from,
            to,
            particles,
            maxTime,
            dt: h,
            seed: s,
            threads,
            onProgress: (n) => bar.update(n),
            shouldStop: intr.stopped,
          });
          bar.stop();
          return est;
        };
        const est = await run(`${m} particles`, isSde ? (dt ?? p.lr / 10) : undefined, seed);
        const { stats: _s, ...row } = est;
        if (isSde && o.dtCheck && !est.stopped && !intr.stopped()) {
          // the same estimate at 2·dt with an independent seed: T(dt) − T(2dt) estimates the O(dt) bias
          const coarse = await run(`${m} particles at 2·dt (time-step check)`, 2 * est.dt, seed + 1);
          estimates.push({ ...row, dt_check: dtCheck(est, coarse) });
        } else estimates.push(row);
      } else {
        estimates.push(await EXTRA_METHODS[m](lp, { from, to, grid, json: o.json === true }));
      }
    }
  } finally {
    intr.dispose();
  }
  const out = { problem: p.name, from, to, lr: p.lr, batch: p.batch, estimates };
  if (o.json) {
    process.stdout.write(`${toJson(out)}\n`);
    return;
  }
  process.stdout.write(`${describe(out)}\n`);
}

/** Human-readable table of estimates. */
function describe(out: {
  problem: string;
  from: number[];
  to: string;
  lr: number;
  batch: number;
  estimates: Record<string, unknown>[];
}): string {
  const lines = [
    `${out.problem}: mean exit time from (${out.from.join(", ")}) into {${out.to}}  (η = ${out.lr}, B = ${out.batch}; SDE time t, iterations t/η)`,
  ];
  for (const e of out.estimates) {
    const m = String(e.method).padEnd(8);
    const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
    if (e.applicable === false && !finite(e.time) && !finite(e.lower)) {
      lines.push(`  ${m} not applicable: ${e.why}`);
    } else if (e.infinite) {
      lines.push(`  ${m} infinite: ${e.why ?? "the process cannot reach the region"}`);
    } else if (e.lower !== undefined) {
      lines.push(`  ${m} ${fmt(e.lower as number)} ≤ t ≤ ${fmt(e.upper as number)}`);
    } else if (Array.isArray(e.ci95)) {
      const ci = e.ci95 as [number, number];
      const it = e.iterations_ci95 as [number, number];
      const tag = e.censored ? `≥ ` : "";
      lines.push(
        `  ${m} t ${tag}${formatWithCi(e.time as number, ci)} = ${tag}${formatWithCi(e.iterations as number, it)} iterations` +
          `  [${e.exited}/${e.particles} exited by t = ${fmt(e.horizon as number)}${e.censored ? ", censored: a lower bound" : ""}` +
          `${(e.diverged as number) > 0 ? `, ${e.diverged} diverged` : ""}, dt = ${fmt(e.dt as number)}, 95% CI]`,
      );
      if ((e.diverged as number) > 0)
        lines.push(
          `           ${e.diverged} of ${e.particles} particles diverged before reaching the region: the statistics ` +
            "are over the others, i.e. the mean exit time given no divergence",
        );
      if (e.exponentiality)
        lines.push(`           exponentiality: ${(e.exponentiality as { verdict: string }).verdict}`);
      if (e.dt_check) {
        const c = e.dt_check as DtCheck;
        const rel = (v: number) => `${v >= 0 ? "+" : ""}${fmt((100 * v) / (e.time as number), 2)}%`;
        lines.push(
          c.not_assessable
            ? `           time-step check at dt = ${fmt(c.dt)}: not assessable (${c.not_assessable})`
            : c.significant
              ? `           time-step bias: at dt = ${fmt(c.dt)} t = ${formatWithCi(c.time, c.ci95)}; estimated bias of the value above ` +
                `${formatWithCi(c.bias_estimate, c.bias_ci95)} (${rel(c.bias_estimate)} of it), beyond the Monte Carlo error — ` +
                `extrapolated to dt → 0: ${formatWithCi(c.extrapolated, c.extrapolated_ci95)}; a smaller --dt is advised`
              : `           time-step check: at dt = ${fmt(c.dt)} t = ${formatWithCi(c.time, c.ci95)}; no bias detectable ` +
                `beyond the Monte Carlo error (difference ${formatWithCi(c.bias_estimate, c.bias_ci95)})`,
        );
      }
      if (e.stopped) lines.push("           interrupted: statistics of the particles that finished");
    } else {
      const extra =
        e.applicable === false
          ? `  (not applicable: ${e.why})`
          : e.error_estimate !== undefined
            ? `  (± ${fmt(e.error_estimate as number, 2)} ${e.method === "exact" ? "quadrature" : "grid"} error${Array.isArray(e.grid) ? `, grid ${(e.grid as number[]).join("×")}` : ""})`
            : "";
      lines.push(`  ${m} t = ${fmt(e.time as number)} = ${fmt(e.iterations as number)} iterations${extra}`);
    }
  }
  return lines.join("\n");
}
