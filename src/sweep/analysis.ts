/**
 * The laws a sweep tests, fitted to its table:
 * - Arrhenius / Eyring–Kramers: log T = log K + ΔL/ε (+ c·ε, the first finite-noise correction), slope against
 *   the barrier ΔL of the landscape, prefactor K against Eyring–Kramers (isotropic constant noise);
 * - log T against B/η (Xie, Sato & Sugiyama 2021: linear, slope set by the barrier and the Hessian);
 * - log T against log(B/η) where the noise is proportional to the loss (Mori et al. 2022: a power law);
 * - the SGD/SDE ratio of mean exit times against η·λ_max (where discrete SGD leaves its SDE).
 * Every fit says whether its straight law holds (curvature test) and which points it left out.
 */
import { formatNumber } from "../analysis/format.js";
import { normalQuantile } from "../analysis/intervals.js";
import type { KramersDetail } from "../exit/index.js";
import { exitTime } from "../exit/index.js";
import { symmetricEigen } from "../linalg/dense.js";
import type { Problem } from "../problem/types.js";
import type { SweepRow } from "./cell.js";
import { fitLaw, type LawFit } from "./fits.js";
import type { SweepPlan } from "./plan.js";

const fmt = (v: number, p = 4) => formatNumber(v, p);

/** Landscape facts a sweep's fits are compared with (from the problem of the sweep's first cell). */
export interface SweepContext {
  problem: string;
  noiseKind: string;
  /** Lowest barrier ΔL from the start's minimum into the target (loss units), or null with `barrierWhy`. */
  barrier: number | null;
  /** Eyring–Kramers prefactor K (SDE time) with T ≈ K·exp(ΔL/ε), ε-independent for isotropic noise. */
  ekPrefactor: number | null;
  barrierWhy: string;
  /** Largest Hessian eigenvalue at the start's minimum (or at the start), and where it was taken. */
  lambdaMax: number;
  lambdaAt: number[];
}

/** The barrier, Eyring–Kramers prefactor and λ_max of the problem (η, B of `p` only scale the prefactor's ε). */
export async function sweepContext(p: Problem, plan: SweepPlan): Promise<SweepContext> {
  let barrier: number | null = null;
  let ek: number | null = null;
  let why = "";
  let at = [...plan.from];
  try {
    const r = await exitTime(p, { from: plan.from, to: plan.to }, { methods: ["kramers"] });
    const e = r.estimates[0];
    const d = e.detail as KramersDetail | null;
    if (d?.kind === "kramers") {
      barrier = d.barrier;
      at = [...d.minimum];
      if (e.status === "estimate" && e.time !== null && d.epsilon !== undefined && d.epsilon > 0)
        ek = e.time * Math.exp(-d.barrier / d.epsilon);
      else why = `no Eyring–Kramers prefactor: ${e.reason ?? e.status}`;
    } else why = `no barrier: ${e.reason ?? e.status}`;
  } catch (err) {
    why = `no barrier: ${(err as Error).message}`;
  }
  const d = p.dim;
  const h = new Float64Array(d * d);
  p.loss.hessian(Float64Array.from(at), h);
  const ev = symmetricEigen(h, d).values;
  return {
    problem: p.name,
    noiseKind: p.noise.kind,
    barrier,
    ekPrefactor: ek,
    barrierWhy: why,
    lambdaMax: ev[d - 1],
    lambdaAt: at,
  };
}

/** A fitted law with its reading in words. */
export interface LawResult {
  method: string;
  law: "arrhenius" | "batch-over-lr" | "power";
  x: number[];
  y: number[];
  fit: LawFit;
  /** exp(intercept) with interval (Arrhenius: the prefactor K, SDE time). */
  prefactor?: { value: number; ci: [number, number] };
  text: string;
}

export interface RatioPoint {
  lr: number;
  batch: number;
  seed: number;
  x: number;
  ratio: number;
  ci: [number, number];
}

