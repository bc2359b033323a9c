import { describe, expect, it } from "vitest";
import { problemFromSpec } from "../../src/problem/index.js";

const base = {
  name: "c",
  loss: "x^2/2 + y^2/2",
  lr: 0.1,
  batch: 1,
  domain: [
    [-1, 1],
    [-1, 1],
  ],
};

describe("noise given by expressions knows when it is constant", () => {
  it.each([
    [
      {
        matrix: [
          ["1", "0.4"],
          ["0.4", "0.5"],
        ],
      },
      true,
    ],
    [
      {
        matrix: [
          ["1 + pi/10", "exp(-1)"],
          ["exp(-1)", "sqrt(2)"],
        ],
      },
      true,
    ],
    [
      {
        matrix: [
          ["1 + x^2", "0"],
          ["0", "1"],
        ],
      },
      false,
    ],
    [{ diagonal: ["0.5", "2*e"] }, true],
    [{ diagonal: ["0.5", "1 + y^2"] }, false],
  ] as const)("%j → constant = %s", (noise, constant) => {
    const p = problemFromSpec({ ...base, noise });
    expect(p.noise.constant).toBe(constant);
    // and the covariance is the same at two points exactly when it is constant
    const s0 = new Float64Array(4);
    const s1 = new Float64Array(4);
    p.noise.covariance(Float64Array.of(0, 0), s0);
    p.noise.covariance(Float64Array.of(0.7, -0.9), s1);
    expect(Array.from(s0).every((v, k) => v === s1[k])).toBe(constant);
  });
});
