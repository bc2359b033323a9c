/**
 * Shared CLI plumbing: argument parsing with clear errors, progress bars on stderr, Ctrl-C handling.
 */
import { availableParallelism } from "node:os";
import cliProgress from "cli-progress";
import { UserError } from "../errors.js";
import type { Problem } from "../problem/types.js";

/** Parses "a,b,c" into d finite numbers. */
export function parsePoint(s: string, d: number, flag: string): number[] {
  const parts = s.split(",").map((t) => t.trim());
  const v = parts.map(Number);
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

export function parsePositiveInt(s: string | number, flag: string, min = 1): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < min)
    throw new UserError(`"${s}" is not a whole number ≥ ${min}`, { where: flag });
  return v;
}

export function parsePositive(s: string | number, flag: string): number {
  const v = Number(s);
  if (!(v > 0) || !Number.isFinite(v))
    throw new UserError(`"${s}" is not a positive number`, { where: flag });
  return v;
}

export function parseSeed(s: string | number): number {
  const v = Number(s);
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
  if (from !== undefined) return parsePoint(from, problem.dim, "--from");
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
    this.enabled = !quiet && process.stderr.isTTY === true;
  }
  update(done: number): void {
    if (!this.enabled) return;
    if (!this.bar && Date.now() - this.t0 > 1000) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${this.label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
          hideCursor: true,
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

/** Ctrl-C: the first press asks running work to stop and keep what finished; the second exits. */
export function interruptFlag(): { stopped: () => boolean; dispose: () => void } {
  let hit = false;
  const onSig = () => {
    if (hit) process.exit(130);
    hit = true;
    process.stderr.write(
      "\nstopping: finishing the particles in flight and keeping what is done (Ctrl-C again to abort)\n",
    );
  };
  process.on("SIGINT", onSig);
  return { stopped: () => hit, dispose: () => process.off("SIGINT", onSig) };
}

/** Significant digits for printing. */
export function fmt(v: number, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "n/a";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  return Number(v.toPrecision(digits)).toString();
}
