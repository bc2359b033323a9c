import { describe, expect, it } from "vitest";
import { teacherData, twoMoons } from "../../src/problem/models/data.js";
import { type Activation, MlpLoss, mlpLayout, type OutputLoss } from "../../src/problem/models/mlp.js";
import { Rng } from "../../src/random/rng.js";
import { fdHessianFromValue, fdRichardson, meanSampleGradient, relErr } from "./helpers.js";

interface Case {
  hidden: number[];
  activation: Activation;
  output: OutputLoss;
  bias: boolean;
  l2: number;
}
const cases: Case[] = [
  { hidden: [5], activation: "tanh", output: "softmax", bias: true, l2: 0 },
  { hidden: [4, 3], activation: "tanh", output: "squared", bias: true, l2: 0.01 },
  { hidden: [4, 3], activation: "relu", output: "softmax", bias: true, l2: 0 },
  { hidden: [6], activation: "relu", output: "squared", bias: false, l2: 0 },
  { hidden: [3, 4], activation: "tanh", output: "softmax", bias: false, l2: 0.2 },
];

function makeMlp(c: Case, n = 25): { loss: MlpLoss; x: Float64Array } {
  // 3 features, 3 classes for softmax; 2-D targets for squared
  const p = 3;
  const ds = teacherData(n, p, 21, 0.3, "linear");
  const outputs = c.output === "softmax" ? 3 : 2;
  const t = new Float64Array(c.output === "softmax" ? n : 2 * n);
  for (let i = 0; i < n; i++) {
    if (c.output === "softmax") t[i] = ds.y[i] < -0.2 ? 0 : ds.y[i] < 0.2 ? 1 : 2;
    else {
      t[2 * i] = ds.y[i];
      t[2 * i + 1] = Math.sin(ds.X[i * p]);
    }
  }
  const loss = new MlpLoss(ds.X, t, n, p, outputs, c);
  const r = new Rng(5, 0);
  const x = loss.initialParams(() => r.normal());
  // nonzero biases too, so that their gradients are exercised
  const lay = loss.layout();
  for (const bo of lay.bOff)
    if (bo >= 0) for (let k = 0; k < lay.sizes[lay.bOff.indexOf(bo) + 1]; k++) x[bo + k] = 0.3 * r.normal();
  return { loss, x };
}

describe.each(cases)("MLP $hidden $activation $output bias=$bias l2=$l2", (c) => {
  const { loss, x } = makeMlp(c);
  const d = loss.dim;

  it("has the documented parameter count", () => {
    const sizes = [3, ...c.hidden, c.output === "softmax" ? 3 : 2];
    let expected = 0;
    for (let l = 1; l < sizes.length; l++) expected += sizes[l] * sizes[l - 1] + (c.bias ? sizes[l] : 0);
    expect(d).toBe(expected);
  });

  it("sampleGradient (backprop) equals central differences of sampleValue", () => {
    const g = new Float64Array(d);
    for (const i of [0, 11, 24]) {
      const v = loss.sampleGradient(i, x, g);
      expect(v).toBeCloseTo(loss.sampleValue(i, x), 14);
      const fd = new Float64Array(d);
      // relu: kinks are a null set; h = 1e-5 only fails if a pre-activation is within 1e-5·|a| of 0
      const h = c.activation === "relu" ? 1e-5 : 1e-3;
      for (let j = 0; j < d; j++) fd[j] = fdRichardson((z) => loss.sampleValue(i, z), x, j, h);
      expect(relErr(g, fd)).toBeLessThan(c.activation === "relu" ? 1e-8 : 1e-9);
    }
  });

  it("gradient / value are the means of the per-sample ones; batchGradient the batch mean", () => {
    const g = new Float64Array(d);
    const v = loss.gradient(x, g);
    const m = meanSampleGradient(loss, d, x);
    expect(relErr(g, m.g)).toBeLessThan(1e-13);
    expect(v).toBeCloseTo(m.v, 12);
    expect(loss.value(x)).toBeCloseTo(m.v, 12);
    const idx = Int32Array.from([4, 4, 20, 1, 9]);
    const gb = new Float64Array(d);
    const vb = loss.batchGradient(idx, 4, x, gb);
    const ref = new Float64Array(d);
    const gi = new Float64Array(d);
    let vr = 0;
    for (let k = 0; k < 4; k++) {
      vr += loss.sampleGradient(idx[k], x, gi);
      for (let j = 0; j < d; j++) ref[j] += gi[j] / 4;
    }
    expect(relErr(gb, ref)).toBeLessThan(1e-13);
    expect(vb).toBeCloseTo(vr / 4, 12);
  });

  it("hessian (FD of the exact gradient) matches second differences of the value", () => {
    const H = new Float64Array(d * d);
    loss.hessian(x, H);
    for (let r = 0; r < d; r++) for (let s = 0; s < r; s++) expect(H[r * d + s]).toBe(H[s * d + r]);
    // value second differences: error ~h²|∂⁴L| + ε|L|/h² ≈ 1e-8 + 2e-8 with h = 1e-4
    expect(relErr(H, fdHessianFromValue(loss, x, 1e-4))).toBeLessThan(c.activation === "relu" ? 1e-5 : 2e-6);
    if (c.activation === "tanh") {
      // the documented accuracy (~1e-10 relative): against a Richardson (O(h⁴), h = 1e-3 → ~1e-12)
      // central difference of the exact gradient
      const gp = new Float64Array(d);
      const ref = new Float64Array(d * d);
      for (let j = 0; j < d; j++)
        for (let k = 0; k < d; k++)
          ref[k * d + j] = fdRichardson(
            (z) => {
              loss.gradient(z, gp);
              return gp[k];
            },
            x,
            j,
            1e-3,
          );
      expect(relErr(H, ref, 0)).toBeLessThan(1e-9);
    }
  });
});

