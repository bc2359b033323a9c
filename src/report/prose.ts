/**
 * The words of the report: the three answers (first stage, escape, convergence), one sentence per escape and an
 * explanation per comparison, written from the numbers of an `AnalysisResult`. Every number keeps its units
 * (SDE time and iterations) and, for Monte Carlo, its interval; nothing here computes anything new.
 */
import { AGREEMENT_TOLERANCE } from "../analysis/compare.js";
import { formatNumber as fmt, formatPoint as fmtPt } from "../analysis/format.js";
import type { AnalysisResult, Comparison, EscapeResult } from "../analyze/index.js";

/** Why two methods may differ, in words. */
export function comparisonText(c: Comparison): string {
  const r = c.ratio;
  const cause = c.cause;
  const why = (() => {
    switch (cause.kind) {
      case "sgd-vs-sde": {
        const k = r < 1 ? 1 / r : r;
        const stab = Number.isFinite(cause.etaLambdaMax)
          ? ` (η·λ_max = ${fmt(cause.etaLambdaMax)} at the minimum)`
          : "";
        return `learning rate too large for the SDE${stab}: discrete SGD escapes ${fmt(k, 2)}× ${r < 1 ? "faster" : "slower"} than its order-1 SDE — the SDE is only an O(η) weak approximation, and SGD's noise is ${cause.finiteSum ? "a non-Gaussian, multiplicative minibatch noise" : "applied once per step of size η"}`;
      }
      case "sde-vs-reference":
        return r > 1
          ? `the SDE Monte Carlo is ${fmt(r, 3)}× slower than the ${c.b} value: time-step bias (dt = ${fmt(cause.dt)}) or too short a horizon`
          : `the SDE Monte Carlo is ${fmt(1 / r, 3)}× faster than the ${c.b} value: time-step bias (dt = ${fmt(cause.dt)}) or grid error of the ${c.b} value`;
      case "grid-vs-exact":
        return `the grid solution is off by a factor ${fmt(r)}: the grid does not resolve the problem (refine --grid)`;
      case "sgd-vs-reference":
        return `discrete SGD and the SDE (${c.b}) differ by a factor ${fmt(r, 2)}: the learning rate is too large for the SDE picture`;
      case "asymptotic":
        return `Eyring–Kramers is asymptotic (ε/ΔL → 0)${Number.isFinite(cause.epsOverBarrier) ? `; here ε/ΔL = ${fmt(cause.epsOverBarrier)}` : ""}, so a factor ${fmt(r, 2)} from the ${c.b} value is the size of its neglected corrections`;
      case "reduced-model":
        return `the 1-D reduction along the minimum-energy path ignores the transverse directions and the curvature of the path; it is off by a factor ${fmt(r, 2)} from the ${c.b} value`;
      case "bounds":
        return "";
    }
  })();
  if (cause.kind === "bounds")
    return c.consistent
      ? `the ${c.a} value lies inside the bounds [${fmt(cause.lower)}, ${fmt(cause.upper)}]`
      : `the ${c.a} value lies OUTSIDE the bounds [${fmt(cause.lower)}, ${fmt(cause.upper)}]: this is a bug, please report it`;
  if (c.lowerBound !== null && c.ratioInterval === null) {
    if (!Number.isFinite(r))
      return `not resolved: both are censored lower bounds (not every run had exited by its horizon), which say nothing about each other${c.resolution?.particles ? ` (${c.resolution.particles} runs per method)` : ""}`;
    if (c.relation === "bound")
      return `consistent, but only as a bound: the censored ${c.lowerBound} mean is a lower bound that the other value reaches (ratio ${fmt(r)})`;
    if (c.relation === "not-resolved")
      return `not resolved: the other value lies below the censored ${c.lowerBound} lower bound but within their errors (ratio ${fmt(r)}); a longer horizon would decide`;
    return `disagree: the censored ${c.lowerBound} lower bound exceeds the other value's whole 95% interval (ratio ${fmt(r)}); ${why}`;
  }
  const tol = c.tolerance ?? Number.NaN;
  const band = `±${pct(tol)}${c.toleranceSource === "model-band" ? " (the stated band of the approximate model)" : ""}`;
  const iv = c.ratioInterval ? ` [${fmt(c.ratioInterval[0], 3)}, ${fmt(c.ratioInterval[1], 3)}]` : "";
  const ratio = `ratio ${fmt(r, 3)}${iv} at 95%`;
  if (c.relation === "agree") return `agree within ${band}: ${ratio}`;
  if (c.relation === "disagree") return `disagree by more than ${band}: ${ratio}; ${why}`;
  return `not resolved against ${band}: ${ratio}${c.resolution?.differs ? " — a difference is seen, but not whether it exceeds the tolerance" : ""}; ${resolutionText(c.resolution)}`;
}

