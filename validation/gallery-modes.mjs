// npm run validate:gallery [-- --only name,name]: `sgdscope analyze --quick` and full analyze on every example in
// examples/, compared verdict by verdict from the JSON summary (summary.json fields, never the prose), written to
// docs/gallery-modes.md (issue #9 item 6: --quick and full agree on every gallery verdict, or the report says why).
// Runs the CLI (bin/sgdscope.js → dist/): `npm run validate:gallery` builds first. Minutes; not a test.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const args = process.argv.slice(2);
const i = args.indexOf("--only");
const only = i >= 0 ? args[i + 1].split(",") : [];

/** Runs analyze on one example; returns the summary object, wall seconds, and the exit code. */
function analyze(file, quick) {
  const out = mkdtempSync(join(tmpdir(), "sgdscope-gallery-"));
  const t0 = Date.now();
  const argv = [join(root, "bin", "sgdscope.js"), "analyze", file, "--out", out, "--json", "--no-png"];
  if (quick) argv.push("--quick");
  try {
    execFileSync(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    return { s, seconds: (Date.now() - t0) / 1000, error: null };
  } catch (e) {
    const msg = String(e.stderr ?? e.message)
      .trim()
      .split("\n")
      .slice(-3)
      .join(" ");
    return { s: null, seconds: (Date.now() - t0) / 1000, error: `exit ${e.status}: ${msg}` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const finite = (e) =>
  e ? (e.status === "infinite" ? "infinite" : e.time === null ? e.status : "finite") : "—";

/**
 * The verdicts of one summary, each a [key, value] pair with a string value: the answers a user acts on.
 * `context` holds numbers that explain a disagreement (sample sizes, intervals), not compared.
 */
function verdicts(s) {
  const v = [];
  const lt = s.longTime?.verdict;
  v.push(["long time: converges", String(lt?.converges)]);
  v.push(["long time: limit", String(lt?.limit)]);
  v.push(["long time: number of atoms", String(lt?.atoms?.length ?? 0)]);
  v.push(["long time: stationary law normalisable", String(s.longTime?.stationary?.normalisable ?? "—")]);
  v.push(["landscape: minima", String(s.landscape?.minima?.length ?? 0)]);
  v.push(["landscape: saddles", String(s.landscape?.saddles?.length ?? 0)]);
  const mass = s.drift?.particleMass;
  if (mass?.length) {
    const last = mass[mass.length - 1];
    let k = 0;
    for (let j = 1; j < last.length; j++) if (last[j] > last[k]) k = j;
    v.push([
      "first stage: basin holding most SGD mass at the last snapshot",
      k < (s.landscape?.minima?.length ?? 0) ? `minimum ${k}` : "unlabelled",
    ]);
  }
  for (const esc of s.escapes ?? []) {
    const tag = `escape from ${esc.label} to ${esc.target}`;
    v.push([`${tag}: finite?`, finite(esc.estimates?.find((e) => e.method === esc.best?.method))]);
    for (const e of esc.estimates ?? []) v.push([`${tag}: ${e.method} status`, e.status]);
    for (const c of esc.comparisons ?? []) v.push([`${tag}: ${c.a} vs ${c.b}`, c.relation]);
  }
  return v;
}

/** Numbers that explain a difference (shown next to a disagreement). */
function context(s, key) {
  const esc = (s.escapes ?? []).find((e) => key.startsWith(`escape from ${e.label} to ${e.target}`));
  if (esc) {
    const m = key.match(/: (\S+) vs (\S+)$/) ?? key.match(/: (\S+) status$/);
    const names = m ? m.slice(1) : [];
    return esc.estimates
      .filter((e) => names.includes(e.method))
      .map((e) => {
        const iv = e.interval
          ? `[${e.interval.map((x) => (x === null ? "∞" : Number(x).toPrecision(4))).join(", ")}]`
          : "";
        const n = e.detail?.particles
          ? `, ${e.detail.exited}/${e.detail.particles} exited by ${Number(e.detail.horizon).toPrecision(3)}`
          : "";
        const g = e.detail?.grid ? `, grid ${e.detail.grid.join("×")}` : "";
        return `${e.method} ${e.status} ${e.time === null ? "" : Number(e.time).toPrecision(4)} ${iv}${n}${g}`;
      })
      .join("; ");
  }
  if (key.startsWith("long time")) {
    const st = s.settings;
    return `long horizon ${st?.longHorizon}, long scale ${st?.longScale?.value} (${st?.longScale?.source}), grid ${st?.grid?.shape?.join("×")}`;
  }
  if (key.startsWith("landscape"))
    return s.settings?.grid?.shape
      ? `grid ${s.settings.grid.shape.join("×")}`
      : `d = ${s.problem?.dim}, no grid: minima and saddles from local searches, whose number depends on the mode`;
  if (key.startsWith("first stage"))
    return `drift particles ${s.settings?.driftParticles}, horizon ${s.settings?.driftHorizon}`;
  return "";
}

/** The two estimates of a comparison key ("…: a vs b") in one summary. */
function pair(s, key) {
  const esc = (s.escapes ?? []).find((e) => key.startsWith(`escape from ${e.label} to ${e.target}`));
  const m = key.match(/: (\S+) vs (\S+)$/);
  if (!esc || !m) return null;
  const a = esc.estimates.find((e) => e.method === m[1]);
  const b = esc.estimates.find((e) => e.method === m[2]);
  return a && b ? [a, b] : null;
}

/**
 * A cause read off the numbers when a comparison agrees in one mode and not in the other: the mode that agrees
 * has intervals too wide to resolve the difference the other measures.
 */
function cause(qs, fs, key) {
  const pq = pair(qs, key);
  const pf = pair(fs, key);
  if (!pq || !pf || pq.some((e) => e.status !== "estimate") || pf.some((e) => e.status !== "estimate"))
    return "";
  const rel = (e) => (e.interval ? (e.interval[1] - e.interval[0]) / 2 / e.time : Number.NaN);
  const wq = Math.hypot(rel(pq[0]), rel(pq[1]));
  const wf = Math.hypot(rel(pf[0]), rel(pf[1]));
  const dq = pq[0].time / pq[1].time - 1;
  const df = pf[0].time / pf[1].time - 1;
  if (!(wq > 0 && wf > 0)) return "";
  const pc = (v) => `${(100 * v).toFixed(1)}%`;
  // 95% half-widths treated as independent: the two modes' measured differences are consistent when they differ
  // by less than the combined half-width; then the verdicts differ only because one interval contains 0
  if (Math.abs(dq - df) <= Math.hypot(wq, wf))
    return `Resolution: quick measures ${pc(dq)} ± ${pc(wq)}, full ${pc(df)} ± ${pc(wf)} — consistent with each other; ${wq > wf ? "quick's" : "full's"} wider interval (fewer particles) does not separate the two methods, the other's does. `;
  return `Not explained by resolution: quick ${pc(dq)} ± ${pc(wq)}, full ${pc(df)} ± ${pc(wf)}. `;
}

const files = readdirSync(join(root, "examples"))
  .filter((f) => /\.ya?ml$/.test(f))
  .filter((f) => only.length === 0 || only.includes(basename(f).replace(/\.ya?ml$/, "")))
  .sort();
// Each example's two summaries are cached (validation/.gallery-cache/, not committed) as soon as they exist, and
// the doc is rewritten from the cache after each example: `--only` reruns some examples, the rest is kept.
const cacheDir = join(here, ".gallery-cache");
mkdirSync(cacheDir, { recursive: true });
const allFiles = readdirSync(join(root, "examples"))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
for (const f of files) {
  const file = join(root, "examples", f);
  process.stdout.write(`${f}: quick … `);
  const q = analyze(file, true);
  process.stdout.write(`${q.seconds.toFixed(0)} s, full … `);
  const full = analyze(file, false);
  console.log(`${full.seconds.toFixed(0)} s`);
  writeFileSync(
    join(cacheDir, `${f}.json`),
    JSON.stringify({ f, q, full, date: new Date().toISOString(), load: loadavg()[0] }),
  );
  writeDoc();
}

function writeDoc() {
  const md = ["# Gallery: `analyze --quick` against full `analyze`", ""];
  let agreeTotal = 0;
  let total = 0;
  const rows = allFiles
    .filter((f) => existsSync(join(cacheDir, `${f}.json`)))
    .map((f) => JSON.parse(readFileSync(join(cacheDir, `${f}.json`), "utf8")));
  const missing = allFiles.filter((f) => !rows.some((r) => r.f === f));
  const wall = rows.reduce((a, r) => a + r.q.seconds + r.full.seconds, 0);
  const per = [];
  for (const { f, q, full } of rows) {
    per.push("", `## ${f}`, "");
    per.push(
      `quick: ${q.seconds.toFixed(1)} s${q.error ? ` — FAILED ${q.error}` : ""}; full: ${full.seconds.toFixed(1)} s${full.error ? ` — FAILED ${full.error}` : ""}.`,
    );
    if (!q.s || !full.s) {
      total += 1;
      continue;
    }
    per.push(
      "",
      `Settings: quick ${q.s.settings?.particles} particles per escape method, grid ${q.s.settings?.grid?.shape?.join("×")}; full ${full.s.settings?.particles} particles, grid ${full.s.settings?.grid?.shape?.join("×")}.`,
      "",
      "| verdict | quick | full | agree | why they differ (numbers from each summary) |",
      "| --- | --- | --- | --- | --- |",
    );
    const vq = new Map(verdicts(q.s));
    const vf = new Map(verdicts(full.s));
    const keys = [...new Set([...vq.keys(), ...vf.keys()])];
    let agree = 0;
    for (const k of keys) {
      const a = vq.get(k) ?? "absent";
      const b = vf.get(k) ?? "absent";
      const same = a === b;
      agree += same ? 1 : 0;
      const why = same
        ? ""
        : `${cause(q.s, full.s, k)}quick: ${context(q.s, k) || "—"} / full: ${context(full.s, k) || "—"}`;
      // long target expressions shortened for display only (matching uses the full key)
      const shown = k.length > 140 ? `${k.slice(0, 90)} … ${k.slice(-40)}` : k;
      const note =
        a === "absent" || b === "absent"
          ? `only in ${a === "absent" ? "full" : "quick"}: the two modes escape from different minima or targets. `
          : "";
      per.push(
        `| ${shown} | ${a} | ${b} | ${same ? "yes" : "**no**"} | ${note}${why.replaceAll("|", "/")} |`,
      );
    }
    agreeTotal += agree;
    total += keys.length;
    rows.find((r) => r.f === f).agree = `${agree} of ${keys.length}`;
  }
  md.push(
    `Generated by \`npm run validate:gallery\` (validation/gallery-modes.mjs); runs ${rows.map((r) => r.date.slice(0, 16)).sort()[0] ?? "—"} to ${
      rows
        .map((r) => r.date.slice(0, 16))
        .sort()
        .at(-1) ?? "—"
    } UTC, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} (2 shared cores: wall times are not benchmarks); ${wall.toFixed(0)} s of analyze runs in all. Verdicts are read from each run's summary.json (docs/summary-schema.md); prose is not compared. Do not edit by hand.`,
    "",
    `**--quick and full agree on ${agreeTotal} of ${total} verdicts** over ${rows.length} examples${missing.length ? ` (not run yet: ${missing.join(", ")})` : ""}. Where they differ, the last column gives each mode's numbers (intervals, particles exited, grid) so the cause can be read off; a "bound" in one mode and "agree" in the other usually means a censored Monte Carlo run at quick's shorter horizon.`,
    "",
    "| example | quick (s) | full (s) | verdicts agreeing |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.f} | ${r.q.seconds.toFixed(1)}${r.q.error ? " (failed)" : ""} | ${r.full.seconds.toFixed(1)}${r.full.error ? " (failed)" : ""} | ${r.agree ?? "—"} |`,
    ),
    ...per,
    "",
  );
  writeFileSync(join(root, "docs", "gallery-modes.md"), md.join("\n"));
  console.log(`--quick and full agree on ${agreeTotal} of ${total} verdicts (${rows.length} examples)`);
}
writeDoc();