export interface SweepAnalysis {
  laws: LawResult[];
  /** SGD/SDE mean-exit-time ratio against η·λ_max (cells where both are estimates). */
  ratio: RatioPoint[];
  ratioText: string;
  /** Things the reader must know (lower bounds left out, laws that could not be fitted). */
  notes: string[];
}

const usable = (r: SweepRow) => r.status === "estimate" && Number.isFinite(r.time) && r.time > 0;

function lawText(
  name: string,
  f: LawFit,
  what: string,
  slopeName: string,
  compare: { value: number; name: string } | null,
): string {
  const s = `${slopeName} = ${fmt(f.slope)} [${fmt(f.slopeCi[0])}, ${fmt(f.slopeCi[1])}] (95%, ${f.n} points)`;
  const cmp = compare
    ? f.slopeCi[0] <= compare.value && compare.value <= f.slopeCi[1]
      ? `; the ${compare.name} ${fmt(compare.value)} lies inside this interval`
      : `; the ${compare.name} ${fmt(compare.value)} lies OUTSIDE this interval`
    : "";
  const curv =
    f.curved === null
      ? " Too few points (< 4) to test for curvature."
      : f.curvature
        ? ` The straight law does not hold over this range: the curvature term is significant (p = ${fmt(f.curvatureP, 2)}; straight-line slope ${fmt(f.line.coef[1])}, residual rms ${fmt(f.line.rms, 2)}), so the slope is that of the fit with the ${what} term.`
        : ` No significant curvature (p = ${fmt(f.curvatureP, 2)}); residual rms ${fmt(f.line.rms, 2)} in log T.`;
  return `${name}: ${s}${cmp}.${curv}${f.excluded.length ? ` Left out: ${f.excluded.join("; ")}.` : ""}`;
}

