/**
 * The page's problem: the problem file's text (YAML/JSON, as in the CLI) with the sliders' overrides (η, B, δ,
 * noise model) applied, turned into a `Problem` by the core's own parser — so every error is the CLI's located
 * `UserError` ("problem: loss: unknown function 'foo' at column 7 …"). Nothing is evaluated before it parses.
 */
import { UserError } from "../../src/errors.js";
import { compileRegion, type Problem, problemFromSpec } from "../../src/problem/index.js";
import { parseProblemText as parseText } from "../../src/problem/parse-text.js";

/** Noise models the selector offers besides the file's own. */
export const NOISE_CHOICES = {
  file: "as in the problem file",
  "isotropic:1": "isotropic, σ² = 1",
  "isotropic:0.25": "isotropic, σ² = 0.25",
  "hessian:1": "Hessian-shaped, Σ = ∇²L",
  "loss:1": "loss-shaped, Σ = L·I",
} as const;
export type NoiseChoice = keyof typeof NOISE_CHOICES;

export interface Overrides {
  lr: number;
  batch: number;
  delta: number;
  noise: NoiseChoice;
}

/**
 * The problem text as a mapping of keys: the core's own parser (`problem/parse-text.ts`, the CLI's), so a syntax
 * error has the CLI's line and column.
 */
export function parseProblemText(text: string): Record<string, unknown> {
  const v = parseText(text, "problem");
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new UserError("must be a mapping of keys (name, loss, noise, lr, batch, domain, ...)", {
      where: "problem",
    });
  return v as Record<string, unknown>;
}

/** The spec the sliders describe: the file's keys with lr, batch, delta and (unless "file") noise replaced. */
export function specWithOverrides(text: string, o: Overrides): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    ...parseProblemText(text),
    lr: o.lr,
    batch: o.batch,
    delta: o.delta,
  };
  if (o.noise !== "file") {
    const [kind, value] = o.noise.split(":");
    spec.noise = { [kind]: Number(value) };
  }
  return spec;
}

/** What the page can show: 1-D or 2-D problems with a bounded domain; otherwise a UserError saying why. */
export function checkExplorable(p: Problem): void {
  if (p.dim > 2)
    throw new UserError(
      `the explorable draws 1-D and 2-D problems; this one has d = ${p.dim} (use the CLI's analyze)`,
      { where: "problem" },
    );
  if (!p.domain.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi)))
    throw new UserError("give a bounded `domain` box: the page draws and grids it", {
      where: "problem: domain",
    });
}

/** Validates everything the page will run, before any work: the problem, the start point and the target. */
export function buildProblem(
  text: string,
  o: Overrides,
  start: readonly number[] | null,
  target: string,
): Problem {
  const p = problemFromSpec(specWithOverrides(text, o));
  checkExplorable(p);
  if (start) {
    if (start.length !== p.dim)
      throw new UserError(`the start point has ${start.length} coordinates, the problem has ${p.dim}`, {
        where: "start",
      });
    p.domain.forEach(([lo, hi], k) => {
      if (!(start[k] >= lo && start[k] <= hi))
        throw new UserError(`${p.varNames[k]} = ${start[k]} is outside the domain [${lo}, ${hi}]`, {
          where: "start",
        });
    });
  }
  if (target.trim() !== "") compileRegion(target, p.varNames, "target");
  return p;
}

/** A UserError (or any error) as {message, where} for display. */
export function errorInfo(e: unknown): { message: string; where: string | null; user: boolean } {
  if (e instanceof UserError) return { message: e.message, where: e.where ?? null, user: true };
  return { message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), where: null, user: false };
}