describe("MLP layout and forward pass", () => {
  it("follows the documented layout: a hand-computed 2→2→2 tanh softmax network", () => {
    const X = Float64Array.from([0.5, -1]);
    const loss = new MlpLoss(X, Float64Array.from([1]), 1, 2, 2, {
      hidden: [2],
      activation: "tanh",
      bias: true,
    });
    const lay = mlpLayout([2, 2, 2], true);
    expect(lay).toEqual(loss.layout());
    expect(lay.wOff).toEqual([0, 6]);
    expect(lay.bOff).toEqual([4, 10]);
    expect(loss.dim).toBe(12);
    // W1 = [[1,2],[3,4]], b1 = [0.1,-0.2], W2 = [[0.5,-1],[2,0.25]], b2 = [0.3,-0.3]
    const x = Float64Array.from([1, 2, 3, 4, 0.1, -0.2, 0.5, -1, 2, 0.25, 0.3, -0.3]);
    const h0 = Math.tanh(1 * 0.5 + 2 * -1 + 0.1);
    const h1 = Math.tanh(3 * 0.5 + 4 * -1 - 0.2);
    const o0 = 0.5 * h0 - 1 * h1 + 0.3;
    const o1 = 2 * h0 + 0.25 * h1 - 0.3;
    const expected = Math.log(Math.exp(o0) + Math.exp(o1)) - o1;
    expect(loss.sampleValue(0, x)).toBeCloseTo(expected, 14);
    const out = new Float64Array(2);
    loss.predict(X, x, out);
    expect(out[0]).toBeCloseTo(o0, 14);
    expect(out[1]).toBeCloseTo(o1, 14);
  });

  it("the chunked batch kernel agrees with per-sample backprop across several chunks (count > 32)", () => {
    for (const c of cases) {
      const { loss, x } = makeMlp(c, 90);
      const d = loss.dim;
      const idx = new Int32Array(75);
      for (let k = 0; k < 75; k++) idx[k] = (k * 37) % 90;
      const gb = new Float64Array(d);
      const vb = loss.batchGradient(idx, 75, x, gb);
      const ref = new Float64Array(d);
      const gi = new Float64Array(d);
      let vr = 0;
      for (let k = 0; k < 75; k++) {
        vr += loss.sampleGradient(idx[k], x, gi);
        for (let j = 0; j < d; j++) ref[j] += gi[j] / 75;
      }
      expect(relErr(gb, ref)).toBeLessThan(1e-13);
      expect(vb).toBeCloseTo(vr / 75, 12);
      const g = new Float64Array(d);
      const m = meanSampleGradient(loss, d, x);
      expect(loss.gradient(x, g)).toBeCloseTo(m.v, 12);
      expect(relErr(g, m.g)).toBeLessThan(1e-13);
    }
  });

  it("softmax cross-entropy is stable for huge logits", () => {
    const X = Float64Array.from([1, 1]);
    const loss = new MlpLoss(X, Float64Array.from([0]), 1, 2, 2, {
      hidden: [1],
      activation: "relu",
      bias: false,
    });
    // h = relu(x0 + x1) = 1000, o = (1·h, −1·h): ℓ = logsumexp(o) − o_0 ≈ 0
    const x = Float64Array.from([500, 500, 1, -1]);
    const g = new Float64Array(4);
    expect(loss.sampleGradient(0, x, g)).toBe(0);
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
    x[2] = -1;
    x[3] = 1; // now the wrong class wins by 2000
    expect(loss.sampleValue(0, x)).toBeCloseTo(2000, 9);
  });

  it("SGD with batchGradient trains a tanh MLP on two moons to high accuracy", () => {
    const n = 200;
    const ds = twoMoons(n, 3, 0.1);
    const loss = new MlpLoss(ds.X, ds.y, n, 2, 2, { hidden: [16, 16], activation: "tanh" });
    const r = new Rng(1, 0);
    const x = loss.initialParams(() => r.normal());
    const g = new Float64Array(loss.dim);
    const idx = new Int32Array(32);
    const L0 = loss.value(x);
    for (let k = 0; k < 3000; k++) {
      for (let j = 0; j < 32; j++) idx[j] = r.int(n);
      loss.batchGradient(idx, 32, x, g);
      for (let j = 0; j < loss.dim; j++) x[j] -= 0.3 * g[j];
    }
    const out = new Float64Array(2);
    let correct = 0;
    for (let i = 0; i < n; i++) {
      loss.predict(ds.X.subarray(2 * i, 2 * i + 2), x, out);
      if ((out[1] > out[0] ? 1 : 0) === ds.y[i]) correct++;
    }
    expect(L0).toBeGreaterThan(0.3);
    expect(loss.value(x)).toBeLessThan(0.1);
    expect(correct / n).toBeGreaterThan(0.97); // two moons with noise 0.1 are (almost) separable
  });
});
