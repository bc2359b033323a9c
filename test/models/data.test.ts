import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import {
  datasetFromCsv,
  gaussianDesign,
  irisData,
  parseCsv,
  standardize,
  teacherData,
  twoMoons,
  xorData,
} from "../../src/problem/models/data.js";

describe("generators", () => {
  it("are deterministic in the seed and change with it", () => {
    for (const gen of [
      (s: number) => gaussianDesign(50, 4, s, 0.1, "linear"),
      (s: number) => twoMoons(50, s, 0.1),
      (s: number) => xorData(50, s, 0.1),
      (s: number) => teacherData(50, 3, s, 0.1, "linear"),
    ]) {
      const a = gen(7);
      const b = gen(7);
      const c = gen(8);
      expect(Array.from(a.X)).toEqual(Array.from(b.X));
      expect(Array.from(a.y)).toEqual(Array.from(b.y));
      expect(Array.from(a.X)).not.toEqual(Array.from(c.X));
    }
  });

  it("two moons without noise lie on the two half circles, balanced classes", () => {
    const n = 400;
    const d = twoMoons(n, 2, 0);
    let ones = 0;
    for (let i = 0; i < n; i++) {
      const a = d.X[2 * i];
      const b = d.X[2 * i + 1];
      if (d.y[i] === 0) {
        expect(Math.hypot(a, b)).toBeCloseTo(1, 12);
        expect(b).toBeGreaterThanOrEqual(0);
      } else {
        ones++;
        expect(Math.hypot(a - 1, b - 0.5)).toBeCloseTo(1, 12);
        expect(b).toBeLessThanOrEqual(0.5);
      }
    }
    expect(ones).toBe(n / 2);
  });

  it("two moons jitter has the requested standard deviation (distance to the circle)", () => {
    const n = 4000;
    const s = 0.05;
    const d = twoMoons(n, 3, s);
    // radial residual ≈ N(0, s²) for small s; its sample std is within 5% of s (n=4000: se ≈ 1.1%)
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const a = d.X[2 * i];
      const b = d.X[2 * i + 1];
      const r = d.y[i] === 0 ? Math.hypot(a, b) - 1 : Math.hypot(a - 1, b - 0.5) - 1;
      m2 += r * r;
    }
    expect(Math.sqrt(m2 / n) / s).toBeGreaterThan(0.93);
    expect(Math.sqrt(m2 / n) / s).toBeLessThan(1.07);
  });

  it("XOR labels are the sign of a1·a2 without noise", () => {
    const d = xorData(300, 5, 0);
    let ones = 0;
    for (let i = 0; i < 300; i++) {
      expect(d.y[i]).toBe(d.X[2 * i] * d.X[2 * i + 1] > 0 ? 1 : 0);
      ones += d.y[i];
    }
    // Binomial(300, 1/2): 5σ ≈ 43
    expect(Math.abs(ones - 150)).toBeLessThan(43);
  });

  it("Gaussian design: features have unit variance and targets follow the planted model", () => {
    const n = 5000;
    const d = gaussianDesign(n, 2, 1, 0, "phase");
    let v = 0;
    for (let k = 0; k < 2 * n; k++) v += d.X[k] ** 2;
    expect(v / (2 * n)).toBeGreaterThan(0.95); // se ≈ 0.014
    expect(v / (2 * n)).toBeLessThan(1.05);
    for (let i = 0; i < 10; i++) {
      const u = d.X[2 * i] * d.planted![0] + d.X[2 * i + 1] * d.planted![1];
      expect(d.y[i]).toBeCloseTo(u * u, 14);
    }
    const b = gaussianDesign(200, 3, 1, 0, "binary");
    expect(b.classes).toBe(2);
    for (let i = 0; i < 200; i++) {
      let u = 0;
      for (let j = 0; j < 3; j++) u += b.X[i * 3 + j] * b.planted![j];
      expect(b.y[i]).toBe(u > 0 ? 1 : 0);
    }
  });
});

describe("Iris", () => {
  it("has Fisher's 150 samples: column means and class counts", () => {
    const d = irisData();
    expect(d.n).toBe(150);
    expect(d.p).toBe(4);
    const means = [5.843333, 3.057333, 3.758, 1.199333];
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < 150; i++) s += d.X[i * 4 + j];
      expect(s / 150).toBeCloseTo(means[j], 5);
    }
    const counts = [0, 0, 0];
    for (const c of d.y) counts[c]++;
    expect(counts).toEqual([50, 50, 50]);
    // Fisher's values for samples 35 and 38 (1-based)
    expect(Array.from(d.X.subarray(34 * 4, 35 * 4))).toEqual([4.9, 3.1, 1.5, 0.2]);
    expect(Array.from(d.X.subarray(37 * 4, 38 * 4))).toEqual([4.9, 3.6, 1.4, 0.1]);
  });

  it("standardize gives mean 0 and variance 1 per feature", () => {
    const d = standardize(irisData());
    for (let j = 0; j < 4; j++) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < 150; i++) {
        s += d.X[i * 4 + j];
        s2 += d.X[i * 4 + j] ** 2;
      }
      expect(s / 150).toBeCloseTo(0, 12);
      expect(s2 / 150).toBeCloseTo(1, 12);
    }
  });
});

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

