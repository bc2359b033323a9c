/**
 * A sweep's plan and its cells. A cell is one (η, B, δ, seed) with the methods it runs; cells are numbered in a
 * fixed order (δ outermost, then B, then η, then the seed innermost), so that every way of running the sweep —
 * one process, worker threads, shards, a queue — produces the same rows in the same order.
 */

import { UserError } from "../errors.js";
import { EXIT_METHODS, type ExitMethodName, isParticleMethod } from "../exit/index.js";

export interface SweepPlan {
  /** Learning rates η. */
  lr: number[];
  /** Batch sizes B. */
  batch: number[];
  /** Noisy-SGD δ values; null: the problem file's δ in every cell. */
  delta: number[] | null;
  /** Seeds of the Monte Carlo methods (one cell each); deterministic methods run only with the first. */
  seeds: number[];
  methods: ExitMethodName[];
  /** Particles per Monte Carlo method and cell. */
  particles: number;
  /** Monte Carlo horizon (SDE time) or "auto" (16× the first deterministic prediction in the cell). */
  horizon: number | "auto";
  /** Horizon when "auto" finds no prediction (SDE time). */
  fallbackHorizon: number;
  /** Grid points per axis of the grid methods (null: automatic). */
  grid: number | null;
  from: number[];
  to: string;
}

export interface SweepCell {
  /** Position in the sweep's order (0-based). */
  index: number;
  lr: number;
  batch: number;
  /** null: the problem file's δ. */
  delta: number | null;
  seed: number;
  /** The methods this cell runs (deterministic ones only in the first seed's cells). */
  methods: ExitMethodName[];
}

/** Every cell of the plan, in the sweep's order; cells of later seeds without particle methods are left out. */
export function sweepCells(plan: SweepPlan): SweepCell[] {
  const cells: SweepCell[] = [];
  for (const delta of plan.delta ?? [null]) {
    for (const batch of plan.batch) {
      for (const lr of plan.lr) {
        plan.seeds.forEach((seed, s) => {
          const methods = s === 0 ? [...plan.methods] : plan.methods.filter(isParticleMethod);
          if (methods.length > 0) cells.push({ index: cells.length, lr, batch, delta, seed, methods });
        });
      }
    }
  }
  return cells;
}

/** Parses "i/N" (shard i of N, 0 ≤ i < N). */
export function parseShard(text: string, flag = "--shard"): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const hint = "i/N with 0 ≤ i < N, e.g. 0/4 (Kubernetes: $JOB_COMPLETION_INDEX/N)";
  if (!m) throw new UserError(`"${text}" is not a shard`, { where: flag, hint });
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1 && index < count)) throw new UserError(`"${text}" is not a shard`, { where: flag, hint });
  return { index, count };
}

/** The cells of shard `index` of `count`: every count-th cell, so that each shard gets a mix of cheap and costly cells. */
export function shardCells(cells: readonly SweepCell[], index: number, count: number): SweepCell[] {
  return cells.filter((c) => c.index % count === index);
}

/** Checks the plan's lists and methods before any work (UserError naming the flag). */
export function checkPlan(plan: SweepPlan): void {
  if (plan.lr.length === 0) throw new UserError("no learning rate given", { where: "lr" });
  if (plan.batch.length === 0) throw new UserError("no batch size given", { where: "batch" });
  if (plan.seeds.length === 0) throw new UserError("no seed given", { where: "seeds" });
  for (const m of plan.methods)
    if (!(EXIT_METHODS as readonly string[]).includes(m))
      throw new UserError(`unknown method '${m}'`, { where: "methods", hint: EXIT_METHODS.join(", ") });
}
