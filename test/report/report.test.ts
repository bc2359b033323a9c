/**
 * The report of `analyze` on problems NOT in the gallery: summary.json numbers against closed forms
 * (Ornstein–Uhlenbeck), the files written, the HTML self-contained (no scripts, no external references),
 * and — when a Chromium is installed — opened offline in headless Chromium without errors.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnalysisResult, analyze } from "../../src/analyze/index.js";
import { problemFromSpec } from "../../src/problem/index.js";
import { SCHEMA_VERSION, writeReport } from "../../src/report/index.js";
import { VERSION } from "../../src/version.js";
import { loadReference } from "../reference.js";

// OU: L = a x²/2, isotropic σ², batch B, lr η.  A = ησ²/B = 2ε.
const a = 2;
const sigma2 = 1;
const eta = 0.1;
const spec = {
  name: "quadratic (OU)",
  loss: `${a}*x^2/2`,
  noise: { isotropic: sigma2 },
  lr: eta,
  batch: 1,
  domain: [[-3, 3]],
};
const problemText = JSON.stringify(spec);
let dir: string;
let r: AnalysisResult;
let summary: Record<string, unknown>;
let html: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sgdscope-report-"));
  r = await analyze(problemFromSpec(spec), { quick: true, seed: 3 });
  const w = await writeReport(r, {
    outDir: dir,
    command: "sgdscope analyze ou.json --quick",
    problemFile: "ou.json",
    problemText,
  });
  summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
  html = readFileSync(join(dir, "report.html"), "utf8");
  expect(w.files.length).toBeGreaterThan(5);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("analyze report on an OU problem (not in the gallery)", () => {
  it("summary.json agrees with the closed forms", () => {
    expect(summary.schema_version).toBe(SCHEMA_VERSION);
    expect(summary.sgdscope_version).toBe(VERSION);
    const s = summary as unknown as {
      landscape: { minima: { x: number[]; ou: { sde: number; sgd: number } }[] };
      longTime: { verdict: { limit: string }; spectral: { gap: number } };
      drift: { spread: { pde: number; particles: { ci95: [number, number] } }[] };
    };
    expect(s.landscape.minima.length).toBe(1);
    expect(Math.abs(s.landscape.minima[0].x[0])).toBeLessThan(1e-8);
    const varSde = (eta * sigma2) / (2 * a); // HS + SH = ηΣ
    const varSgd = (eta * eta * sigma2) / (1 - (1 - eta * a) ** 2); // S = (1−ηa)²S + η²Σ
    expect(s.landscape.minima[0].ou.sde).toBeCloseTo(Math.sqrt(varSde), 8);
    expect(s.landscape.minima[0].ou.sgd).toBeCloseTo(Math.sqrt(varSgd), 8);
    // the grid's stationary spread and spectral gap (OU: gap = a) within the grid error (h ≈ 0.015)
    expect(Math.abs(s.drift.spread[0].pde / Math.sqrt(varSde) - 1)).toBeLessThan(0.02);
    expect(Math.abs(s.longTime.spectral.gap / a - 1)).toBeLessThan(0.01);
    // the SGD particles' spread interval contains the discrete-SGD OU value
    const ci = s.drift.spread[0].particles.ci95;
    expect(ci[0]).toBeLessThanOrEqual(Math.sqrt(varSgd));
    expect(ci[1]).toBeGreaterThanOrEqual(Math.sqrt(varSgd));
    expect(s.longTime.verdict.limit).toBe("density");
  });

  it("writes figures as SVG and PNG, bulk data as CSV/Arrow, and infinite values as strings", () => {
    for (const f of [
      "figures/landscape.svg",
      "figures/landscape.png",
      "figures/clouds.svg",
      "figures/basin-mass.png",
      "data/basin-mass.csv",
      "data/particles.arrow",
      "data/pde-density.arrow",
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const png = readFileSync(join(dir, "figures/landscape.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(JSON.stringify(summary)).not.toContain("NaN");
  });

  it("report.html is self-contained: no scripts, no external resources, the problem file and command inside", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    // booleans, so that a failure does not print 2 MB of HTML
    expect(/<script/i.test(html)).toBe(false);
    expect(/<link\b/i.test(html)).toBe(false);
    expect(/@import/i.test(html)).toBe(false);
    expect(/url\((?!#)/i.test(html)).toBe(false); // only in-document references such as clip-path url(#clip1)
    expect(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i.test(html)).toBe(false);
    expect(/<(img|iframe|object|embed)\b/i.test(html)).toBe(false);
    for (const h of [
      "1. Landscape",
      "2. First stage",
      "3. Escape",
      "4. Long time",
      "5. How this report was produced",
    ])
      expect(html.includes(h), h).toBe(true);
    expect(html.includes("sgdscope analyze ou.json --quick")).toBe(true);
    expect(html.includes("2*x^2/2")).toBe(true);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it("a double well at another noise level (ε = 0.25, not in the gallery) matches the reference table", async () => {
    const ref = loadReference("double-well-met.json");
    const row = ref.rows.find((q: { eps: number }) => q.eps === 0.25);
    const q = await analyze(
      problemFromSpec({
        name: "dw eps 0.25",
        loss: "x^4/4 - x^2/2",
        noise: { isotropic: 1 },
        lr: 0.5,
        batch: 1,
        domain: [[-4, 4]],
        start: [-1],
        target: "x > 0",
      }),
      { quick: true, seed: 5 },
    );
    const e = q.escapes[0];
    const by = (m: string) => e.estimates.find((x) => x.method === m)!;
    expect(Math.abs((by("exact").time as number) / row.to_saddle_x_gt_0 - 1)).toBeLessThan(1e-3);
    expect(Math.abs((by("pde").time as number) / row.to_saddle_x_gt_0 - 1)).toBeLessThan(5e-3);
    const sde = by("sde");
    const half = ((sde.interval as [number, number])[1] - (sde.interval as [number, number])[0]) / 2;
    expect(Math.abs((sde.time as number) - row.to_saddle_x_gt_0)).toBeLessThan(1.7 * half);
    // the landscape's Kramers time from the minimum (transition) vs the table's Kramers column
    expect(q.landscape.minima[0].kramers.time).toBeCloseTo(row.kramers, 3);
  }, 60_000);

  const chromium = ["chromium", "chromium-browser", "google-chrome"].find(
    (c) => spawnSync("which", [c]).status === 0,
  );
  it.runIf(chromium !== undefined)(
    "opens offline in headless Chromium without errors",
    () => {
      const res = spawnSync(
        chromium as string,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--proxy-server=127.0.0.1:9", // any network request would fail and be logged
          "--enable-logging=stderr",
          "--v=0",
          "--dump-dom",
          `file://${join(dir, "report.html")}`,
        ],
        { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20 },
      );
      expect(res.status).toBe(0);
      expect(res.stdout.includes("4. Long time")).toBe(true);
      expect((res.stdout.match(/<svg/g) ?? []).length).toBe((html.match(/<svg/g) ?? []).length);
      const bad = res.stderr
        .split("\n")
        .filter((l) => /CONSOLE|Uncaught|net::ERR|Failed to load resource/i.test(l));
      expect(bad).toEqual([]);
    },
    90_000,
  );
});