describe("CSV", () => {
  it("parses quotes, escaped quotes, CRLF, blank lines and a BOM", () => {
    const { rows, lines } = parseCsv('\ufeffa,b,c\r\n1,"x, ""y""",3\r\n\r\n4,"multi\nline",6\n');
    expect(rows).toEqual([
      ["a", "b", "c"],
      ["1", 'x, "y"', "3"],
      ["4", "multi\nline", "6"],
    ]);
    expect(lines).toEqual([1, 2, 4]);
  });

  it("reads numeric regression targets and string class labels", () => {
    const reg = datasetFromCsv("f1,f2,t\n1,2,0.5\n3,4e-1,-1\n", { target: "t" });
    expect(reg.classes).toBe(0);
    expect(Array.from(reg.X)).toEqual([1, 2, 3, 0.4]);
    expect(Array.from(reg.y)).toEqual([0.5, -1]);
    const cls = datasetFromCsv("t,f1\ncat,1\ndog,2\ncat,3\n", { target: "t" });
    expect(cls.classes).toBe(2);
    expect(cls.classNames).toEqual(["cat", "dog"]);
    expect(Array.from(cls.y)).toEqual([0, 1, 0]);
    const sel = datasetFromCsv("a,b,c,t\n1,2,3,1\n4,5,6,0\n", {
      target: "t",
      features: ["c", "a"],
      classification: true,
    });
    expect(Array.from(sel.X)).toEqual([3, 1, 6, 4]);
    expect(sel.classes).toBe(2);
    expect(Array.from(sel.y)).toEqual([1, 0]);
  });

  it("never turns a numeric target with a stray word into class codes (issue 10)", () => {
    // a regression model (classification false) and the automatic reading both refuse, naming the cell
    for (const classification of [false, undefined]) {
      const e = userError(() =>
        datasetFromCsv("a,t\n1,0.5\n2,1.5\n3,n/a\n4,2\n", { target: "t", classification, where: "d.csv" }),
      );
      expect(e.message).toContain("d.csv: line 4, column 2");
      expect(e.message).toContain('"n/a" in the target column "t" is not a finite number');
    }
    // hex and binary are not decimal numbers either
    const e = userError(() => datasetFromCsv("a,t\n1,0.5\n2,0x10\n", { target: "t", classification: false }));
    expect(e.message).toContain('"0x10"');
    // names alone are still class labels where labels are allowed
    expect(datasetFromCsv("a,t\n1,cat\n2,dog\n", { target: "t" }).classes).toBe(2);
  });

  it("reports bad input as UserError with line and column", () => {
    let e = userError(() => datasetFromCsv("a,b,t\n1,2,3\n4,abc,6\n", { target: "t", where: "d.csv" }));
    expect(e.message).toContain("d.csv: line 3, column 2");
    expect(e.message).toContain('"abc"');
    e = userError(() => datasetFromCsv("a,b,t\n1,2,3\n4,6\n", { target: "t", where: "d.csv" }));
    expect(e.message).toContain("line 3");
    expect(e.message).toContain("expected 3 cells");
    e = userError(() => datasetFromCsv("a,b,t\n1,2,3\n", { target: "label" }));
    expect(e.message).toContain('"label"');
    expect(e.message).toContain('"a", "b", "t"');
    e = userError(() => datasetFromCsv("a,b,t\n1,2,3\n", { target: "t", features: ["a", "zz"] }));
    expect(e.message).toContain('feature column "zz"');
    e = userError(() => datasetFromCsv('a,t\n1,"2\n', { target: "t" }));
    expect(e.message).toContain("unterminated");
    e = userError(() => datasetFromCsv("a,t\n1,x\n2,x\n", { target: "t" }));
    expect(e.message).toContain("single class");
    e = userError(() => datasetFromCsv("a,t\n1,0\n2,2\n", { target: "t", classification: true }));
    expect(e.message).toContain("1 never occurs");
    e = userError(() => datasetFromCsv("a,a,t\n1,2,3\n", { target: "t" }));
    expect(e.message).toContain("duplicate");
    e = userError(() => datasetFromCsv("a,t\n", { target: "t" }));
    expect(e.message).toContain("no data rows");
    e = userError(() => datasetFromCsv("a,t\n0x10,1\n", { target: "t" }));
    expect(e.message).toContain("line 2, column 1");
    e = userError(() => datasetFromCsv("a,t\n1,2\nInfinity,3\n", { target: "t" }));
    expect(e.message).toContain("line 3, column 1");
    e = userError(() => datasetFromCsv('a,t\n1,"2"x\n', { target: "t" }));
    expect(e.message).toContain("after a closing quote");
  });
});
