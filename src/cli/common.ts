/**
 * Shared CLI plumbing: argument parsing with clear errors, progress bars on stderr, Ctrl-C handling.
 */
import { availableParallelism } from "node:os";
import cliProgress from "cli-progress";
import { findRawValueWords, readableText } from "../analysis/format.js";
import { UserError } from "../errors.js";
import type { ExitMethodName } from "../exit/index.js";
import { type LoadedProblem, loadProblem } from "../io/load-problem.js";
import { checkFiniteLoss } from "../problem/build.js";
import { parseDecimal } from "../problem/decimal.js";
import type { Problem } from "../problem/types.js";
import { installStopCheck } from "../stop.js";
import { terminalSafe } from "./terminal.js";

const decimal = parseDecimal;

import { EXIT_INTERRUPTED } from "./exit-codes.js";

export { EXIT_CODES_HELP, EXIT_INTERRUPTED } from "./exit-codes.js";

/** Most steps of one run: step counters are 32-bit. */
export const MAX_STEPS = 2 ** 31 - 1;

/** Largest memory a particle run may ask for (positions, snapshots): 4 GB. */
export const MAX_ENSEMBLE_BYTES = 4e9;

/** Parses "a,b,c" into d finite numbers. */
export function parsePoint(s: string, d: number, flag: string): number[] {
  const parts = s.split(",").map((t) => t.trim());
  const v = parts.map(decimal);
  if (parts.some((t) => t === "") || v.some((x) => !Number.isFinite(x))) {
    throw new UserError(`"${s}" is not a point`, {
      where: flag,
      hint: `${d} comma-separated numbers, e.g. ${Array(d).fill("0").join(",")}`,
    });
  }
  if (v.length !== d) {
    throw new UserError(`"${s}" has ${v.length} coordinate(s) but the problem has dimension ${d}`, {
      where: flag,
    });
  }
  return v;
}

export function parsePositiveInt(
  s: string | number,
  flag: string,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = decimal(s);
  if (!Number.isInteger(v) || v < min)
    throw new UserError(`"${s}" is not a whole number ≥ ${min}`, { where: flag });
  if (v > max) throw new UserError(`${s} is too large`, { where: flag, hint: `at most ${max}` });
  return v;
}

export function parsePositive(s: string | number, flag: string): number {
  const v = decimal(s);
  if (!(v > 0) || !Number.isFinite(v))
    throw new UserError(`"${s}" is not a positive number`, { where: flag });
  return v;
}

/**
 * Number of steps of size h that cover the horizon T (SDE time); a UserError naming `flag` beyond MAX_STEPS
 * or when T is shorter than one step (a run of 0 steps would print the start as a result). `step` says what
 * h is (e.g. "η = 0.1").
 */
export function stepsFor(T: number, h: number, flag: string, step = `${h}`): number {
  const steps = Math.ceil(T / h - 1e-9);
  if (!(steps >= 1)) {
    throw new UserError(`a horizon of ${T} (SDE time) is shorter than one step of ${step}: 0 steps`, {
      where: flag,
      hint: `a horizon of at least ${h}, or a smaller step (the learning rate lr of the problem, or --dt for the SDEs)`,
    });
  }
  if (!(steps <= MAX_STEPS)) {
    throw new UserError(`a horizon of ${T} in steps of ${h} is ${steps.toExponential(2)} steps`, {
      where: flag,
      hint: `at most ${MAX_STEPS} steps: a shorter horizon or a larger step`,
    });
  }
  return steps;
}

/**
 * Rejects ensembles whose arrays (positions and `snapshots` copies of them) would exceed
 * MAX_ENSEMBLE_BYTES, before anything is allocated.
 */
export function checkEnsembleSize(particles: number, dim: number, snapshots = 0): void {
  const bytes = particles * (dim * (snapshots + 2) + 4) * 8;
  if (bytes > MAX_ENSEMBLE_BYTES || particles > 2 ** 31 - 1) {
    const what = snapshots > 0 ? ` × ${snapshots} snapshots` : "";
    throw new UserError(
      `${particles} particles${what} in dimension ${dim} need about ${(bytes / 1e9).toPrecision(3)} GB`,
      {
        where: "--particles",
        hint: `at most ${(MAX_ENSEMBLE_BYTES / 1e9).toFixed(0)} GB: fewer particles${snapshots > 0 ? " or --snapshots" : ""}`,
      },
    );
  }
}

/** The loss and its gradient must be finite at a start point given on the command line. */
export function checkStart(problem: Problem, x: readonly number[], flag: string): void {
  checkFiniteLoss(problem.loss, Float64Array.from(x), flag, "the start point");
}

/** A grid method's start point must lie in the (finite) domain box. */
export function checkInDomain(problem: Problem, x: readonly number[], flag: string): void {
  problem.domain.forEach(([lo, hi], i) => {
    if (Number.isFinite(lo) && Number.isFinite(hi) && !(x[i] >= lo && x[i] <= hi)) {
      throw new UserError(
        `coordinate ${problem.varNames[i]} = ${x[i]} of the start point is outside the domain [${lo}, ${hi}]`,
        { where: flag, hint: "a start point inside the problem's domain box" },
      );
    }
  });
}

/** Grid methods need a bounded box: a UserError naming the problem file's `domain` otherwise. */
export function requireDomain(problem: Problem, file: string, what: string): void {
  if (problem.domain.some(([lo, hi]) => !Number.isFinite(lo) || !Number.isFinite(hi))) {
    throw new UserError(`is required for ${what}`, {
      where: `${file}: domain`,
      hint: "a box, one [lo, hi] per dimension, e.g. domain: [[-3, 3]]",
    });
  }
}

