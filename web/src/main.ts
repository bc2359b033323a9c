/**
 * The explorable page: controls → state (mirrored in the URL) → the live worker (exit times, clouds,
 * Fokker–Planck) and the analysis worker (analyze --quick: the three answers, the report). Drawing only here.
 */
import { formatNumber } from "../../src/analysis/format.js";
import type { AnalysisResult } from "../../src/analyze/index.js";
import type { ExitEstimate } from "../../src/exit/index.js";
import { methodsSpec } from "../../src/report/plots.js";
import { renderSvg } from "../../src/report/svg.js";
import AnalysisWorker from "./analysis-worker.ts?worker&inline";
import { histogramChart, massChart, methodLabel } from "./charts.js";
import { CloudCanvas, mapping } from "./draw.js";
import { GALLERY_KEYS } from "./gallery.js";
import { type CloudView, displayOrder, type LandscapeView, type Query } from "./live.js";
import LiveWorker from "./live-worker.ts?worker&inline";
import type { PartialExit } from "./partial-runner.js";
import { problemTextAsRun, reportCommand, reportHtml } from "./report.js";
import { buildProblem, errorInfo, NOISE_CHOICES } from "./spec.js";
import { type AppState, DYNAMICS_CHOICES, galleryState, stateFromHash, stateToHash } from "./state.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (v: number | null | undefined, p = 4) =>
  v === null || v === undefined || Number.isNaN(v) ? "—" : formatNumber(v, p);

let state: AppState = stateFromHash(location.hash);
let runId = 0;
let land: LandscapeView | null = null;
let query: Query | null = null;
let lr = state.lr;
let clouds: CloudView | null = null;
let estimates: ExitEstimate[] = [];
/** Monte Carlo methods still running: their mean and interval so far (replaced by the final estimate). */
const partials = new Map<string, PartialExit>();
let analysis: { id: number; result: AnalysisResult; key: string } | null = null;
let analysisKey = "";
let playing = false;

/**
 * The live worker, kept warm (a fresh worker pays its compilation again: seconds on the 2-D problem when the
 * machine is loaded). A newer state stops the current run where it yields: between the engine's methods,
 * between particle ranges, between cloud ranges; only the one Fokker–Planck call runs to its end.
 */
const live = new LiveWorker();
let analyzer: Worker | null = null;
const left = new CloudCanvas($("cloud-sgd"));
const right = new CloudCanvas($("cloud-second"));

// ---- controls ---------------------------------------------------------------------------------------------
const sel = $<HTMLSelectElement>("problem-select");
for (const k of [...GALLERY_KEYS, "custom"]) sel.add(new Option(k === "custom" ? "(edited problem)" : k, k));
const noiseSel = $<HTMLSelectElement>("noise");
for (const [k, v] of Object.entries(NOISE_CHOICES)) noiseSel.add(new Option(v, k));
const dynSel = $<HTMLSelectElement>("dynamics");
for (const [k, v] of Object.entries(DYNAMICS_CHOICES)) dynSel.add(new Option(v, k));

function showControls(): void {
  sel.value = state.problem;
  $<HTMLTextAreaElement>("problem-text").value = state.text;
  $<HTMLInputElement>("lr").value = String(state.lr);
  $<HTMLInputElement>("batch").value = String(state.batch);
  $<HTMLInputElement>("delta").value = String(state.delta);
  $("lr-out").textContent = String(state.lr);
  $("batch-out").textContent = String(state.batch);
  $("delta-out").textContent = String(state.delta);
  noiseSel.value = state.noise;
  dynSel.value = state.dynamics;
  $<HTMLInputElement>("seed").value = String(state.seed);
  $<HTMLSelectElement>("particles").value = String(state.particles);
  $<HTMLSelectElement>("runs").value = String(state.runs);
  $<HTMLInputElement>("target").value = state.target;
  $<HTMLInputElement>("frame").value = String(state.frame);
  $<HTMLInputElement>("answers-on").checked = state.answers;
}

/** Everything that changes the numbers (not the frame shown). */
const numbersKey = (s: AppState) =>
  JSON.stringify([
    s.text,
    s.lr,
    s.batch,
    s.delta,
    s.noise,
    s.dynamics,
    s.seed,
    s.particles,
    s.runs,
    s.start,
    s.target,
  ]);