/** A relative size as a percentage. */
const pct = (x: number) => `${fmt(100 * x, 2)}%`;

/** What limits a comparison, in words: the resolution reached and what would decide it. */
export function resolutionText(res: Comparison["resolution"]): string {
  if (!res) return "";
  const seen = `differences below ±${pct(res.halfWidth)} cannot be seen`;
  if (res.particles === null) return `${seen} with the stated errors of the two methods`;
  const need =
    res.particlesNeeded === null
      ? "; more runs cannot decide it: the deterministic method's error is wider than needed"
      : Number.isFinite(res.particlesNeeded)
        ? `; ≈ ${fmt(res.particlesNeeded, 2)} runs per method would decide it if the measured ratio stays`
        : "; the measured ratio sits on the tolerance edge: no sample size decides it";
  return `${seen} with ${res.particles} runs per method${need}`;
}

/** One escape in a sentence: SGD's mean exit time with its interval, the SDE's best value, agreements. */
export function escapeSentence(e: EscapeResult, r: AnalysisResult): string {
  let s = `${e.label === "problem start" ? `From ${fmtPt(e.from)}` : `From ${e.label} ${fmtPt(e.from)}`} to ${e.targetWhy}: `;
  const sgd = e.estimates.find(
    (x) => x.method === "sgd" && (x.status === "estimate" || x.status === "lower-bound"),
  );
  if (sgd && sgd.time !== null) {
    const d = sgd.detail?.kind === "monte-carlo" ? sgd.detail : null;
    s +=
      sgd.status === "lower-bound"
        ? `SGD had not always escaped within ${fmt(d?.horizon)} (SDE time): mean exit time ≥ ${fmt(sgd.time)} (≥ ${fmt(sgd.iterations)} iterations)`
        : `SGD escapes after ${fmt(sgd.time)} (SDE time) = ${fmt(sgd.iterations)} iterations on average (95% CI ${fmt(sgd.interval?.[0])}–${fmt(sgd.interval?.[1])}, ${d?.particles} runs)`;
  } else s += "SGD Monte Carlo unavailable";
  if (e.best.method !== "sgd" && e.best.time !== null)
    s += `; the SDE's mean exit time is ${fmt(e.best.time)} by the ${e.best.method} method`;
  s += comparisonsSentence(e.comparisons, r.mode, e.estimates);
  const failed = e.estimates.filter((x) => x.status === "failed");
  if (failed.length) s += ` Failed: ${failed.map((x) => `${x.method} (${x.reason})`).join("; ")}.`;
  return s;
}

/**
 * The comparisons of one escape grouped by relation: agreements (with their tolerance), disagreements, the
 * unresolved ones with the resolution reached, and censored lower bounds; in --quick mode, that a full run's
 * larger samples may resolve what is not resolved here.
 */
function comparisonsSentence(cs: Comparison[], mode: string, estimates: EscapeResult["estimates"]): string {
  if (!cs.length) return ".";
  const pair = (c: Comparison) => `${c.a} vs ${c.b}`;
  const of = (rel: Comparison["relation"]) => cs.filter((c) => c.relation === rel);
  const parts: string[] = [];
  const agree = of("agree");
  if (agree.length === cs.length && agree.every((c) => c.tolerance === AGREEMENT_TOLERANCE))
    parts.push(`All methods agree within ±${pct(AGREEMENT_TOLERANCE)} (95% intervals of each ratio)`);
  else if (agree.length)
    parts.push(
      `Agree: ${agree.map((c) => `${pair(c)}${c.tolerance !== null ? ` within ±${pct(c.tolerance)}` : " (inside the bracket)"}`).join(", ")}`,
    );
  const dis = of("disagree");
  // the relation is the heading: each item's text without its leading "disagree"/"not resolved"
  const body = (c: Comparison) => comparisonText(c).replace(/^(disagree|not resolved):? /, "");
  if (dis.length) parts.push(`Disagreement: ${dis.map((c) => `${pair(c)} — ${body(c)}`).join("; ")}`);
  const nr = of("not-resolved");
  if (nr.length)
    parts.push(
      `Not resolved: ${nr.map((c) => `${pair(c)} — ${body(c)}`).join("; ")}${mode === "quick" && nr.some((c) => c.ratioInterval && c.resolution?.particles) ? " (--quick: a full run has more runs per method)" : ""}`,
    );
  const bd = of("bound");
  if (bd.length)
    parts.push(
      `Consistent only as a lower bound: ${bd.map((c) => `${pair(c)} (${c.lowerBound}: ${boundKind(c.lowerBound, estimates)})`).join(", ")}`,
    );
  return `. ${parts.join(". ")}.`;
}

