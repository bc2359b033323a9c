/**
 * Views of the engine's exit-time estimates for the report: which ones carry a number, the survival curve of a
 * Monte Carlo run (subsampled for plots and summary.json), and the JSON form without bulk arrays.
 */
import type { ExitEstimate } from "../exit/index.js";

/** The estimate carries a number to show (a value, a censored lower bound or a bracket). */
export function hasValue(e: ExitEstimate): boolean {
  return e.status === "estimate" || e.status === "lower-bound" || e.status === "bracket";
}

/** P(τ > t) of a Monte Carlo estimate at ≤ max points (Kaplan–Meier when censored, else 1 − ECDF); null otherwise. */
export function survivalOf(e: ExitEstimate, max = 200): { t: number[]; s: number[] } | null {
  if (e.detail?.kind !== "monte-carlo") return null;
  const st = e.detail.stats;
  const t = st.survival ? st.survival.time : st.ecdf.time;
  const s = st.survival ? st.survival.survival : st.ecdf.cdf.map((c) => 1 - c);
  const n = t.length;
  const step = Math.max(1, Math.ceil(n / max));
  const ot: number[] = [];
  const os: number[] = [];
  for (let i = 0; i < n; i += step) {
    ot.push(t[i]);
    os.push(s[i]);
  }
  if (n > 0 && (n - 1) % step !== 0) {
    ot.push(t[n - 1]);
    os.push(s[n - 1]);
  }
  return { t: ot, s: os };
}

/** The estimate as summary.json holds it: per-particle times and full statistics replaced by the survival curve. */
export function estimateSummary(e: ExitEstimate): Record<string, unknown> {
  if (e.detail?.kind !== "monte-carlo") return { ...e };
  const { exitTimes: _x, stats: _s, ...detail } = e.detail;
  return { ...e, detail: { ...detail, survival: survivalOf(e) } };
}
