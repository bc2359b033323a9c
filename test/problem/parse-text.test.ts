/**
 * The pure problem-text parser (problem/parse-text.ts) that the CLI's loader and the browser page share: located
 * syntax errors, strict JSON for *.json, the alias cap — and the page's wrapper gives the same message.
 */
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { parseProblemText as cliParse } from "../../src/io/load-problem.js";
import { MAX_YAML_ALIASES, parseProblemText } from "../../src/problem/parse-text.js";
import { parseProblemText as pageParse } from "../../web/src/spec.js";

const thrown = (f: () => unknown): UserError => {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error("did not throw");
};

describe("problem text parser (core)", () => {
  it("reads YAML and JSON into plain data", () => {
    expect(parseProblemText('loss: "x^2"\nlr: 0.1\n', "p.yaml")).toEqual({ loss: "x^2", lr: 0.1 });
    expect(parseProblemText('{"loss": "x^2", "lr": 0.1}', "p.json")).toEqual({ loss: "x^2", lr: 0.1 });
  });

  it("locates a YAML error (line 2 repeats the key of line 1)", () => {
    const e = thrown(() => parseProblemText("lr: 0.1\nlr: 0.2\n", "p.yaml"));
    expect(e.where).toBe("p.yaml");
    expect(e.message).toMatch(
      /^p\.yaml: is not valid YAML\/JSON at line 2, column 1: Map keys must be unique/,
    );
  });

  it("a *.json file must be strict JSON (trailing comma at column 13 of line 1)", () => {
    const e = thrown(() => parseProblemText('{"lr": 0.1, }', "p.json"));
    expect(e.message).toMatch(/^p\.json: is not valid JSON at line 1, column 13/);
    // the same text as YAML is accepted
    expect(parseProblemText('{"lr": 0.1, }', "p.yaml")).toEqual({ lr: 0.1 });
  });

  it("refuses an alias bomb beyond MAX_YAML_ALIASES expansions", () => {
    // 10 levels of 10 aliases each: 10^10 nodes if expanded
    const rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let k = 1; k <= 10; k++)
      rows.push(
        `a${k}: &a${k} [${Array(10)
          .fill(`*a${k - 1}`)
          .join(", ")}]`,
      );
    expect(MAX_YAML_ALIASES).toBe(100);
    expect(thrown(() => parseProblemText(rows.join("\n"), "bomb.yaml")).message).toMatch(
      /^bomb\.yaml: cannot be expanded/,
    );
  });

  it("the CLI's loader and the browser page use this one parser (same located message)", () => {
    const bad = 'lr: 0.1\nloss: "x^2\n';
    expect(cliParse).toBe(parseProblemText);
    const page = thrown(() => pageParse(bad));
    expect(page.where).toBe("problem");
    expect(page.message).toBe(thrown(() => parseProblemText(bad, "problem")).message);
    expect(thrown(() => pageParse("- 1\n- 2\n")).message).toMatch(/must be a mapping of keys/);
  });
});
