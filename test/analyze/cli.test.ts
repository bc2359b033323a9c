/** `sgdscope analyze` end to end (in-process): --json prints exactly one JSON object; plain mode answers the three questions. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";

const ex = (name: string) => join(__dirname, "../../examples", `${name}.yaml`);
const dir = mkdtempSync(join(tmpdir(), "sgdscope-analyze-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("sgdscope analyze", () => {
  it("--json prints exactly one JSON object: the summary", async () => {
    const r = await capture([
      "analyze",
      ex("tilted-double-well"),
      "--quick",
      "--json",
      "--no-png",
      "--out",
      join(dir, "a"),
    ]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines.length).toBe(1);
    const s = JSON.parse(lines[0]);
    expect(s.schema_version).toBe(3);
    expect(s.command).toContain("--json");
    expect(s.escapes.length).toBeGreaterThan(0);
    expect(existsSync(join(dir, "a", "report.html"))).toBe(true);
  }, 60_000);

  it("plain mode answers the three questions and gives the report path", async () => {
    const r = await capture(["analyze", ex("double-well"), "--quick", "--no-png", "--out", join(dir, "b")]);
    expect(r.code).toBe(0);
    for (const s of [
      "1. First stage:",
      "2. Escape:",
      "3. Convergence:",
      `report: ${join(dir, "b", "report.html")}`,
    ])
      expect(r.out).toContain(s);
    expect(r.out).toContain("30.8"); // the exact mean exit time (SDE time) of the reference table
  }, 60_000);

  it("a missing problem file is a clear error with exit code 2", async () => {
    const r = await capture(["analyze", join(dir, "nope.yaml"), "--quick"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("no such file");
  });

  it("Ctrl-C: keeps what finished, writes the report, says so and exits 130", async () => {
    const before = process.listenerCount("SIGINT");
    // one SIGINT as soon as analyze listens for it (a second one would exit the process)
    const poll = setInterval(() => {
      if (process.listenerCount("SIGINT") > before) {
        clearInterval(poll);
        process.emit("SIGINT");
      }
    }, 5);
    try {
      const r = await capture([
        "analyze",
        ex("double-well"),
        "--quick",
        "--no-png",
        "--json",
        "--out",
        join(dir, "c"),
      ]);
      expect(r.code).toBe(130);
      expect(r.err).toMatch(/stopping: finishing the particles in flight/);
      const s = JSON.parse(readFileSync(join(dir, "c", "summary.json"), "utf8"));
      expect(JSON.stringify(s)).toMatch(/interrupted \(Ctrl-C\)/);
      expect(process.listenerCount("SIGINT")).toBe(before);
    } finally {
      clearInterval(poll);
      process.exitCode = undefined;
    }
  }, 60_000);
});
