// npm run validate:gallery [-- --only name,name]: `sgdscope analyze --quick` and full analyze on every example in
// examples/, compared verdict by verdict from the JSON summary (summary.json fields, never the prose), written to
// docs/gallery-modes.md (issue #9 item 6: --quick and full agree on every gallery verdict, or the report says why).
// "Compatible" = equal, or one side "not-resolved"/"bound" (or a count from an unsaturated landscape search) and
// the other consistent with it; contradictions are counted apart from resolution differences.
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
    const hw = s.drift?.particleMassHalfWidth?.[mass.length - 1] ?? last.map(() => 0);
    let k = 0;
    for (let j = 1; j < last.length; j++) if (last[j] > last[k]) k = j;
    const nMin = s.landscape?.minima?.length ?? 0;
    const name = (j) => (j < nMin ? `minimum ${j}` : "unlabelled");
    // the lead is resolved only when the top basin's 95% interval lies above every other's
    const ties = last.map((_, j) => j).filter((j) => j !== k && last[j] + hw[j] >= last[k] - hw[k]);
    v.push([
      "first stage: basin holding most SGD mass at the last snapshot",
      ties.length ? `not-resolved (${[k, ...ties].map(name).join(", ")})` : name(k),
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

/** The escape of a verdict key, and its comparison or estimate names. */
function escapeOf(s, key) {
  return (s.escapes ?? []).find((e) => key.startsWith(`escape from ${e.label} to ${e.target}`));
}
const searchOf = (s) => s.landscape?.search ?? null;
/** The minimum search of a mode found every minimum it will find (old summaries without `search`: assumed). */
const saturated = (s) => searchOf(s)?.saturated ?? true;

/**
 * How two modes' values of one verdict relate: "same"; "resolution" — different, but compatible: one side is
 * "not-resolved" or a censored "bound"/"lower-bound" the other is consistent with, or a count from a search that
 * is not saturated; "one-mode" — the question is asked in one mode only (different minima found, or quick's
 * smaller cap on escapes); "contradiction" — both sides decided, and differently.
 */
function relate(qs, fs, key, a, b) {
  if (a === b) return { kind: "same", why: "" };
  if (a === "absent" || b === "absent") {
    const unsat = !saturated(qs) || !saturated(fs);
    return {
      kind: "one-mode",
      why: `only in ${a === "absent" ? "full" : "quick"}: ${
        unsat
          ? "the landscape search is not saturated in at least one mode, so the two modes found different minima and escape from different ones"
          : "the two modes escape from different minima or targets (quick analyses at most 2 escapes, full 6)"
      }. `,
    };
  }
  if (key === "landscape: minima") {
    const [nq, nf] = [Number(a), Number(b)];
    const [sq, sf] = [saturated(qs), saturated(fs)];
    const ok = (!sq && !sf) || (!sq && sf && nq <= nf) || (sq && !sf && nf <= nq);
    return ok
      ? {
          kind: "resolution",
          why: `a count from a search that is not saturated (${[sq ? "" : "quick", sf ? "" : "full"].filter(Boolean).join(" and ")}: ${[searchOf(qs), searchOf(fs)].map((x) => (x ? `${x.hits.length} minima from ${x.starts} starts, ${x.hits.filter((h) => h === 1).length} reached once` : "—")).join(" / ")}) is a lower bound. `,
        }
      : { kind: "contradiction", why: "" };
  }
  if (key === "landscape: saddles") {
    const searched = [searchOf(qs)?.saddlesSearched ?? true, searchOf(fs)?.saddlesSearched ?? true];
    if (searched.some((x) => !x))
      return {
        kind: "resolution",
        why: `the saddle search did not run in ${searched[0] ? "full" : "quick"} mode (--quick with d > 10), so its count is not a count. `,
      };
    if (!saturated(qs) || !saturated(fs))
      return {
        kind: "resolution",
        why: "saddles are searched between the minima found, and the minimum search is not saturated. ",
      };
    return { kind: "contradiction", why: "" };
  }
  if (key.startsWith("first stage")) {
    // a lead within the binomial 95% intervals (e.g. a symmetric double well) is compatible with any tied basin
    const tied = (x, y) =>
      x.startsWith("not-resolved") &&
      (y.startsWith("not-resolved") || x.slice("not-resolved (".length, -1).split(", ").includes(y));
    return tied(a, b) || tied(b, a)
      ? { kind: "resolution", why: "the basins' SGD masses are equal within their binomial 95% intervals. " }
      : { kind: "contradiction", why: "" };
  }
  const esc = [escapeOf(qs, key), escapeOf(fs, key)];
  const st = key.match(/: (\S+) status$/);
  if (st && esc[0] && esc[1]) {
    // a censored lower bound in one mode and an estimate in the other: compatible when the estimate reaches it
    const [eq, ef] = esc.map((e) => e.estimates.find((x) => x.method === st[1]));
    const pairs = [
      [eq, ef],
      [ef, eq],
    ];
    for (const [lb, other] of pairs)
      if (lb?.status === "lower-bound" && other?.status === "estimate")
        return Number(other.interval?.[1] ?? other.time) >= Number(lb.time)
          ? {
              kind: "resolution",
              why: `censored at the ${lb === eq ? "quick" : "full"} run's horizon: a lower bound that the other mode's estimate reaches. `,
            }
          : { kind: "contradiction", why: "the estimate lies below the other mode's censored lower bound. " };
    return { kind: "contradiction", why: "" };
  }
  const cm = key.match(/: (\S+) vs (\S+)$/);
  if (cm && esc[0] && esc[1]) {
    if (a === "not-resolved" || b === "not-resolved")
      return {
        kind: "resolution",
        why: `${a === "not-resolved" ? "quick" : "full"} does not resolve the comparison against its tolerance. `,
      };
    if (a === "bound" || b === "bound") {
      // the censored method's bound in one mode against the same method's value in the other
      const [cq, cf] = esc.map((e) =>
        e.comparisons.find((c) => `${c.a} vs ${c.b}` === `${cm[1]} vs ${cm[2]}`),
      );
      const boundSide = a === "bound" ? 0 : 1;
      const lbName = [cq, cf][boundSide]?.lowerBound;
      const lb = esc[boundSide].estimates.find((x) => x.method === lbName);
      const other = esc[1 - boundSide].estimates.find((x) => x.method === lbName);
      const reaches =
        !other ||
        other.status === "lower-bound" ||
        Number(other.interval?.[1] ?? other.time) >= Number(lb?.time);
      return reaches
        ? {
            kind: "resolution",
            why: `${boundSide === 0 ? "quick" : "full"} has only a censored lower bound for ${lbName}, which the other mode's value reaches. `,
          }
        : {
            kind: "contradiction",
            why: `the other mode's ${lbName} lies below this mode's censored lower bound. `,
          };
    }
  }
  return { kind: "contradiction", why: "" };
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
  const cm = key.match(/: (\S+) vs (\S+)$/);
  const cs = cm
    ? [qs, fs].map((s) => escapeOf(s, key)?.comparisons?.find((c) => c.a === cm[1] && c.b === cm[2]))
    : [];
  if (cs.length === 2 && cs.every((c) => c?.ratioInterval)) {
    const f3 = (v) => Number(v).toPrecision(3);
    const one = (c, mode) => {
      const r = c.resolution;
      const need =
        r?.particlesNeeded === undefined
          ? ""
          : r.particlesNeeded === null
            ? c.relation === "not-resolved" && r.particles
              ? "; more runs alone cannot decide: the deterministic side's error is too wide"
              : ""
            : `; ≈ ${r.particlesNeeded === "Infinity" ? "∞" : r.particlesNeeded} runs would decide`;
      return `${mode} ratio ${f3(c.ratio)} [${c.ratioInterval.map(f3).join(", ")}] against ±${(100 * c.tolerance).toFixed(0)}%${r?.particles ? ` (${r.particles} runs per method${need})` : ""}`;
    };
    return `${one(cs[0], "quick")}; ${one(cs[1], "full")}. `;
  }
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
  const counts = { same: 0, resolution: 0, "one-mode": 0, contradiction: 0 };
  let total = 0;
  // summaries cached by an older sgdscope (schema_version < 3: "agree" meant "intervals overlap") are not compared
  const current = (r) => [r.q, r.full].every((m) => !m.s || (m.s.schema_version ?? 0) >= 3);
  const rows = allFiles
    .filter((f) => existsSync(join(cacheDir, `${f}.json`)))
    .map((f) => JSON.parse(readFileSync(join(cacheDir, `${f}.json`), "utf8")))
    .filter(current);
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
    const setting = (s) =>
      `${s.settings?.particles} particles per escape method, grid ${s.settings?.grid?.shape?.join("×") ?? "none"}${searchOf(s) ? `, ${searchOf(s).starts} landscape starts (${searchOf(s).saturated ? "saturated" : "not saturated"})` : ""}`;
    per.push(
      "",
      `Settings: quick ${setting(q.s)}; full ${setting(full.s)}.`,
      "",
      "| verdict | quick | full | compatible | why they differ (numbers from each summary) |",
      "| --- | --- | --- | --- | --- |",
    );
    const vq = new Map(verdicts(q.s));
    const vf = new Map(verdicts(full.s));
    const keys = [...new Set([...vq.keys(), ...vf.keys()])];
    const c = { same: 0, resolution: 0, "one-mode": 0, contradiction: 0 };
    for (const k of keys) {
      const a = vq.get(k) ?? "absent";
      const b = vf.get(k) ?? "absent";
      const rel = relate(q.s, full.s, k, a, b);
      c[rel.kind]++;
      const why =
        rel.kind === "same"
          ? ""
          : `${rel.why}${cause(q.s, full.s, k)}quick: ${context(q.s, k) || "—"} / full: ${context(full.s, k) || "—"}`;
      // long target expressions shortened for display only (matching uses the full key)
      const shown = k.length > 140 ? `${k.slice(0, 90)} … ${k.slice(-40)}` : k;
      const mark = {
        same: "yes",
        resolution: "yes (resolution)",
        "one-mode": "one mode only",
        contradiction: "**CONTRADICTION**",
      }[rel.kind];
      per.push(`| ${shown} | ${a} | ${b} | ${mark} | ${why.replaceAll("|", "/")} |`);
    }
    for (const x of Object.keys(c)) counts[x] += c[x];
    total += keys.length;
    const r0 = rows.find((r) => r.f === f);
    r0.counts = c;
    r0.n = keys.length;
  }
  md.push(
    `Generated by \`npm run validate:gallery\` (validation/gallery-modes.mjs); runs ${rows.map((r) => r.date.slice(0, 16)).sort()[0] ?? "—"} to ${
      rows
        .map((r) => r.date.slice(0, 16))
        .sort()
        .at(-1) ?? "—"
    } UTC, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} (2 shared cores: wall times are not benchmarks); ${wall.toFixed(0)} s of analyze runs in all. Verdicts are read from each run's summary.json (docs/summary-schema.md); prose is not compared. Do not edit by hand.`,
    "",
    `**--quick and full contradict each other on ${counts.contradiction} of ${total} verdicts** over ${rows.length} examples${missing.length ? ` (not run yet: ${missing.join(", ")})` : ""}: ${counts.same} identical, ${counts.resolution} different only in resolution (one side "not-resolved", a censored bound the other reaches, or a count from a landscape search that is not saturated), ${counts["one-mode"]} asked in one mode only (escapes from minima only one mode's search found, or beyond quick's cap of 2 escapes). A contradiction is two decided verdicts that differ ("agree" against "disagree", different counts from saturated searches, different long-time laws). The last column gives each mode's numbers (ratio intervals, runs, particles exited, grid, landscape starts) so the cause can be read off.`,
    "",
    "| example | quick (s) | full (s) | verdicts | identical | resolution | one mode only | contradictions |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.f} | ${r.q.seconds.toFixed(1)}${r.q.error ? " (failed)" : ""} | ${r.full.seconds.toFixed(1)}${r.full.error ? " (failed)" : ""} | ${r.n ?? "—"} | ${r.counts?.same ?? "—"} | ${r.counts?.resolution ?? "—"} | ${r.counts?.["one-mode"] ?? "—"} | ${r.counts?.contradiction ?? "—"} |`,
    ),
    ...per,
    "",
  );
  writeFileSync(join(root, "docs", "gallery-modes.md"), md.join("\n"));
  console.log(
    `--quick and full: ${counts.contradiction} contradictions, ${counts.resolution} resolution differences, ${counts["one-mode"]} in one mode only, ${counts.same} identical, of ${total} verdicts (${rows.length} examples)`,
  );
}
writeDoc();