/** What kind of lower bound a method gave: a censored Monte Carlo mean or a certified bound of the grid chain. */
function boundKind(method: string | null, estimates: EscapeResult["estimates"]): string {
  const x = estimates.find((y) => y.method === method);
  return x?.intervalKind === "discrete-lower-bound"
    ? "a certified lower bound of the grid chain's value"
    : "a censored lower bound";
}

/** Answer 1: how the parameters move at first. */
export function driftAnswer(r: AnalysisResult): string {
  const D = r.drift;
  const law = r.settings.initialLaw;
  const eta = r.problem.lr;
  const last = D.times.length - 1;
  const div = D.diverged.count
    ? ` ${fmt((100 * D.diverged.count) / D.diverged.of)}% of the SGD particles diverged (|x| beyond ${fmt(D.diverged.bound)}) by t = ${fmt(D.times[last])}: SGD is unstable or heavy-tailed at this learning rate.`
    : "";
  const m0 = r.landscape.minima[0];
  if (D.valley) {
    const v = D.valley;
    return `Starting ${law}, every point flows into one connected valley of minima (L = ${fmt(m0.value, 4)}, ${m0.flatDirections} flat directions): ${
      v.reachedAt !== null
        ? `95% of the SGD particles have excess loss below ${fmt(v.tolerance)} by t = ${fmt(v.reachedAt)} (${fmt(v.reachedAt / eta)} iterations)`
        : `after t = ${fmt(D.times[last])} only ${fmt(100 * v.finalFraction)}% of the SGD particles have excess loss below ${fmt(v.tolerance)}`
    }. Which point of the valley is reached depends on the start: SGD does not move along the flat directions where every sample is already fitted.${div}`;
  }
  const parts = D.basins
    .filter((b) => b.mass > 0)
    .map(
      (b) =>
        `${fmt(100 * b.mass, 3)}% to minimum ${b.minimum} ${fmtPt(r.landscape.minima[b.minimum].x)}${Number.isFinite(b.time) ? ` (95% of it within r = ${fmt(b.radius)} by t = ${fmt(b.time)}, ${fmt(b.iterations)} iterations)` : ""}`,
    );
  const flow = parts.length
    ? `gradient flow sends ${parts.join(", ")}${D.unlabelled > 0 ? ` and ${fmt(100 * D.unlabelled)}% to no known minimum` : ""}`
    : `gradient flow sends no sampled point to a known minimum (${fmt(100 * D.unlabelled)}% unlabelled)`;
  const spreads = D.spread
    .filter((s) => s.particles)
    .map((s) =>
      s.equilibrium
        ? `At minimum ${s.minimum} SGD fluctuates with spread ${fmt(s.particles?.value)} [${fmt(s.particles?.ci95[0])}, ${fmt(s.particles?.ci95[1])}] (OU: SGD ${fmt(s.ouSgd)}, SDE ${fmt(s.ouSde)}${s.pde !== null ? `; PDE ${fmt(s.pde)}` : ""})${s.kurtosis?.heavyTails ? ` — heavy tails (excess kurtosis ${fmt(s.kurtosis.value)})` : ""}`
        : `At minimum ${s.minimum} the spread ${fmt(s.particles?.value)} is still transient (${s.why})`,
    );
  return `Starting ${law}, ${flow}. ${spreads.length ? `${spreads.join("; ")}.` : ""}${div}`;
}

/** Answer 2: escapes. */
export function escapeAnswer(r: AnalysisResult): string {
  if (r.escapes.length) return r.escapes.map((e) => escapeSentence(e, r)).join(" ");
  return r.landscape.minima.length < 2
    ? "There is a single minimum (or one connected set of minima): there is no bad minimum to escape from."
    : "No saddle between the minima was found, so no escape was analysed.";
}

