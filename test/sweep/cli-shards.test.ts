/**
 * The sweep CLI: 2 threads and 2 shards (1 thread each) + merge write the same bytes (Monte Carlo and Eyring–Kramers rows);
 * a rerun skips a finished shard; merge refuses a missing shard. Needs `npm run build` (the CLI runs dist/).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-sweep-"));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};
const problem = join(tmp, "dw.yaml");
writeFileSync(
  problem,
  'name: dw\nloss: "x^4/4 - x^2/2"\nnoise: { isotropic: 1 }\nlr: 0.2\nbatch: 1\ndomain: [[-3, 3]]\nstart: [-1]\ntarget: "x > 0"\n',
);
const FLAGS = [
  "--lr",
  "0.4,0.8",
  "--batch",
  "1,2",
  "--seeds",
  "2",
  "--method",
  "sgd,kramers",
  "--particles",
  "100",
  "--quiet",
];
const FILES = ["sweep.csv", "sweep.arrow", "sweep-fits.json", "sweep.html"];
const bytes = (dir: string) => FILES.map((f) => readFileSync(join(dir, f)));

describe("sweep: same bytes for any threads and shards", () => {
  it("2 threads, and shards 0/2 and 1/2 merged", () => {
    const one = join(tmp, "one");
    const sh = join(tmp, "shards");
    // the whole sweep on 2 threads; the shards on 1 thread each
    expect(run(["sweep", problem, ...FLAGS, "--threads", "2", "--out", one]).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = run(["sweep", problem, ...FLAGS, "--threads", "1", "--shard", `${i}/2`, "--out", sh]);
      expect(r.code, r.err).toBe(0);
    }
    // a rerun of a finished shard does nothing
    const again = run(["sweep", problem, ...FLAGS, "--shard", "1/2", "--out", sh]);
    expect(again.out).toMatch(/shard 1\/2 of sweep \w+ is already done/);
    const m = run(["merge", sh, "--out", join(tmp, "merged")]);
    expect(m.code, m.err).toBe(0);
    const ref = bytes(one);
    expect(bytes(join(tmp, "merged"))).toEqual(ref);
    const csv = readFileSync(join(one, "sweep.csv"), "utf8").trim().split("\n");
    // 4 (η, B) × 2 seeds for sgd + 4 kramers rows, plus the header
    expect(csv).toHaveLength(1 + 8 + 4);
    expect(csv[0]).toMatch(/^cell,lr,batch,delta,seed,method,status,mean_exit_time,low,high/);
    // merge refuses an incomplete set of shards
    rmSync(join(sh, "shard-1-of-2.json"));
    const bad = run(["merge", sh, "--out", join(tmp, "bad")]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/shard 1\/2 of sweep \w+ missing/);
  });

  it("refuses bad input before any work", () => {
    const r = run(["sweep", problem, "--lr", "0.1:0.2", "--method", "exact", "--out", join(tmp, "x")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--lr: "0.1:0.2" is not a list/);
    const s = run([
      "sweep",
      problem,
      "--lr",
      "0.1",
      "--shard",
      "3/3",
      "--method",
      "exact",
      "--out",
      join(tmp, "x"),
    ]);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/--shard/);
  });
});
