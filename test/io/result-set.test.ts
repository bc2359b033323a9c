/**
 * A result folder is all-old or all-new (issue 10): `simulate --out` is killed (SIGKILL) at random moments
 * while it replaces a complete result set, and after every kill the folder must hold exactly one complete
 * set, byte for byte one of the two runs' (or, in the instant between the two renames of the swap, the
 * old set complete in its `.old` sibling, which the next run restores). Leftovers are gone after the next
 * run. Plus the refusals of openResultSet.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { openResultSet, recoverResultDir } from "../../src/io/result-set.js";

const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-set-"));

/** Every file under `dir` (relative path → bytes as base64), hidden files included. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out.set(`${rel}${n}`, readFileSync(p).toString("base64"));
    }
  };
  walk(dir, "");
  return out;
}

const same = (a: Map<string, string>, b: Map<string, string>) =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

describe("openResultSet", () => {
  it("refuses an empty name, a folder holding other files, and the working folder", () => {
    expect(userError(() => openResultSet("")).message).toMatch(/^--out: is empty/);
    const other = join(tmp, "other");
    mkdirSync(other);
    writeFileSync(join(other, "notes.txt"), "mine");
    expect(userError(() => openResultSet(other)).message).toMatch(
      /holds files sgdscope did not write: notes\.txt/,
    );
    expect(userError(() => openResultSet(process.cwd())).message).toMatch(
      /is the working folder or holds it/,
    );
    expect(userError(() => openResultSet(join(process.cwd(), ".."))).message).toMatch(/working folder/);
  });

  it("swaps a set in whole and puts back an old set caught between the two renames", () => {
    const out = join(tmp, "swap");
    const a = openResultSet(out);
    writeFileSync(join(a.dir, "manifest.json"), "A");
    expect(existsSync(out)).toBe(false); // nothing visible until commit
    a.commit();
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe("A");
    // a run killed mid-swap by a process that no longer exists (pid 2^22+1 is above Linux's pid_max default)
    const dead = 4194305;
    renameSync(out, join(tmp, `.swap.sgdscope-${dead}-1.old`));
    mkdirSync(join(tmp, `.swap.sgdscope-${dead}-2.new`));
    writeFileSync(join(tmp, `.swap.sgdscope-${dead}-2.new`, "manifest.json"), "half");
    const b = openResultSet(out); // recovers first
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe("A");
    expect(readdirSync(tmp).filter((n) => n.startsWith(".swap."))).toEqual([
      expect.stringMatching(new RegExp(`^\\.swap\\.sgdscope-${process.pid}-\\d+\\.new$`)),
    ]);
    b.discard();
    writeFileSync(join(out, `.${dead}.17.tmp`), "stale");
    expect(recoverResultDir(out)).toEqual([join(out, `.${dead}.17.tmp`)]);
  });
});

describe("kill -9 during simulate --out", () => {
  it("leaves one complete result set after every kill, and no leftovers after the next run", async () => {
    const prob = join(tmp, "dw.json");
    writeFileSync(
      prob,
      JSON.stringify({
        name: "dw",
        loss: "x^4/4 - x^2/2",
        noise: { isotropic: 1 },
        lr: 0.1,
        batch: 1,
        domain: [[-3, 3]],
        start: [-1],
      }),
    );
    const args = (seed: number, out: string) => [
      BIN,
      "simulate",
      prob,
      "--particles",
      "5000",
      "--steps",
      "20",
      "--snapshots",
      "11",
      "--threads",
      "1",
      "--seed",
      String(seed),
      "--out",
      out,
      "--json",
    ];
    // the two complete sets, each written by a full run
    const ref: Map<string, string>[] = [];
    let full = 0;
    for (const seed of [1, 2]) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, args(seed, join(tmp, `ref${seed}`)), { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      full = Math.max(full, Date.now() - t0);
      ref.push(snapshot(join(tmp, `ref${seed}`)));
    }
    expect(same(ref[0], ref[1])).toBe(false);
    const out = join(tmp, "killed");
    expect(spawnSync(process.execPath, args(1, out)).status).toBe(0);
    const kills = 6;
    for (let k = 0; k < kills; k++) {
      // replace whichever set the folder holds by the other one
      const seed = same(snapshot(out), ref[0]) ? 2 : 1;
      // kill at a random moment of the run (spread over its whole duration, start-up included)
      const delay = Math.random() * full * 1.1;
      const child = spawn(process.execPath, args(seed, out), { stdio: "ignore" });
      await new Promise<void>((done) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), delay);
        child.on("exit", () => {
          clearTimeout(timer);
          done();
        });
      });
      const olds = readdirSync(tmp).filter((n) => /^\.killed\.sgdscope-\d+-\d+\.old$/.test(n));
      const seen = existsSync(out) ? snapshot(out) : olds.length === 1 ? snapshot(join(tmp, olds[0])) : null;
      expect(seen, `kill ${k} at ${delay.toFixed(0)} ms: no complete set`).not.toBeNull();
      expect(
        same(seen!, ref[0]) || same(seen!, ref[1]),
        `kill ${k} at ${delay.toFixed(0)} ms: a mixed set`,
      ).toBe(true);
      if (!existsSync(out)) recoverResultDir(out); // what the next run does first
    }
    // the next run removes whatever the kills left beside the folder
    expect(spawnSync(process.execPath, args(1, out)).status).toBe(0);
    expect(same(snapshot(out), ref[0])).toBe(true);
    expect(readdirSync(tmp).filter((n) => n.startsWith(".killed."))).toEqual([]);
  }, 120_000);
});