/** Answer 3: convergence. */
export function convergenceAnswer(r: AnalysisResult): string {
  const L = r.longTime;
  const D = r.drift;
  const eta = r.problem.lr;
  const last = D.times.length - 1;
  const tEnd = D.times[last];
  let s = L.verdict.sentence;
  if (D.diverged.count > 0.05 * D.diverged.of)
    s = `Discrete SGD does not converge here: ${fmt((100 * D.diverged.count) / D.diverged.of)}% of the SGD particles diverged within t = ${fmt(tEnd)} (${fmt(tEnd / eta)} iterations), a failure the SDE cannot show. For the SDE: ${L.verdict.sentence}`;
  // with several closed classes the verdict above already lists them and where the mass ends
  if (L.stationary?.unique) s += ` The stationary law of the PDE generator: ${L.stationary.message}.`;
  if (L.spectral?.gap && !(L.stationary && !L.stationary.unique)) {
    s += L.spectral.describesWholeLaw
      ? ` Spectral gap ${fmt(L.spectral.gap)} per unit SDE time (relaxation time ${fmt(1 / L.spectral.gap)} = ${fmt(1 / L.spectral.gap / eta)} iterations).`
      : ` The spectral computation did not resolve the relaxation rate (gap ${fmt(L.spectral.gap)} not used).`;
  }
  if (L.entropy?.fittedRate)
    s += ` Relative entropy decays at the fitted rate ${fmt(L.entropy.fittedRate)}${L.entropy.bakryEmeryRate ? ` (Bakry–Émery bound 2λ = ${fmt(L.entropy.bakryEmeryRate)})` : ""}${entropyModeText(L.entropy.fittedRate, L.spectral)}.`;
  const nb = r.landscape.minima.length;
  const held = L.finalMass
    .slice(0, nb)
    .map((f, k) => ({ f, k }))
    .filter((b) => b.f >= 0.005)
    .sort((a, b) => b.f - a.f);
  const rest = 1 - held.reduce((a, b) => a + b.f, 0);
  s += ` After t = ${fmt(tEnd)} (${fmt(tEnd / eta)} iterations) the SGD particles sit ${held
    .map((b) => `${fmt(100 * b.f, 3)}% in basin ${b.k}`)
    .join(
      ", ",
    )}${rest >= 0.005 ? `${held.length ? " and " : ""}${fmt(100 * rest, 3)}% elsewhere (other basins, in transit or diverged)` : ""}`;
  s += r.settings.longScale.trusted
    ? "."
    : ` (a horizon set by ${r.settings.longScale.why}: not necessarily the limit).`;
  return s;
}

/** The three answers. */
export function describeAnalysis(r: AnalysisResult): { drift: string; escape: string; convergence: string } {
  return { drift: driftAnswer(r), escape: escapeAnswer(r), convergence: convergenceAnswer(r) };
}

/**
 * Which eigenvalue the fitted entropy rate belongs to: near equilibrium H(t) ~ e^{−2λt} for the slowest mode the
 * initial law excites, which need not be the gap (a symmetric start does not excite the exchange between two
 * symmetric wells). Says so when the rate is 2λ for a faster eigenvalue, or matches none of those computed.
 */
export function entropyModeText(
  rate: number,
  sp: { gap: number | null; eigenvalues: number[]; converged: boolean } | null,
): string {
  if (!sp?.gap || !sp.converged) return "";
  const nonzero = sp.eigenvalues.filter((v) => v > 0.5 * sp.gap!).sort((a, b) => a - b);
  if (!nonzero.length) return "";
  const best = nonzero.reduce((b, v) => (Math.abs(2 * v - rate) < Math.abs(2 * b - rate) ? v : b));
  const close = Math.abs(2 * best - rate) <= 0.25 * rate;
  if (close && best <= 1.25 * sp.gap) return " = 2 × the spectral gap";
  if (close)
    return `, ≈ 2λ for the eigenvalue λ = ${fmt(best)}: the initial law does not excite the slower mode${nonzero[0] < best ? ` at the gap ${fmt(sp.gap)}` : ""} (a symmetric start, say), so the entropy decays faster than the gap alone suggests`;
  return `, which matches 2λ for none of the ${nonzero.length} computed eigenvalues (the fit may see a transient)`;
}
