/**
 * analyze, stage 3 — escapes: which starts and targets to analyse (the problem's own start and target first, then
 * each non-global minimum towards balls around the minima its saddles lead to), each run through the exit-time
 * engine by every applicable method (escape.ts).
 */
import { formatNumber as fmt } from "../analysis/format.js";
import type { EnsembleRunner, TransitionPath } from "../exit/index.js";
import type { Problem } from "../problem/types.js";
import { analyseEscape, type EscapeResult, type EscapeSetup } from "./escape.js";
import type { LandscapeStage } from "./landscape-stage.js";
import type { AnalyzePolicy } from "./policy.js";

/** 6 significant digits: the ball is an approximate neighbourhood, and the expression (as written) is the target. */
const num = (v: number) => {
  const t = String(Number(v.toPrecision(6)));
  return v < 0 ? `(${t})` : t;
};
function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
/** "|x − c|² < r²" in the problem's variables. */
function ballExpr(vars: readonly string[], c: readonly number[], r: number): string {
  return `${vars.map((v, i) => `(${v} - ${num(c[i])})^2`).join(" + ")} < ${num(r * r)}`;
}

/** The escapes worth analysing, with the notes that explain what was skipped. */
export function escapeSetups(
  p: Problem,
  pol: AnalyzePolicy,
  land: LandscapeStage,
  captureRadius: number,
): { setups: EscapeSetup[]; notes: string[] } {
  const { minima, saddles, info, classes } = land;
  const notes: string[] = [];
  const setups: EscapeSetup[] = [];
  const repOf = new Set(classes.map((c) => c.representative));
  const nonGlobal = info.filter((m) => !m.global && repOf.has(m.index));
  for (const m of info)
    if (m.interpolating && m.global && minima.length > 1)
      notes.push(
        `minimum ${m.index} is interpolating (Σ = 0 there): SGD started at it never leaves, so no escape from it is simulated`,
      );
  let escapeFrom = nonGlobal.map((m) => m.index);
  if (
    escapeFrom.length === 0 &&
    minima.length > 1 &&
    saddles.length > 0 &&
    !(p.start && p.target) &&
    !info[0].interpolating
  ) {
    escapeFrom = [0];
    notes.push("every minimum is global (equally deep): escape is analysed from minimum 0");
  }
  if (escapeFrom.length > pol.maxEscapes) {
    notes.push(`${escapeFrom.length} non-global minima; escapes analysed from the ${pol.maxEscapes} lowest`);
    escapeFrom = escapeFrom.slice(0, pol.maxEscapes);
  }
  if (p.start && p.target) {
    // the problem's own question first
    const mi = minima.findIndex((m) => dist(m.x, p.start as number[]) <= 1e-3 * Math.max(1, captureRadius));
    setups.push({
      label: "problem start",
      from: Array.from(p.start),
      fromMinimum: mi >= 0 ? mi : null,
      target: p.target,
      targetWhy: `the problem's target "${p.target}"`,
      etaLambdaMax: mi >= 0 ? p.lr * info[mi].lambdaMax : Number.NaN,
    });
  }
  /** The MEP through the lowest saddle of minimum i, oriented to start at i (null when none). */
  const pathFrom = (i: number): TransitionPath | null => {
    const cands = saddles.filter((z) => z.connects.includes(i) && z.connects[0] !== z.connects[1]);
    if (!cands.length) return null;
    const z = cands.reduce((b, c) => (c.value < b.value ? c : b));
    let pts = z.path.points;
    let vals = z.path.values;
    let si = z.path.saddleIndex;
    if (dist(pts[0], minima[i].x) > dist(pts[pts.length - 1], minima[i].x)) {
      pts = [...pts].reverse();
      vals = [...vals].reverse();
      si = pts.length - 1 - si;
    }
    return { points: pts, values: vals, saddleIndex: si };
  };
  for (const i of escapeFrom) {
    if (setups.some((s) => s.fromMinimum === i)) continue;
    const connected = saddles
      .filter((s) => s.connects.includes(i))
      .flatMap((s) => s.connects)
      .filter((j) => j !== i && j >= 0);
    const others = (
      connected.length ? [...new Set(connected)] : minima.map((_, j) => j).filter((j) => j !== i)
    ).sort((a, b) => a - b);
    if (others.length === 0) continue;
    const balls = others.map((j) => {
      const ds = [dist(minima[j].x, minima[i].x), ...saddles.map((s) => dist(minima[j].x, s.x))];
      const r = 0.5 * Math.min(...ds);
      return { j, r, expr: ballExpr(p.varNames, minima[j].x, r) };
    });
    setups.push({
      label: `minimum ${i}`,
      from: minima[i].x,
      fromMinimum: i,
      target: balls.map((b) => (balls.length > 1 ? `(${b.expr})` : b.expr)).join(" || "),
      targetWhy:
        balls.length <= 4
          ? `${balls.length > 1 ? "balls" : "a ball"} of radius ${[...new Set(balls.map((b) => fmt(b.r)))].join("/")} around ${balls.length > 1 ? "minima" : "minimum"} ${balls.map((b) => b.j).join(", ")}`
          : `balls around ${balls.length} other minima (radii ${fmt(Math.min(...balls.map((b) => b.r)))}–${fmt(Math.max(...balls.map((b) => b.r)))}, half the distance to the nearest other critical point)`,
      etaLambdaMax: p.lr * info[i].lambdaMax,
      path: pathFrom(i),
    });
  }
  return { setups, notes };
}

export interface EscapeStageOptions {
  gridOk: boolean;
  fallbackHorizon: number;
  runner?: EnsembleRunner;
  shouldStop?: () => boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** Every escape by every applicable method. */
export async function escapeStage(
  p: Problem,
  pol: AnalyzePolicy,
  land: LandscapeStage,
  setups: EscapeSetup[],
  o: EscapeStageOptions,
): Promise<EscapeResult[]> {
  const out: EscapeResult[] = [];
  for (const [k, s] of setups.entries())
    out.push(
      await analyseEscape(p, s, {
        particles: pol.particles,
        seed: pol.seed + 100 + k,
        budget: pol.escapeBudget,
        grid: pol.escapeGrid,
        pdeSeconds: pol.escapePdeSeconds,
        pde: o.gridOk,
        fallbackHorizon: o.fallbackHorizon,
        landscape: { minima: land.minima, saddles: land.saddles },
        runner: o.runner,
        shouldStop: o.shouldStop,
        onProgress: o.onProgress
          ? (label, done, total) => o.onProgress?.(`${s.label}: ${label}`, done, total)
          : undefined,
      }),
    );
  return out;
}