/** When the last change that reruns the numbers was made (performance.now(), ms): for the latency shown. */
let changedAt = 0;
/** The change time of the run in flight, and whether its first exit time has arrived. */
let runChangedAt = 0;
let firstAnswered = false;

function setState(patch: Partial<AppState>, rerun = true): void {
  state = { ...state, ...patch };
  history.replaceState(null, "", stateToHash(state));
  if (rerun) {
    changedAt = performance.now();
    schedule();
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;
function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(run, 120);
}

function setStatus(s: string, kind: "computing" | "ready" | "error"): void {
  $("status").textContent = s;
  document.body.dataset.state = kind;
}

/** Validates on the main thread first (same parser): an invalid problem runs nothing. */
function run(): void {
  const id = ++runId;
  const overrides = { lr: state.lr, batch: state.batch, delta: state.delta, noise: state.noise };
  try {
    buildProblem(state.text, overrides, state.start, state.target);
  } catch (e) {
    const info = errorInfo(e);
    $("problem-error").textContent = info.message;
    setStatus("not run: fix the problem above", "error");
    return;
  }
  $("problem-error").textContent = "";
  estimates = [];
  partials.clear();
  runChangedAt = changedAt;
  firstAnswered = false;
  setStatus("computing exit times…", "computing");
  document.body.dataset.run = String(id);
  document.body.dataset.runs = String(Number(document.body.dataset.runs ?? 0) + 1);
  live.postMessage({
    type: "run",
    id,
    text: state.text,
    overrides,
    request: {
      start: state.start,
      target: state.target,
      dynamics: state.dynamics,
      seed: state.seed,
      particles: state.particles,
      exitParticles: state.runs,
      frames: 120,
    },
  });
}

function startAnalysis(): void {
  if (!state.answers) {
    analyzer?.terminate();
    analyzer = null;
    analysisKey = "";
    analysis = null;
    $("answers-status").textContent = "off (tick 'run analyze --quick' above)";
    return;
  }
  const key = numbersKey({ ...state, start: null, target: "", dynamics: "sde", particles: 0, runs: 0 });
  if (key === analysisKey) return;
  analysisKey = key;
  analysis = null;
  analyzer?.terminate();
  analyzer = new AnalysisWorker();
  const id = runId;
  for (const k of ["drift", "escape", "convergence"]) $(`answer-${k}`).textContent = "…";
  $("answers-status").textContent = "running analyze --quick in the background (seconds to a minute)…";
  analyzer.onmessage = (ev) => {
    const m = ev.data;
    if (m.type === "stage") $("answers-status").textContent = `analyze --quick: ${m.stage}…`;
    else if (m.type === "analysis") {
      analysis = { id, result: m.result, key };
      $("answer-drift").textContent = m.answers.drift;
      $("answer-escape").textContent = m.answers.escape;
      $("answer-convergence").textContent = m.answers.convergence;
      $("answers-status").textContent =
        `analyze --quick, seed ${state.seed}: ${m.result.settings.particles} Monte Carlo runs per escape method, ` +
        `${(m.ms / 1000).toFixed(1)} s. The live panels above use their own sizes.`;
      document.body.dataset.analysis = "ready";
      if (pendingDownload) {
        pendingDownload = false;
        void download();
      }
    } else if (m.type === "error") {
      $("answers-status").textContent = `analyze could not run: ${m.error.message}`;
      document.body.dataset.analysis = "error";
    }
  };
  document.body.dataset.analysis = "computing";
  analyzer.postMessage({
    type: "analyze",
    id,
    text: state.text,
    overrides: { lr: state.lr, batch: state.batch, delta: state.delta, noise: state.noise },
    seed: state.seed,
  });
}

// ---- results ----------------------------------------------------------------------------------------------
function onLive(ev: MessageEvent): void {
  const m = ev.data;
  if (m.id !== runId) return;
  if (m.type === "landscape") {
    land = m.land;
    query = m.query;
    lr = m.lr;
    const q = m.query as Query;
    $("query").textContent =
      `Exit from (${q.from.map((v) => fmt(v, 4)).join(", ")}) into ${q.to} — ${q.why}.`;
    clouds = null;
    renderTable();
    draw();
  } else if (m.type === "partial") {
    const part = m.partial as PartialExit;
    partials.set(part.dynamics, part);
    renderTable();
  } else if (m.type === "estimate") {
    estimates.push(m.estimate);
    partials.delete(m.estimate.method);
    renderTable();
    if (!firstAnswered) {
      // from the change (slider, key, edit; 120 ms debounce included) to the first exit time on screen
      firstAnswered = true;
      const ms = performance.now() - runChangedAt;
      document.body.dataset.firstMetMs = ms.toFixed(0);
      $("latency").textContent =
        `First exit time (${methodLabel(m.estimate.method)}) ${ms.toFixed(0)} ms after the change; the others follow.`;
    }
  } else if (m.type === "exit-done") {
    const sk = m.skipped as { method: string; reason: string }[];
    $("met-table").dataset.skipped = sk.map((s) => `${s.method}: ${s.reason}`).join("; ");
    renderTable(sk);
    setStatus(
      `exit times done (${(m.ms / 1000).toFixed(1)} s); simulating clouds and Fokker–Planck…`,
      "computing",
    );
    const hist = histogramChart(estimates);
    $("hist-chart").innerHTML = hist ?? "<p class='small'>no particle method exited</p>";
  } else if (m.type === "clouds") {
    clouds = m.clouds;
    if (m.density) setStatus(`ready (${(m.ms / 1000).toFixed(1)} s)`, "ready");
    else
      setStatus(
        `particles ready (${(m.ms / 1000).toFixed(1)} s); computing the Fokker–Planck law…`,
        "computing",
      );
    const c = m.clouds as CloudView;
    $("cloud-info").textContent =
      `${c.particles} particles per cloud from the start point, seed ${state.seed}; horizon ${fmt(c.times[c.times.length - 1])} (SDE time): ${c.horizonWhy}. ` +
      `SGD step η = ${fmt(c.sgdStep)}; ${c.secondName} step ${fmt(c.secondStep)}. ${m.density ? `Fokker–Planck: ${c.densityMethod} on the ${land?.shape.join("×")} grid of the panels. ` : ""}Worker time: particles ${(c.ms.particles / 1000).toFixed(2)} s${m.density ? `, Fokker–Planck ${(c.ms.fokkerPlanck / 1000).toFixed(2)} s` : ""}.` +
      (c.diverged.sgd + c.diverged.second > 0
        ? ` Diverged: ${c.diverged.sgd} SGD and ${c.diverged.second} ${c.secondName} particles (not drawn, in no basin).`
        : "");
    $<HTMLInputElement>("frame").max = String(c.times.length - 1);
    draw();
    // the slow analyze --quick starts once the live panels are done (it shares the CPU with them)
    if (m.density) startAnalysis();
  } else if (m.type === "error") {
    $("problem-error").textContent = m.error.message;
    setStatus(m.error.user ? "not run: see the message above" : "failed: see the message above", "error");
  }
}
live.onmessage = onLive;

function renderTable(skipped: { method: string; reason: string }[] = []): void {
  const body = $("met-table").querySelector("tbody") as HTMLElement;
  // arrival order is cheapest first; the table keeps one order (particles, grid, exact, landscape theory)
  const order = displayOrder(state.dynamics);
  const rank = (m: string) => {
    const k = order.indexOf(m as (typeof order)[number]);
    return k < 0 ? order.length : k;
  };
  const sorted = [...estimates].sort((a, b) => rank(a.method) - rank(b.method));
  const rows = sorted.map((e) => {
    const iv = e.interval ? `[${fmt(e.interval[0])}, ${fmt(e.interval[1])}]` : "—";
    const mc =
      e.detail?.kind === "monte-carlo" ? ` n = ${(e.detail as { particles: number }).particles}.` : "";
    const t = e.status === "lower-bound" ? `≥ ${fmt(e.time)}` : fmt(e.time);
    const why = e.reason ? ` ${e.reason}` : "";
    return `<tr data-method="${e.method}" data-time="${e.time ?? ""}" data-status="${e.status}"><td>${methodLabel(e.method)}</td><td class="num">${t}</td><td class="num">${fmt(e.iterations, 3)}</td><td class="num">${iv}</td><td>${e.uncertainty === "—" ? "" : `${e.uncertainty}.`}${mc} ${e.how}.${why}</td></tr>`;
  });
  for (const p of partials.values())
    if (!estimates.some((e) => e.method === p.dynamics))
      rows.push(
        `<tr data-method="${p.dynamics}" data-status="running"><td>${methodLabel(p.dynamics)}</td><td class="num">${p.lowerBound ? "≥ " : ""}${fmt(p.time)}</td><td class="num">${fmt(p.time / lr, 3)}</td><td class="num">[${fmt(p.interval[0])}, ${fmt(p.interval[1])}]</td><td>running: ${p.done} of ${p.total} runs so far (step ${fmt(p.step)} of SDE time); 95% t-interval of the mean so far${p.lowerBound ? ", a lower bound while runs are censored at the horizon" : ""}.</td></tr>`,
      );
  for (const s of skipped)
    rows.push(
      `<tr data-method="${s.method}" data-status="not-run"><td>${methodLabel(s.method)}</td><td colspan="4">not run: ${s.reason}</td></tr>`,
    );
  body.innerHTML = rows.join("");
  // partial Monte Carlo rows are not in the chart: re-render only when the estimates changed
  const key = `${runId}:${estimates.length}`;
  if (key !== metChartFor) {
    metChartFor = key;
    renderMetChart(sorted);
  }
}

/**
 * The MET-by-method chart: the report's own Vega-Lite spec (report/plots.ts `methodsSpec`) rendered to SVG by
 * vega (report/svg.ts) — asynchronously, so an older rendering that finishes late is dropped.
 */
let metGeneration = 0;
/** The run and estimate count the chart was last rendered for. */
let metChartFor = "";
function renderMetChart(sorted: readonly ExitEstimate[]): void {
  const gen = ++metGeneration;
  const where = query ? `from (${query.from.map((v) => fmt(v, 3)).join(", ")}) into ${query.to}` : "";
  const fig = methodsSpec(sorted, where, "live-exit-methods");
  if (!fig) {
    $("met-chart").innerHTML = "";
    return;
  }
  void renderSvg(fig.spec).then((svg) => {
    if (gen !== metGeneration) return;
    $("met-chart").innerHTML = svg;
    $("met-chart").querySelector("svg")?.setAttribute("role", "img");
  });
}

function draw(): void {
  if (!land || !query) return;
  const f = Math.min(state.frame, (clouds?.times.length ?? 1) - 1);
  const t = clouds ? clouds.times[f] : 0;
  $("frame-out").textContent = clouds ? `t = ${fmt(t, 3)} (${fmt(t / lr, 3)} iterations)` : "";
  left.draw({ land, clouds, which: "sgd", frame: f, start: query.from, title: "real SGD" });
  right.draw({
    land,
    clouds,
    which: "second",
    frame: f,
    start: query.from,
    title: clouds ? DYNAMICS_CHOICES[clouds.secondName].split(" (")[0] : "",
  });
  if (clouds)
    $("mass-chart").innerHTML = massChart(clouds, DYNAMICS_CHOICES[clouds.secondName].split(" (")[0], f);
}

// ---- events -----------------------------------------------------------------------------------------------
sel.addEventListener("change", () => {
  if (sel.value === "custom") return setState({ problem: "custom" });
  state = galleryState(sel.value);
  showControls();
  setState({});
});
$("problem-text").addEventListener("input", (e) =>
  setState({ problem: "custom", text: (e.target as HTMLTextAreaElement).value, start: null }),
);
for (const [id, key] of [
  ["lr", "lr"],
  ["batch", "batch"],
  ["delta", "delta"],
] as const) {
  $<HTMLInputElement>(id).addEventListener("input", (e) => {
    const v = Number((e.target as HTMLInputElement).value);
    $(`${id}-out`).textContent = String(v);
    setState({ [key]: v });
  });
}
noiseSel.addEventListener("change", () => setState({ noise: noiseSel.value as AppState["noise"] }));
dynSel.addEventListener("change", () => setState({ dynamics: dynSel.value as AppState["dynamics"] }));
$<HTMLInputElement>("seed").addEventListener("change", (e) => {
  const v = Number((e.target as HTMLInputElement).value);
  if (Number.isInteger(v) && v >= 0) setState({ seed: v });
});
$<HTMLSelectElement>("particles").addEventListener("change", (e) =>
  setState({ particles: Number((e.target as HTMLSelectElement).value) }),
);
$<HTMLSelectElement>("runs").addEventListener("change", (e) =>
  setState({ runs: Number((e.target as HTMLSelectElement).value) }),
);
$<HTMLInputElement>("target").addEventListener("input", (e) =>
  setState({ target: (e.target as HTMLInputElement).value }),
);
$<HTMLInputElement>("frame").addEventListener("input", (e) => {
  setState({ frame: Number((e.target as HTMLInputElement).value) }, false);
  draw();
});
$<HTMLInputElement>("answers-on").addEventListener("change", (e) => {
  setState({ answers: (e.target as HTMLInputElement).checked }, false);
  startAnalysis();
});
$("reset-start").addEventListener("click", () => setState({ start: null }));
for (const c of [left, right]) {
  const setStart = (cx: number, cy: number) => {
    if (!land) return;
    const r = c.canvas.getBoundingClientRect();
    const m = mapping(land, r.width, r.height);
    const x = m.inv(cx, cy).slice(0, land.dim);
    const inside = x.every((v, k) => v >= land!.domain[k][0] && v <= land!.domain[k][1]);
    if (inside) setState({ start: x.map((v) => Number(v.toPrecision(4))) });
  };
  c.canvas.addEventListener("click", (e) => {
    const r = c.canvas.getBoundingClientRect();
    setStart(e.clientX - r.left, e.clientY - r.top);
  });
  c.canvas.addEventListener("keydown", (e) => {
    // arrow keys move the start by 1/40 of the box, Enter re-runs from there
    if (!land || !query) return;
    const k = e.key;
    const s = [...(state.start ?? query.from)];
    const step = (i: number) => (land!.domain[i][1] - land!.domain[i][0]) / 40;
    if (k === "ArrowLeft") s[0] -= step(0);
    else if (k === "ArrowRight") s[0] += step(0);
    else if (k === "ArrowUp" && land.dim === 2) s[1] += step(1);
    else if (k === "ArrowDown" && land.dim === 2) s[1] -= step(1);
    else if (k !== "Enter") return;
    e.preventDefault();
    setState({
      start: s.map((v, i) =>
        Math.min(land!.domain[i][1], Math.max(land!.domain[i][0], Number(v.toPrecision(4)))),
      ),
    });
  });
}
$("play").addEventListener("click", () => {
  playing = !playing;
  $("play").textContent = playing ? "pause" : "play";
  $("play").setAttribute("aria-pressed", String(playing));
  if (playing) requestAnimationFrame(tick);
});
let lastTick = 0;
function tick(now: number): void {
  if (!playing) return;
  if (clouds && now - lastTick > 50) {
    lastTick = now;
    const next = (state.frame + 1) % clouds.times.length;
    state.frame = next;
    $<HTMLInputElement>("frame").value = String(next);
    draw();
  }
  requestAnimationFrame(tick);
}
$("share").addEventListener("click", async () => {
  history.replaceState(null, "", stateToHash(state));
  try {
    await navigator.clipboard.writeText(location.href);
    setStatus("link copied", document.body.dataset.state as "ready");
  } catch {
    setStatus(`link: ${location.href}`, document.body.dataset.state as "ready");
  }
});
let pendingDownload = false;
$("download").addEventListener("click", () => {
  if (!analysis || analysis.key !== analysisKey) {
    pendingDownload = true;
    if (!state.answers) {
      setState({ answers: true }, false);
      showControls();
    }
    startAnalysis();
    $("answers-status").textContent = "the report starts when analyze --quick has finished (running…)";
    return;
  }
  void download();
});
async function download(): Promise<void> {
  if (!analysis) return;
  const overrides = { lr: state.lr, batch: state.batch, delta: state.delta, noise: state.noise };
  const html = await reportHtml(
    analysis.result,
    problemTextAsRun(state.text, overrides),
    reportCommand(state.seed),
  );
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  a.download = "report.html";
  document.body.append(a);
  a.click();
  a.remove();
  document.body.dataset.download = "done";
}
window.addEventListener("resize", draw);

showControls();
history.replaceState(null, "", stateToHash(state));
run();
