/**
 * Writes a finished sweep: sweep.csv, sweep.arrow, sweep-fits.json, sweep.html (all reproducible: the same
 * bytes for any number of workers, shards or queue workers) and timings.csv (wall times, not reproducible).
 */
import { join } from "node:path";
import { writeSweepTable, writeTimings } from "../io/sweep-files.js";
import { writeFileAtomic, writeJson } from "../io/write.js";
import {
  analyzeSweep,
  type CellResult,
  type SweepAnalysis,
  type SweepContext,
  type SweepPlan,
} from "../sweep/index.js";
import { sweepHtml } from "./sweep-page.js";

/** The fits as JSON (snake_case), for scripts and tests. */
export function fitsJson(a: SweepAnalysis, ctx: SweepContext): unknown {
  return {
    context: {
      problem: ctx.problem,
      barrier: ctx.barrier,
      ek_prefactor: ctx.ekPrefactor,
      barrier_note: ctx.barrierWhy,
      lambda_max: ctx.lambdaMax,
      lambda_at: ctx.lambdaAt,
    },
    laws: a.laws.map((l) => ({
      method: l.method,
      law: l.law,
      points: l.fit.n,
      slope: l.fit.slope,
      slope_ci95: l.fit.slopeCi,
      intercept: l.fit.intercept,
      intercept_ci95: l.fit.interceptCi,
      prefactor: l.prefactor?.value ?? null,
      prefactor_ci95: l.prefactor?.ci ?? null,
      fit_used: l.fit.chosen,
      curvature_p: l.fit.curvatureP,
      curvature_significant: l.fit.curvature,
      straight_slope: l.fit.line.coef[1],
      straight_slope_ci95: l.fit.line.ci[1],
      residual_rms: l.fit.line.rms,
      left_out: l.fit.excluded,
      text: l.text,
    })),
    ratio: a.ratio.map((p) => ({
      lr: p.lr,
      batch: p.batch,
      seed: p.seed,
      eta_lambda_max: p.x,
      ratio: p.ratio,
      ci95: p.ci,
    })),
    ratio_text: a.ratioText,
    notes: a.notes,
  };
}

/** Writes every output of a sweep into `dir`; `results` in any order (sorted by cell here). */
export async function writeSweepResult(
  dir: string,
  problemFile: string,
  plan: SweepPlan,
  ctx: SweepContext,
  results: readonly CellResult[],
): Promise<SweepAnalysis> {
  const sorted = [...results].sort((a, b) => a.cell - b.cell);
  const rows = sorted.flatMap((c) => c.rows);
  const a = analyzeSweep(rows, plan, ctx);
  writeSweepTable(dir, rows);
  writeTimings(dir, sorted);
  writeJson(join(dir, "sweep-fits.json"), fitsJson(a, ctx));
  writeFileAtomic(join(dir, "sweep.html"), await sweepHtml(rows, plan, ctx, a, problemFile));
  return a;
}
