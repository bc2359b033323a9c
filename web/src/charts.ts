/**
 * Small SVG charts with labelled axes and units: basin masses over time, the exit-time histogram against its
 * exponential fit, and the mean exit time by method with intervals (log scale). Colours: Okabe–Ito.
 */
import { formatNumber } from "../../src/analysis/format.js";
import type { ExitEstimate } from "../../src/exit/index.js";
import { COLORS, fmtTick, ticks } from "./draw.js";
import type { CloudView } from "./live.js";

const W = 460;
const H = 230;
const M = { l: 52, r: 10, t: 10, b: 40 };
const pw = W - M.l - M.r;
const ph = H - M.t - M.b;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function frame(
  title: string,
  xlab: string,
  ylab: string,
  body: string,
  xt: string,
  yt: string,
  legend = "",
): string {
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>
<rect x="${M.l}" y="${M.t}" width="${pw}" height="${ph}" fill="none" stroke="#222"/>${body}${xt}${yt}
<text x="${M.l + pw / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${esc(xlab)}</text>
<text transform="translate(13 ${M.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(ylab)}</text>${legend}</svg>`;
}

function xTicks(t: number[], sx: (v: number) => number, fmt = fmtTick): string {
  return t
    .map(
      (v) =>
        `<line x1="${sx(v)}" x2="${sx(v)}" y1="${M.t + ph}" y2="${M.t + ph + 4}" stroke="#222"/><text x="${sx(v)}" y="${M.t + ph + 16}" text-anchor="middle" font-size="11">${fmt(v)}</text>`,
    )
    .join("");
}
function yTicks(t: number[], sy: (v: number) => number): string {
  return t
    .map(
      (v) =>
        `<line x1="${M.l - 4}" x2="${M.l}" y1="${sy(v)}" y2="${sy(v)}" stroke="#222"/><text x="${M.l - 6}" y="${sy(v) + 4}" text-anchor="end" font-size="11">${fmtTick(v)}</text>`,
    )
    .join("");
}
function legendOf(items: { label: string; color: string; dash?: string }[], x0 = M.l + 8): string {
  return items
    .map(
      (it, k) =>
        `<line x1="${x0}" x2="${x0 + 22}" y1="${M.t + 12 + 14 * k}" y2="${M.t + 12 + 14 * k}" stroke="${it.color}" stroke-width="2.5" ${it.dash ? `stroke-dasharray="${it.dash}"` : ""}/><text x="${x0 + 26}" y="${M.t + 16 + 14 * k}" font-size="11">${esc(it.label)}</text>`,
    )
    .join("");
}
const path = (pts: [number, number][]) =>
  pts.length ? `M${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L")}` : "";

/** Mass in each basin over time: Fokker–Planck (solid), SGD particles (dashed, 95% band), second dynamics (dotted). */
export function massChart(c: CloudView, secondLabel: string, now: number): string {
  const t = c.times;
  const T = t[t.length - 1] || 1;
  const sx = (v: number) => M.l + (v / T) * pw;
  const sy = (v: number) => M.t + (1 - v) * ph;
  const nb = Math.min(c.basins.length, COLORS.basins.length);
  let body = "";
  for (let k = 0; k < nb; k++) {
    const col = COLORS.basins[k];
    const band = [
      ...t.map((v, f) => [sx(v), sy(Math.min(1, c.massSgd[f][k] + c.massSgdHalf[f][k]))] as [number, number]),
      ...[...t].reverse().map((v, i) => {
        const f = t.length - 1 - i;
        return [sx(v), sy(Math.max(0, c.massSgd[f][k] - c.massSgdHalf[f][k]))] as [number, number];
      }),
    ];
    body += `<path d="${path(band)}Z" fill="${col}" opacity="0.18"/>`;
    if (c.massPde.length === t.length)
      body += `<path d="${path(t.map((v, f) => [sx(v), sy(c.massPde[f][k])]))}" fill="none" stroke="${col}" stroke-width="2"/>`;
    body += `<path d="${path(t.map((v, f) => [sx(v), sy(c.massSgd[f][k])]))}" fill="none" stroke="${col}" stroke-width="2" stroke-dasharray="6 3"/>`;
    body += `<path d="${path(t.map((v, f) => [sx(v), sy(c.massSecond[f][k])]))}" fill="none" stroke="${col}" stroke-width="2" stroke-dasharray="1.5 2.5"/>`;
  }
  body += `<line x1="${sx(t[Math.min(now, t.length - 1)])}" x2="${sx(t[Math.min(now, t.length - 1)])}" y1="${M.t}" y2="${M.t + ph}" stroke="#555" stroke-dasharray="2 2"/>`;
  const legend = legendOf(
    [
      ...c.basins.slice(0, nb).map((b, k) => ({
        label: `basin ${k + 1} (min at ${b.x.map((v) => formatNumber(v, 3)).join(", ")})`,
        color: COLORS.basins[k],
      })),
      { label: "Fokker–Planck", color: "#222" },
      { label: "SGD particles (band: 95%)", color: "#222", dash: "6 3" },
      { label: secondLabel, color: "#222", dash: "1.5 2.5" },
    ],
    M.l + pw - 210,
  );
  return frame(
    "Mass in each basin over time",
    `SDE time t (iterations = t/η; ${formatNumber(T / c.sgdStep, 3)} iterations in all)`,
    "mass in basin",
    body,
    xTicks(ticks(0, T), sx),
    yTicks([0, 0.25, 0.5, 0.75, 1], sy),
    legend,
  );
}

