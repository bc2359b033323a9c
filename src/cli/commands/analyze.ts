/**
 * `sgdscope analyze <problem> [--out DIR] [--json] [--quick] [--seed S] [--particles M] [--grid N]`:
 * the three questions (first stage, escape from bad minima, convergence) answered by particles, the
 * PDE generator and the landscape side by side, written as report.html + summary.json + figures + data.
 * stdout: a short plain-language answer and the report path; with --json exactly one JSON object (the summary).
 */
import { basename, dirname, extname, join, relative } from "node:path";
import type { Command } from "commander";
import { analyze } from "../../analyze/index.js";
import { loadProblem } from "../../io/load-problem.js";
import { openResultSet } from "../../io/result-set.js";
import { threadRunner } from "../../parallel/ensemble.js";
import { COMMANDS } from "../command-list.js";
import {
  checkEnsembleSize,
  checkInDomain,
  defaultThreads,
  EXIT_CODES_HELP,
  EXIT_INTERRUPTED,
  interruptFlag,
  Progress,
  parsePositiveInt,
  parseSeed,
  printText,
  requireDomain,
  stderrIsTTY,
} from "../common.js";

interface Opts {
  out?: string;
  json?: boolean;
  quick?: boolean;
  seed: string;
  particles?: string;
  grid?: string;
  threads?: string;
  png: boolean;
}

export function registerAnalyze(program: Command): void {
  program
    .command("analyze")
    .description(COMMANDS["analyze"].description)
    .argument("<problem>", "problem file (YAML or JSON)")
    .option(
      "--out <dir>",
      "folder for report.html, summary.json, figures/ and data/ (default out/<problem name>)",
    )
    .option("--json", "print exactly one JSON object on stdout: the summary (also written to summary.json)")
    .option("--quick", "small ensembles, coarse grids and short horizons: every example in a few seconds")
    .option("--seed <S>", "random seed", "1")
    .option("--particles <M>", "Monte Carlo runs per escape method (default 200 with --quick, else 2000)")
    .option("--grid <N>", "PDE grid points per axis (default: chosen from the problem)")
    .option("--threads <N>", "worker threads for the escape Monte Carlo (results do not depend on it)")
    .option("--no-png", "skip the PNG copies of the figures")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (file: string, o: Opts) => {
      await analyzeCommand(file, o);
    });
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export async function analyzeCommand(file: string, o: Opts): Promise<void> {
  const lp = loadProblem(file);
  if (!lp.problem.start) requireDomain(lp.problem, file, "analyze (or give start: [...] to search around)");
  // the grid stages and the landscape search live in the domain box: a start outside it would be ignored
  else checkInDomain(lp.problem, lp.problem.start, `${file}: start`);
  const seed = parseSeed(o.seed);
  const particles = o.particles !== undefined ? parsePositiveInt(o.particles, "--particles", 2) : undefined;
  if (particles !== undefined) checkEnsembleSize(particles, lp.problem.dim);
  const grid = o.grid !== undefined ? parsePositiveInt(o.grid, "--grid", 5) : undefined;
  const outDir = o.out ?? join("out", basename(file, extname(file)));
  const set = openResultSet(outDir);
  const args = ["sgdscope", "analyze", file];
  if (o.out !== undefined) args.push("--out", o.out);
  if (o.quick) args.push("--quick");
  if (o.seed !== "1") args.push("--seed", o.seed);
  if (o.particles !== undefined) args.push("--particles", o.particles);
  if (o.grid !== undefined) args.push("--grid", o.grid);
  if (o.json) args.push("--json");
  if (!o.png) args.push("--no-png");
  const command = args.map(quote).join(" ");
  const threads = o.threads !== undefined ? parsePositiveInt(o.threads, "--threads") : defaultThreads();
  const chatty = !o.json && stderrIsTTY();
  const t0 = Date.now();
  let bar: { label: string; p: Progress } | null = null;
  const intr = interruptFlag();
  const r = await analyze(lp.problem, {
    shouldStop: intr.stopped,
    quick: o.quick,
    seed,
    particles,
    grid,
    runner: threadRunner(lp.spec, dirname(lp.path), threads),
    onStage: chatty
      ? (s) => {
          bar?.p.stop();
          bar = null;
          process.stderr.write(`analyze: ${s} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
        }
      : undefined,
    onProgress: (label, done, total) => {
      if (bar?.label !== label) {
        bar?.p.stop();
        bar = { label, p: new Progress(`analyze: ${label}`, total, !chatty) };
      }
      bar.p.update(done);
    },
  });
  (bar as { p: Progress } | null)?.p.stop();
  intr.dispose();
  const interrupted = intr.stopped();
  if (interrupted) {
    // what finished is kept and written; the Monte Carlo estimates say how many particles they hold
    r.notes.push(
      `interrupted (Ctrl-C): what had finished is kept — a stage cut short says so above, and every Monte Carlo estimate holds only the particles that had finished (exit code ${EXIT_INTERRUPTED})`,
    );
    process.exitCode = EXIT_INTERRUPTED;
  }
  if (chatty)
    process.stderr.write(`analyze: writing the report (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  // loaded here, not at start-up: the report's plotting libraries take ~1 s to import, which every
  // other command (and every error message) would otherwise wait for
  const { describeAnalysis, writeReport } = await import("../../report/index.js");
  const w = await writeReport(r, {
    outDir: set.dir,
    command,
    problemFile: relative(process.cwd(), lp.path) || lp.path,
    problemText: lp.text,
    png: o.png,
  });
  set.commit();
  if (o.json) {
    process.stdout.write(`${JSON.stringify(w.summaryObject)}\n`);
    return;
  }
  const answers = describeAnalysis(r);
  const lines = [
    `${r.problem.name} — η = ${r.problem.lr}, B = ${r.problem.batch}, d = ${r.problem.dim} (times in SDE time t = η × iterations)`,
    "",
    `1. First stage: ${answers.drift}`,
    "",
    `2. Escape: ${answers.escape}`,
    "",
    `3. Convergence: ${answers.convergence}`,
    "",
    ...r.notes.map((n) => `note: ${n}`),
    `report: ${join(outDir, "report.html")}`,
    `summary: ${join(outDir, "summary.json")}`,
  ];
  printText(lines.join("\n"));
}