/**
 * A command that works on a grid: dimension ≤ 3 first (adding a domain would not help beyond), then the
 * domain box.
 */
export function requireGrid(problem: Problem, file: string, what: string): void {
  if (problem.dim > 3) {
    throw new UserError(`${what} needs dimension d ≤ 3, this problem has d = ${problem.dim}`, {
      where: file,
      hint: "particles (simulate, exit-time --method sgd,sde) or the landscape for d > 3",
    });
  }
  requireDomain(problem, file, what);
}

export function parseSeed(s: string | number): number {
  const v = decimal(s);
  if (!Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    throw new UserError(`"${s}" is not a whole number in 0..2^53−1`, { where: "--seed" });
  }
  return v;
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** The start point: --from, else the problem's `start`. */
export function startPoint(problem: Problem, from: string | undefined): number[] {
  if (from !== undefined) {
    const x = parsePoint(from, problem.dim, "--from");
    checkStart(problem, x, "--from");
    return x;
  }
  if (problem.start) return [...problem.start];
  throw new UserError("no start point", {
    where: "--from",
    hint: "--from POINT, or start: [...] in the problem file",
  });
}

/**
 * A progress bar on stderr that appears only for work lasting more than a second, and never in --json
 * mode or when stderr is not a terminal.
 */
export class Progress {
  private bar?: cliProgress.SingleBar;
  private readonly t0 = Date.now();
  private readonly enabled: boolean;
  constructor(
    private readonly label: string,
    private readonly total: number,
    quiet: boolean,
  ) {
    this.enabled = !quiet && stderrIsTTY();
  }
  update(done: number): void {
    if (!this.enabled) return;
    if (!this.bar && Date.now() - this.t0 > 1000) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${this.label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
          hideCursor: true,
          // in the CLI worker thread stderr is a pipe to the main thread's terminal
          noTTYOutput: external !== null,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, done);
    }
    this.bar?.update(done);
  }
  stop(): void {
    this.bar?.stop();
  }
}

/** The stop flag of the CLI worker thread (launch.ts) and whether the user's stderr is a terminal; else null. */
let external: { stopped: () => boolean; tty: boolean } | null = null;

/** In the CLI worker thread: Ctrl-C reaches the command as `stopped()` (a flag the main thread sets). */
export function useExternalStop(stopped: () => boolean, stderrTTY: boolean): void {
  external = { stopped, tty: stderrTTY };
}

/** Whether the user's stderr is a terminal (in the CLI worker thread: the main thread's). */
export function stderrIsTTY(): boolean {
  return external !== null ? external.tty : process.stderr.isTTY === true;
}

/**
 * Ctrl-C: the first press asks running work to stop and keep what finished; the second exits. In the CLI
 * worker thread the main thread handles the signal and the flag is the one it sets; in-process, a SIGINT
 * listener sets it, and it is also the core's stop check (src/stop.ts) until `dispose`.
 */
export function interruptFlag(): { stopped: () => boolean; dispose: () => void } {
  if (external !== null) return { stopped: external.stopped, dispose: () => {} };
  let hit = false;
  const onSig = () => {
    if (hit) process.exit(EXIT_INTERRUPTED);
    hit = true;
    process.stderr.write(
      "\nstopping: finishing the particles in flight and keeping what is done (Ctrl-C again to abort)\n",
    );
  };
  process.on("SIGINT", onSig);
  const restore = installStopCheck(() => hit);
  return {
    stopped: () => hit,
    dispose: () => {
      process.off("SIGINT", onSig);
      restore();
    },
  };
}

/**
 * Writes human-readable text (one or more lines) on stdout, made terminal-safe, with any raw `NaN`, `Infinity`,
 * `undefined` or `[object …]` written as words (readableText). With SGDSCOPE_STRICT_TEXT=1 (the tests) such a
 * word is an internal error instead, so that the place that printed it is found and fixed.
 */
export function printText(s: string): void {
  if (process.env.SGDSCOPE_STRICT_TEXT === "1") {
    const raw = findRawValueWords(s);
    if (raw.length > 0) throw new Error(`raw value words in human-readable text: ${JSON.stringify(raw)}`);
  }
  process.stdout.write(`${terminalSafe(readableText(s))}\n`);
}

/** Significant digits for printing. */
export function fmt(v: number, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "n/a";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  return Number(v.toPrecision(digits)).toString();
}

/**
 * The flags `exit-time` and `sweep` share, read and checked before any work: the problem file, the start point
 * (`--from`, else the file's `start`), the target (`--to`, else the file's `target`), the methods and the
 * particle count (checked against memory).
 */
export function exitQueryFromFlags(
  file: string,
  o: { from?: string; to?: string; method: string; particles: string },
): {
  lp: LoadedProblem;
  p: Problem;
  from: number[];
  to: string;
  methods: ExitMethodName[];
  particles: number;
} {
  const lp = loadProblem(file);
  const p = lp.problem;
  const from = startPoint(p, o.from);
  const to = o.to ?? p.target;
  if (!to)
    throw new UserError("no target region", {
      where: "--to",
      hint: 'a condition such as "x > 0", or target: in the problem file',
    });
  const methods = o.method
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean) as ExitMethodName[];
  const particles = parsePositiveInt(o.particles, "--particles");
  checkEnsembleSize(particles, p.dim);
  return { lp, p, from, to, methods, particles };
}