/** Histogram of the finite exit times of the particle methods against the exponential law with the fitted mean. */
export function histogramChart(estimates: readonly ExitEstimate[]): string | null {
  const runs = estimates.filter((e) => e.detail?.kind === "monte-carlo" && e.time !== null);
  if (runs.length === 0) return null;
  const all: { name: string; t: number[]; tau: number; col: string; n: number }[] = runs.map((e, k) => {
    const d = e.detail as unknown as { exitTimes: Float64Array; exponentialFit: { time: number } };
    return {
      name: e.method,
      t: Array.from(d.exitTimes).filter((v) => Number.isFinite(v)),
      tau: d.exponentialFit.time,
      col: k === 0 ? COLORS.sgd : COLORS.second,
      n: d.exitTimes.length,
    };
  });
  const sorted = all.flatMap((a) => a.t).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const T = sorted[Math.floor(0.98 * (sorted.length - 1))] || 1;
  const nb = 30;
  const w = T / nb;
  let ymax = 0;
  const hists = all.map((a) => {
    const h = new Array(nb).fill(0);
    for (const v of a.t) if (v < T) h[Math.floor(v / w)]++;
    const dens = h.map((c) => c / (a.n * w));
    for (const v of dens) ymax = Math.max(ymax, v);
    return dens;
  });
  for (const a of all) if (Number.isFinite(a.tau) && a.tau > 0) ymax = Math.max(ymax, 1 / a.tau);
  ymax *= 1.08;
  const sx = (v: number) => M.l + (v / T) * pw;
  const sy = (v: number) => M.t + (1 - v / ymax) * ph;
  let body = "";
  all.forEach((a, k) => {
    const dens = hists[k];
    const bw = pw / nb / all.length;
    dens.forEach((v, b) => {
      body += `<rect x="${(sx(b * w) + k * bw).toFixed(1)}" y="${sy(v).toFixed(1)}" width="${(bw - 0.5).toFixed(1)}" height="${(M.t + ph - sy(v)).toFixed(1)}" fill="${a.col}" opacity="0.65"/>`;
    });
    if (Number.isFinite(a.tau) && a.tau > 0) {
      const pts: [number, number][] = [];
      for (let i = 0; i <= 60; i++) {
        const t = (T * i) / 60;
        pts.push([sx(t), sy(Math.exp(-t / a.tau) / a.tau)]);
      }
      body += `<path d="${path(pts)}" fill="none" stroke="${a.col}" stroke-width="2" stroke-dasharray="6 3"/>`;
    }
  });
  const legend = legendOf(
    all.flatMap((a) => [
      { label: `${a.name}: exit times (${a.t.length} of ${a.n} exited)`, color: a.col },
      { label: `${a.name}: exponential, mean ${formatNumber(a.tau, 3)}`, color: a.col, dash: "6 3" },
    ]),
    M.l + pw - 240,
  );
  return frame(
    "Exit times against the exponential law",
    "exit time (SDE time t; 98% of the exits shown)",
    "density (1/SDE time)",
    body,
    xTicks(ticks(0, T), sx),
    yTicks(ticks(0, ymax, 4), sy),
    legend,
  );
}

const METHOD_LABEL: Record<string, string> = {
  sgd: "SGD (particles)",
  sde: "SDE (particles)",
  sde2: "order-2 SDE (particles)",
  "noisy-sgd": "Noisy SGD (particles)",
  gd: "gradient descent",
  pde: "PDE generator (grid)",
  exact: "exact 1-D formula",
  kramers: "Eyring–Kramers",
  bounds: "bounds",
  "path-1d": "1-D along the path",
};
export const methodLabel = (m: string) => METHOD_LABEL[m] ?? m;
