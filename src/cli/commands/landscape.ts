/**
 * `sgdscope landscape <problem> [--json]`: critical points, symmetry classes, saddles, minimum
 * energy paths, barriers, basins, noise at each point, Eyring–Kramers exit times, OU covariances
 * and the long-time verdict.
 */

import type { Command } from "commander";
import { loadProblem } from "../../io/load-problem.js";
import { toJson } from "../../io/write.js";
import { analyseLandscape, type LandscapeReport } from "../../landscape/index.js";
import { COMMANDS } from "../command-list.js";
import { EXIT_CODES_HELP, fmt, parsePositiveInt, parseSeed, printText, requireDomain } from "../common.js";

interface Opts {
  starts?: string;
  seed: string;
  grid?: string;
  saddles: boolean;
  json?: boolean;
}

export function registerLandscape(program: Command): void {
  program
    .command("landscape")
    .description(COMMANDS["landscape"].description)
    .argument("<problem>", "problem file (YAML or JSON)")
    .option("--starts <N>", "multi-start descents over the domain (default min(400, 20·d + 20))")
    .option("--seed <S>", "random seed for the starts", "1")
    .option(
      "--grid <N>",
      "basin labels on an N-per-axis grid in 1-D/2-D (default 201 in 1-D, 41 in 2-D; 0 = none)",
    )
    .option("--no-saddles", "skip the saddle search (large d)")
    .option("--json", "print exactly one JSON object on stdout")
    .addHelpText("after", EXIT_CODES_HELP)
    .action((file: string, o: Opts) => {
      landscapeCommand(file, o);
    });
}

/**
 * Most multi-start descents: each is a gradient descent of up to a few thousand steps whose end point is
 * kept (1e9 starts exhausted the heap).
 */
export const MAX_STARTS = 100_000;

function landscapeCommand(file: string, o: Opts): void {
  const lp = loadProblem(file);
  const p = lp.problem;
  if (!p.start) requireDomain(p, file, "the landscape search (or give start: [...] to search around)");
  const r = analyseLandscape(p, {
    minima: {
      seed: parseSeed(o.seed),
      starts: o.starts !== undefined ? parsePositiveInt(o.starts, "--starts", 1, MAX_STARTS) : undefined,
      stoppable: true,
    },
    saddles: { stoppable: true },
    skipSaddles: !o.saddles,
    basinGrid:
      o.grid !== undefined
        ? o.grid === "0"
          ? undefined
          : parsePositiveInt(o.grid, "--grid", 2)
        : !p.domain.every(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
          ? undefined
          : p.dim === 1
            ? 201
            : p.dim === 2
              ? 41
              : undefined,
  });
  if (o.json) {
    process.stdout.write(`${toJson({ problem: p.name, variables: p.varNames, ...r })}\n`);
    return;
  }
  printText(describeReport(p.name, p.varNames, r));
}

const pt = (x: number[]) => `(${x.map((v) => fmt(v, 6)).join(", ")})`;

export function describeReport(name: string, vars: readonly string[], r: LandscapeReport): string {
  const L = [
    `${name}: landscape in d = ${r.dim} (${vars.join(", ")}); η = ${r.eta}, Σ_B = ${fmt(r.batchScale)}·Σ, δ = ${r.delta}`,
  ];
  L.push(
    `minima (${r.minima.length}; ${r.classes.length} up to symmetry; ${r.search.starts} starts, chance that another start finds a new one ≈ ${fmt(r.search.unseenProbability, 2)}):`,
  );
  r.minima.forEach((m, i) => {
    const cls = r.classes.find((c) => c.members.includes(i))!;
    const ev =
      m.eigenvalues.length <= 6
        ? m.eigenvalues.map((v) => fmt(v)).join(", ")
        : `${fmt(m.eigenvalues[0])} … ${fmt(m.eigenvalues[m.eigenvalues.length - 1])}`;
    const noise = m.noise
      ? m.noise.interpolating
        ? "Σ = 0 (interpolating)"
        : `tr Σ = ${fmt(m.noise.traceSigma)}, rank ${m.noise.rank}`
      : "";
    L.push(
      `  [${i}] ${pt(m.x)}  L = ${fmt(m.value, 6)}  Hessian eig ${ev}  ${noise}${cls.multiplicity > 1 ? `  (×${cls.multiplicity} symmetric copies)` : ""}${m.inDomain ? "" : "  OUTSIDE domain"}`,
    );
  });
  if (r.saddles.length) {
    L.push(`index-1 saddles (${r.saddles.length}):`);
    r.saddles.forEach((s, i) => {
      const sc = r.saddleClasses.find((c) => c.members.includes(i));
      const mult = sc && sc.multiplicity > 1 ? `  (×${sc.multiplicity} symmetric copies)` : "";
      L.push(
        `  [${i}] ${pt(s.x)}  L = ${fmt(s.value, 6)}  λ₁ = ${fmt(s.eigenvalues[0])}  joins minima ${s.connects.join(" – ")}  path: ${s.path.points.length} points, length ${fmt(s.path.arcLength[s.path.arcLength.length - 1])}${mult}`,
      );
    });
    L.push("barriers L(z) − L(m):");
    for (const b of r.barriers) L.push(`  ${b.from} → ${b.to} over saddle ${b.saddle}: ${fmt(b.height, 6)}`);
  } else if (r.minima.length > 1) L.push("no saddle found (or search skipped)");
  L.push("exit from each minimum (Eyring–Kramers, SDE time t and iterations t/η):");
  r.kramers.forEach((k, i) => {
    const t = k.infinite ? "∞" : `${fmt(k.time)} = ${fmt(k.iterations)} it.`;
    L.push(`  [${i}] ${k.applicable ? t : `${t} — not applicable`}: ${k.why}`);
  });
  L.push("OU spread at each minimum (√tr S: SDE / discrete SGD):");
  r.ou.forEach((o, i) => {
    L.push(
      `  [${i}] ${o.collapses ? "0 (collapses to the point)" : `${fmt(Math.sqrt(Math.max(0, o.sde.trace)))} / ${o.sgd.stable ? fmt(Math.sqrt(Math.max(0, o.sgd.trace))) : "unstable"}`}`,
    );
  });
  if (r.basins)
    L.push(
      `basin fractions of the grid: ${r.basins.fractions.map((f) => fmt(f, 3)).join(", ")} (last: unlabelled)`,
    );
  L.push(`verdict: ${r.verdict.sentence}`);
  L.push(`as δ → 0 (Noisy SGD): ${r.verdict.noisySgd}`);
  return L.join("\n");
}
