/**
 * Ctrl-C inside a long synchronous grid computation (issue 10): the CLI runs the command in a worker thread,
 * so the signal is seen while the solver works; the run stops within a few seconds, keeps and writes what
 * finished, says "interrupted", and exits with 130. One test per command class that does grid work. Each
 * child is interrupted once it has used some seconds of CPU (not wall time: the machine may be loaded), when
 * far more than the allowed stop latency of work is left — without the stop the runs take minutes.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpuSeconds } from "./cpu.js";

const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const EX = join(__dirname, "..", "..", "examples");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-intr-"));

/** Most seconds from SIGINT to exit (a loaded 2-core machine: the stop itself is polled every few ms). */
const MAX_STOP_SECONDS = 8;

/** Spawns the CLI, sends SIGINT once it has used `cpu` seconds of CPU, and waits for the exit. */
async function interruptAfter(args: string[], cpu: number) {
  const child = spawn(process.execPath, [BIN, ...args]);
  let out = "";
  let err = "";
  child.stdout.on("data", (b) => {
    out += b;
  });
  child.stderr.on("data", (b) => {
    err += b;
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  await cpuSeconds(child.pid as number, cpu, 60);
  const t0 = Date.now();
  child.kill("SIGINT");
  const code = await exited;
  return { code, out, err, stopSeconds: (Date.now() - t0) / 1000 };
}

describe("Ctrl-C inside a grid solve", () => {
  it("exit-time --method pde,sgd: keeps the finished grids, skips sgd, exit 130", async () => {
    const dir = join(tmp, "et");
    // rtol 1e-6: the refinement would go on to the largest grid (minutes)
    const r = await interruptAfter(
      [
        "exit-time",
        join(EX, "three-minima-2d.yaml"),
        "--from=-1.2,0",
        "--to",
        "x > 0.6",
        "--method",
        "pde,sgd",
        "--rtol",
        "1e-6",
        "--pde-seconds",
        "600",
        "--out",
        dir,
        "--json",
      ],
      4,
    );
    expect(r.code, r.err).toBe(130);
    expect(r.stopSeconds).toBeLessThan(MAX_STOP_SECONDS);
    const o = JSON.parse(r.out);
    expect(o.interrupted).toBe(true);
    const [pde, sgd] = o.estimates;
    expect(sgd.status).toBe("skipped");
    expect(sgd.reason).toMatch(/interrupted/);
    if (pde.status === "skipped") expect(pde.reason).toMatch(/interrupted during/);
    else {
      // the finest finished grid's value, with the error estimate those grids allow
      expect(pde.status).toBe("estimate");
      expect(pde.reason).toMatch(/INTERRUPTED before or while solving the \d+×\d+ grid/);
      expect(pde.time).toBeGreaterThan(0);
    }
    const saved = JSON.parse(readFileSync(join(dir, "exit-time.json"), "utf8"));
    expect(saved.interrupted).toBe(true);
    expect(saved.estimates).toEqual(o.estimates);
    expect(existsSync(join(dir, "exit-times.csv"))).toBe(true);
  }, 30_000);

  it("fokker-planck: keeps the snapshots reached, writes them, exit 130", async () => {
    const dir = join(tmp, "fp");
    // uniformization to t = 100 on 3001 nodes: ~6e6 products with the generator (minutes)
    const r = await interruptAfter(
      [
        "fokker-planck",
        join(EX, "double-well.yaml"),
        "--from=-1",
        "--grid",
        "3001",
        "--times",
        "0.01,0.1,1,10,100",
        "--out",
        dir,
        "--json",
      ],
      5,
    );
    expect(r.code, r.err).toBe(130);
    expect(r.stopSeconds).toBeLessThan(MAX_STOP_SECONDS);
    if (r.out === "") {
      // stopped in the stationary law, before the evolution: nothing finished, nothing written
      expect(r.err).toMatch(/interrupted \(Ctrl-C\) during .*nothing was written/);
      expect(existsSync(dir)).toBe(false);
      return;
    }
    const o = JSON.parse(r.out);
    expect(o.interrupted).toBe(true);
    expect(o.snapshots.length).toBeLessThan(5);
    expect(o.interrupted_at_time).toBeLessThan(100);
    // the result folder is complete for what finished: one CSV row per kept snapshot, the JSON says so
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(m.interrupted).toBe(true);
    const rows = readFileSync(join(dir, "snapshots.csv"), "utf8").trim().split("\n");
    expect(rows.length - 1).toBe(o.snapshots.length);
    for (const s of o.snapshots) expect(Math.abs(s.mass - 1)).toBeLessThan(1e-9);
  }, 30_000);

  it("stationary: stops within seconds, keeps the law when it finished, exit 130", async () => {
    const dir = join(tmp, "st");
    const r = await interruptAfter(
      ["stationary", join(EX, "three-minima-2d.yaml"), "--grid", "300", "--out", dir, "--json"],
      4,
    );
    expect(r.code, r.err).toBe(130);
    expect(r.stopSeconds).toBeLessThan(MAX_STOP_SECONDS);
    if (r.out === "") {
      expect(r.err).toMatch(/interrupted \(Ctrl-C\) during .*nothing was written/);
      expect(existsSync(dir)).toBe(false);
      return;
    }
    const o = JSON.parse(r.out);
    expect(o.interrupted).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).interrupted).toBe(true);
  }, 30_000);

  it("analyze: writes the report of what finished and says it was interrupted, exit 130", async () => {
    const dir = join(tmp, "an");
    const r = await interruptAfter(
      ["analyze", join(EX, "three-minima-2d.yaml"), "--grid", "300", "--out", dir, "--no-png", "--json"],
      3,
    );
    expect(r.code, r.err).toBe(130);
    expect(r.stopSeconds).toBeLessThan(MAX_STOP_SECONDS + 4); // + writing the report
    const summary = readFileSync(join(dir, "summary.json"), "utf8");
    expect(summary).toMatch(/interrupted/);
    expect(existsSync(join(dir, "report.html"))).toBe(true);
  }, 40_000);

  it("landscape: stops its multi-start search, says nothing was written, exit 130", async () => {
    // 5000 descents on the 354-parameter network: well over a minute without the stop
    const r = await interruptAfter(
      ["landscape", join(EX, "mlp-two-moons.yaml"), "--starts", "5000", "--json"],
      2,
    );
    expect(r.code, r.err).toBe(130);
    expect(r.stopSeconds).toBeLessThan(MAX_STOP_SECONDS);
    expect(r.err).toMatch(
      /interrupted \(Ctrl-C\) during the multi-start search for minima \(\d+ of 5000 starts done\).*nothing was written/,
    );
    expect(r.out).toBe("");
  }, 30_000);

  it("simulate: keeps the particles that finished, writes them, exit 130", async () => {
    const dir = join(tmp, "sim");
    const r = await interruptAfter(
      [
        "simulate",
        join(EX, "double-well.yaml"),
        "--particles",
        "2000000",
        "--steps",
        "2000",
        "--threads",
        "1",
        "--out",
        dir,
        "--json",
      ],
      3,
    );
    expect(r.code, r.err).toBe(130);
    expect(r.stopSeconds).toBeLessThan(MAX_STOP_SECONDS);
    const o = JSON.parse(r.out);
    expect(o.stopped).toBe(true);
    expect(o.particles).toBeLessThan(2000000);
    expect(o.requested_particles).toBe(2000000);
    expect(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).stopped).toBe(true);
  }, 30_000);

  it("sweep with pde cells: stops within seconds, keeps the finished cells, and the rerun resumes to the same table", async () => {
    const args = (out: string) => [
      "sweep",
      join(EX, "three-minima-2d.yaml"),
      "--from=-1.2,0",
      "--to",
      "x > 0.6",
      "--method",
      "pde",
      "--lr",
      "0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55",
      "--grid",
      "161",
      "--threads",
      "1",
      "--quiet",
      "--out",
      out,
    ];
    // the same sweep uninterrupted: the reference table
    const ref = spawnSync(process.execPath, [BIN, ...args(join(tmp, "sw-ref"))], { encoding: "utf8" });
    expect(ref.status, ref.stderr).toBe(0);
    const dir = join(tmp, "sw");
    const r = await interruptAfter(args(dir), 3);
    expect(r.code, r.err).toBe(130);
    expect(r.stopSeconds).toBeLessThan(MAX_STOP_SECONDS);
    const m = /interrupted: (\d+) of 8 cells finished/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    const finished = Number(m?.[1]);
    expect(existsSync(join(dir, "sweep.csv"))).toBe(false);
    expect(existsSync(join(dir, "partial-sweep.json"))).toBe(finished > 0);
    const resumed = spawnSync(process.execPath, [BIN, ...args(dir)], { encoding: "utf8" });
    expect(resumed.status, resumed.stderr).toBe(0);
    if (finished > 0) expect(resumed.stderr).toMatch(new RegExp(`resuming: ${finished} of 8 cells`));
    expect(existsSync(join(dir, "partial-sweep.json"))).toBe(false);
    expect(readFileSync(join(dir, "sweep.csv"), "utf8")).toBe(
      readFileSync(join(tmp, "sw-ref", "sweep.csv"), "utf8"),
    );
  }, 60_000);
});
