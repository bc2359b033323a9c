import { describe, expect, it } from "vitest";
import { ouCovariance } from "../../src/landscape/ou.js";
import { solveDense } from "../../src/linalg/dense.js";
import { loadReference } from "../reference.js";
import { isotropic, makeLoss, makeProblem, noiseFrom } from "./fixtures.js";

const ref = loadReference("ornstein-uhlenbeck.json") as {
  stationary_variance_quadratic: { rows: { eta: number; sde: number; sgd: number }[] };
};

/** Quadratic L = ½ xᵀHx in 2-D with a given symmetric H. */
function quad2(H: number[]) {
  return makeLoss(
    2,
    (x) => 0.5 * (H[0] * x[0] * x[0] + 2 * H[1] * x[0] * x[1] + H[3] * x[1] * x[1]),
    (x, g) => {
      g[0] = H[0] * x[0] + H[1] * x[1];
      g[1] = H[2] * x[0] + H[3] * x[1];
    },
    (_x, h) => h.set(H),
  );
}

describe("OU covariance", () => {
  it("1-D quadratic: SDE ηc/(2a) and SGD η²c/(1−(1−ηa)²) (reference fixture)", () => {
    const loss = makeLoss(
      1,
      (x) => x[0] ** 2 / 2,
      (x, g) => {
        g[0] = x[0];
      },
      (_x, h) => {
        h[0] = 1;
      },
    );
    for (const row of ref.stationary_variance_quadratic.rows) {
      const p = makeProblem(loss, { noise: isotropic(1, 1), lr: row.eta, batch: 1, domain: [[-3, 3]] });
      const r = ouCovariance(p, [0]);
      expect(r.sde.covariance[0]).toBeCloseTo(row.sde, 12);
      if (row.eta * 1 < 2) {
        expect(r.sgd.stable).toBe(true);
        expect(r.sgd.covariance[0]).toBeCloseTo(row.sgd, 9);
      }
      expect(r.collapses).toBe(false);
    }
  });

  it("2-D by hand (diagonal H) and against a Kronecker/vec dense solve (rotated H)", () => {
    const Sig = [1, 0.5, 0.5, 2];
    const noise = noiseFrom(2, "matrix", (_x, o) => o.set(Sig), true);
    const eta = 0.1;
    const p = makeProblem(quad2([1, 0, 0, 3]), {
      noise,
      lr: eta,
      batch: 1,
      domain: [
        [-1, 1],
        [-1, 1],
      ],
    });
    const r = ouCovariance(p, [0, 0]);
    // H diagonal: S_ij = η Σ_ij / (h_i + h_j)
    expect(r.sde.covariance[0]).toBeCloseTo(0.05, 13);
    expect(r.sde.covariance[1]).toBeCloseTo(0.0125, 13);
    expect(r.sde.covariance[3]).toBeCloseTo((0.1 * 2) / 6, 13);
    // Rotated H, batch 2 with Noisy SGD δ: compare with (I⊗H + H⊗I) vec S = vec A and (I − M⊗M) vec S = η vec A.
    const c = Math.cos(0.4);
    const s = Math.sin(0.4);
    const H = [c * c * 1 + s * s * 3, c * s * (1 - 3), c * s * (1 - 3), s * s * 1 + c * c * 3];
    const delta = 0.01;
    const q = makeProblem(quad2(H), {
      noise,
      lr: eta,
      batch: 2,
      delta,
      domain: [
        [-1, 1],
        [-1, 1],
      ],
    });
    const rq = ouCovariance(q, [0, 0]);
    const A = Sig.map((v, i) => (eta * v) / 2 + (i === 0 || i === 3 ? 2 * delta : 0));
    const K = new Float64Array(16);
    const K2 = new Float64Array(16);
    const M = H.map((v, i) => (i === 0 || i === 3 ? 1 : 0) - eta * v);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        for (let k = 0; k < 2; k++)
          for (let l = 0; l < 2; l++) {
            // row (i,j), column (k,l): (HS + SH)_ij = H_ik S_kj + S_il H_lj
            K[(i * 2 + j) * 4 + (k * 2 + l)] = (l === j ? H[i * 2 + k] : 0) + (k === i ? H[l * 2 + j] : 0);
            K2[(i * 2 + j) * 4 + (k * 2 + l)] = (i === k && j === l ? 1 : 0) - M[i * 2 + k] * M[j * 2 + l];
          }
    const sde = solveDense(K, 4, Float64Array.from(A));
    const sgd = solveDense(K2, 4, Float64Array.from(A.map((v) => eta * v)));
    for (let i = 0; i < 4; i++) {
      expect(rq.sde.covariance[i]).toBeCloseTo(sde[i], 12);
      expect(rq.sgd.covariance[i]).toBeCloseTo(sgd[i], 12);
    }
  });

  it("collapses at an interpolating minimum; SGD unstable when ηλ ≥ 2", () => {
    const zero = noiseFrom(2, "empirical", (_x, o) => o.fill(0));
    const p = makeProblem(quad2([2, 0, 0, 1]), {
      noise: zero,
      lr: 0.1,
      domain: [
        [-1, 1],
        [-1, 1],
      ],
    });
    const r = ouCovariance(p, [0, 0]);
    expect(r.collapses).toBe(true);
    expect(r.sde.trace).toBe(0);
    expect(r.sgd.spectralRadius).toBeCloseTo(0.9, 14);
    expect(r.why).toMatch(/converge to x\*/);
    const u = ouCovariance(
      makeProblem(quad2([25, 0, 0, 1]), {
        noise: isotropic(2, 1),
        lr: 0.1,
        domain: [
          [-1, 1],
          [-1, 1],
        ],
      }),
      [0, 0],
    );
    expect(u.sgd.stable).toBe(false);
    expect(u.sde.stable).toBe(true);
    expect(u.why).toMatch(/unstable/);
  });
});
