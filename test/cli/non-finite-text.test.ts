/**
 * No `NaN`, `Infinity`, `undefined` or `[object …]` in human-readable text (issue 10), on inputs that produce
 * non-finite values: a minimum where the noise vanishes (infinite mean exit time, unbounded bounds), a learning
 * rate beyond GD's stability limit (2.5 > 2/λ), and a domain of ±1e150 (overflowing integrals). The CLI runs with
 * SGDSCOPE_STRICT_TEXT=1, under which printText refuses such a word (exit 1 naming it) instead of writing it as
 * a word — so a number interpolated unformatted anywhere in a command's text makes this test fail. The HTML
 * report's text (it holds no scripts) is checked the same way; JSON keeps its documented encoding. Each case
 * runs the three problems in parallel (a few seconds on an idle machine; the timeouts allow for a loaded one).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findRawValueWords, readableText } from "../../src/analysis/format.js";

const BIN = join(__dirname, "..", "..", "bin", "sgdscope.js");
const tmp = mkdtempSync(join(tmpdir(), "sgdscope-nonfinite-"));

function problem(name: string, body: string): string {
  const f = join(tmp, name);
  writeFileSync(f, body);
  return f;
}

const PROBLEMS = {
  // Σ = (x+1)² vanishes at the global minimum x = −1: from −0.5 the process converges there and never exits
  interpolating: problem(
    "interp.yaml",
    `name: interpolating\nloss:\n  samples:\n    - "(x+1)^2*((x-1)^2 + 0.8)"\n    - "(x+1)^2*((x-1)^2 - 0.2)"\nlr: 0.05\nbatch: 1\ndomain: [[-3, 3]]\nstart: [-0.5]\ntarget: "x > 0.5"\n`,
  ),
  diverging: problem(
    "div.yaml",
    `name: diverging\nloss: "x^2/2"\nnoise: { isotropic: 1 }\nlr: 2.5\nbatch: 1\ndomain: [[-3, 3]]\nstart: [1]\ntarget: "x > 2"\n`,
  ),
  huge: problem(
    "huge.yaml",
    `name: huge domain\nloss: "x^2/2"\nnoise: { isotropic: 1 }\nlr: 0.1\nbatch: 1\ndomain: [[-1e150, 1e150]]\nstart: [1]\ntarget: "x > 2"\n`,
  ),
};

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, SGDSCOPE_STRICT_TEXT: "1" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => {
      out += b;
    });
    child.stderr.on("data", (b) => {
      err += b;
    });
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

/** Runs `args(file)` on every problem (in parallel) and checks the human text of each. */
async function clean(args: (file: string) => string[]): Promise<void> {
  const rs = await Promise.all(Object.values(PROBLEMS).map((f) => run(args(f))));
  for (const r of rs) {
    expect(r.err).not.toMatch(/raw value words|internal error/);
    expect(r.code, r.err).toBe(0);
    expect(findRawValueWords(r.out)).toEqual([]);
    expect(findRawValueWords(r.err)).toEqual([]);
  }
}

describe("human-readable text never shows NaN, Infinity, undefined or [object …]", () => {
  it("the guard writes raw value words as words and finds them", () => {
    expect(readableText("t = Infinity, t′ = -Infinity, q = NaN, c = undefined, [object Object]")).toBe(
      "t = ∞, t′ = −∞, q = not a number, c = not available, not available",
    );
    // names that merely contain the words are left alone
    expect(findRawValueWords("NaNs, Infinityish, x.NaN, undefinedness")).toEqual([]);
  });

  it("simulate", () => clean((f) => ["simulate", f, "--particles", "200", "--steps", "200"]), 60_000);

  it(
    "exit-time, every method",
    () =>
      clean((f) => [
        "exit-time",
        f,
        "--method",
        "sgd,sde,pde,exact,kramers,bounds,path-1d",
        "--particles",
        "100",
        "--max-time",
        "5",
        "--no-dt-check",
        "--grid",
        "101",
      ]),
    60_000,
  );

  it("stationary and landscape", async () => {
    await clean((f) => ["stationary", f, "--grid", "101"]);
    await clean((f) => ["landscape", f]);
  }, 60_000);

  it(
    "fokker-planck",
    () => clean((f) => ["fokker-planck", f, "--times", "0.1,1", "--grid", "101", "--regions", "right=x>0"]),
    60_000,
  );

  it("analyze: the text and the HTML report", async () => {
    const dirs = Object.keys(PROBLEMS).map((k) => join(tmp, `an-${k}`));
    const files = Object.values(PROBLEMS);
    const rs = await Promise.all(
      files.map((f, k) => run(["analyze", f, "--quick", "--particles", "200", "--no-png", "--out", dirs[k]])),
    );
    rs.forEach((r, k) => {
      expect(r.code, r.err).toBe(0);
      expect(findRawValueWords(r.out)).toEqual([]);
      const html = readFileSync(join(dirs[k], "report.html"), "utf8");
      expect(html).not.toMatch(/<script/);
      const text = html.replace(/<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ");
      expect(findRawValueWords(text)).toEqual([]);
    });
  }, 60_000);
});