/** Fits every law that applies to the table, per method. */
export function analyzeSweep(rows: readonly SweepRow[], plan: SweepPlan, ctx: SweepContext): SweepAnalysis {
  const laws: LawResult[] = [];
  const notes: string[] = [];
  for (const m of plan.methods) {
    const mine = rows.filter((r) => r.method === m);
    const ok = mine.filter(usable);
    const lb = mine.filter((r) => r.status === "lower-bound").length;
    const other = mine.length - ok.length - lb;
    const excluded: string[] = [];
    if (lb > 0) excluded.push(`${lb} censored cells (lower bounds only: raise --particles or --max-time)`);
    if (other > 0) excluded.push(`${other} cells without an estimate (failed, infinite or not applicable)`);
    if (ok.length < 3) {
      if (mine.length > 0 && ok.length < mine.length)
        notes.push(
          `${m}: only ${ok.length} cells with an estimate; no law fitted.${excluded.length ? ` (${excluded.join("; ")})` : ""}`,
        );
      continue;
    }
    const y = ok.map((r) => Math.log(r.time));
    // Arrhenius in 1/ε
    if (ok.every((r) => Number.isFinite(r.epsilon) && r.epsilon > 0)) {
      const x = ok.map((r) => 1 / r.epsilon);
      if (new Set(x).size >= 3) {
        const f = fitLaw(x, y, (v) => 1 / v, excluded);
        if (f) {
          const pref = {
            value: Math.exp(f.intercept),
            ci: [Math.exp(f.interceptCi[0]), Math.exp(f.interceptCi[1])] as [number, number],
          };
          const ek =
            ctx.ekPrefactor !== null
              ? pref.ci[0] <= ctx.ekPrefactor && ctx.ekPrefactor <= pref.ci[1]
                ? ` Prefactor K = ${fmt(pref.value)} [${fmt(pref.ci[0])}, ${fmt(pref.ci[1])}] (SDE time); Eyring–Kramers ${fmt(ctx.ekPrefactor)} lies inside.`
                : ` Prefactor K = ${fmt(pref.value)} [${fmt(pref.ci[0])}, ${fmt(pref.ci[1])}] (SDE time); Eyring–Kramers ${fmt(ctx.ekPrefactor)} lies outside.`
              : ` Prefactor K = ${fmt(pref.value)} [${fmt(pref.ci[0])}, ${fmt(pref.ci[1])}] (SDE time)${ctx.barrierWhy ? `; ${ctx.barrierWhy}` : ""}.`;
          const text =
            lawText(
              `${m}, log T against 1/ε (Arrhenius)`,
              f,
              "first-order ε",
              "barrier (slope)",
              ctx.barrier !== null ? { value: ctx.barrier, name: "landscape barrier ΔL" } : null,
            ) + ek;
          laws.push({ method: m, law: "arrhenius", x, y, fit: f, prefactor: pref, text });
        }
      }
    } else if (m === plan.methods[0]) {
      notes.push(
        "No Arrhenius fit in 1/ε: the noise is not isotropic and constant, so ε (A = 2εI) is not defined; see log T against B/η.",
      );
    }
    // log T against B/η
    const xb = ok.map((r) => r.batch / r.lr);
    if (new Set(xb).size >= 3) {
      const f = fitLaw(xb, y, (v) => v * v, excluded);
      if (f)
        laws.push({
          method: m,
          law: "batch-over-lr",
          x: xb,
          y,
          fit: f,
          text:
            lawText(`${m}, log T against B/η`, f, "(B/η)²", "slope", null) +
            (ok.some((r) => r.delta > 0) ? " Some cells have δ > 0, which this law does not model." : ""),
        });
    }
    // power law when the noise is proportional to the loss
    if (ctx.noiseKind === "loss") {
      const xl = xb.map(Math.log);
      if (new Set(xl).size >= 3) {
        const f = fitLaw(xl, y, (v) => v * v, excluded);
        if (f)
          laws.push({
            method: m,
            law: "power",
            x: xl,
            y,
            fit: f,
            text: lawText(
              `${m}, log T against log(B/η) (power law, loss-proportional noise)`,
              f,
              "log² (B/η)",
              "exponent",
              null,
            ),
          });
      }
    }
  }
  // SGD/SDE ratio
  const ratio: RatioPoint[] = [];
  const z = normalQuantile(0.975);
  const byCell = new Map<number, SweepRow[]>();
  for (const r of rows) byCell.set(r.cell, [...(byCell.get(r.cell) ?? []), r]);
  for (const rs of byCell.values()) {
    const a = rs.find((r) => r.method === "sgd" && usable(r) && r.intervalKind === "ci95");
    const b = rs.find((r) => r.method === "sde" && usable(r) && r.intervalKind === "ci95");
    if (!a || !b) continue;
    const sa = (a.high - a.low) / (2 * z * a.time);
    const sb = (b.high - b.low) / (2 * z * b.time);
    const lr = Math.log(a.time / b.time);
    const se = Math.sqrt(sa * sa + sb * sb);
    ratio.push({
      lr: a.lr,
      batch: a.batch,
      seed: a.seed,
      x: a.lr * ctx.lambdaMax,
      ratio: Math.exp(lr),
      ci: [Math.exp(lr - z * se), Math.exp(lr + z * se)],
    });
  }
  let ratioText = "";
  if (ratio.length > 0) {
    const off = ratio.filter((p) => p.ci[0] > 1 || p.ci[1] < 1);
    ratioText =
      `SGD/SDE mean-exit-time ratio in ${ratio.length} cells (95% intervals from both Monte Carlo intervals, independent runs), ` +
      `η·λ_max from ${fmt(Math.min(...ratio.map((p) => p.x)))} to ${fmt(Math.max(...ratio.map((p) => p.x)))} ` +
      `(λ_max = ${fmt(ctx.lambdaMax)} at (${ctx.lambdaAt.map((v) => fmt(v)).join(", ")})): ` +
      (off.length === 0
        ? "every interval contains 1 — no detectable difference between SGD and its SDE."
        : `the interval excludes 1 in ${off.length} cells, first at η·λ_max = ${fmt(Math.min(...off.map((p) => p.x)))}.`);
  } else if (plan.methods.includes("sgd") && plan.methods.includes("sde"))
    ratioText = "No cell has both an SGD and an SDE estimate (censored or failed), so no ratio.";
  return { laws, ratio, ratioText, notes };
}
