import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without type declarations
import { assemble, KERNELS } from "../../scripts/build-wasm.mjs";
import { twoMoons } from "../../src/problem/models/data.js";
import { type Activation, MlpLoss, type OutputLoss } from "../../src/problem/models/mlp.js";
import { MLP_KERNEL_WASM } from "../../src/problem/models/mlp-kernel-wasm.js";
import { SECH2_K8, TANH_K8, tanh } from "../../src/problem/models/tanh.js";
import { Rng } from "../../src/random/rng.js";
import { relErr } from "./helpers.js";

const decode = (b64: string) => Uint8Array.from(Buffer.from(b64, "base64"));

describe("MLP WebAssembly SIMD kernel", () => {
  it("the embedded bytes are the assembly of mlp-kernel.wat (npm run build:wasm is up to date)", async () => {
    const k = KERNELS.find((e: { name: string }) => e.name === "MLP_KERNEL_WASM");
    const bytes: Uint8Array = await assemble(k.wat);
    expect(Buffer.from(decode(MLP_KERNEL_WASM)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("its tanh gives the same bits as tanh.ts on 4241 reference points and the edge cases", () => {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(decode(MLP_KERNEL_WASM)), {});
    const e = inst.exports as unknown as {
      mem: WebAssembly.Memory;
      tanh(a: number, nI: number, nv: number, tab: number): void;
    };
    const F = new Float64Array(e.mem.buffer);
    F.set(TANH_K8, 0);
    F.set(SECH2_K8, TANH_K8.length);
    const ref = JSON.parse(readFileSync(new URL("./tanh-reference.json", import.meta.url), "utf8")) as {
      points: [number, number, number][];
    };
    const xs = ref.points.map((p) => p[0]);
    xs.push(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      0,
      -0,
      19.125,
      -19.125,
      1e308,
      5e-324,
    );
    const A = 8192; // byte offset of the rows, after the tables
    let mismatches = 0;
    // rows of 32 values; nv = 16 vectors (pairs) and, for the odd-vector path, nv = 15
    for (let start = 0; start < xs.length; start += 32) {
      const nv = (start / 32) % 2 === 0 ? 16 : 15;
      const row = xs.slice(start, start + 2 * nv);
      F.fill(0, A / 8, A / 8 + 32);
      F.set(row, A / 8);
      e.tanh(A, 1, nv, 0);
      for (let i = 0; i < row.length; i++) if (!Object.is(F[A / 8 + i], tanh(row[i]))) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  const N = 200;
  const data = twoMoons(N, 3, 0.2);
  const cases: { hidden: number[]; activation: Activation; output: OutputLoss; bias: boolean; l2: number }[] =
    [
      { hidden: [16, 16], activation: "tanh", output: "softmax", bias: true, l2: 0 },
      { hidden: [7, 5], activation: "relu", output: "squared", bias: true, l2: 0.01 },
      { hidden: [9], activation: "tanh", output: "squared", bias: false, l2: 0 },
      { hidden: [3, 17], activation: "relu", output: "softmax", bias: false, l2: 0.1 },
    ];
  for (const c of cases) {
    it(`agrees with the JS kernel and per-sample backprop: ${c.hidden.join("×")} ${c.activation} ${c.output}`, () => {
      const targets =
        c.output === "softmax" ? data.y : Float64Array.from(data.X.subarray(0, 2 * N), Math.sin);
      const wasm = new MlpLoss(data.X, targets, N, 2, 2, c);
      const js = new MlpLoss(data.X, targets, N, 2, 2, { ...c, kernel: "js" });
      expect(wasm.kernel).toBe("wasm-simd");
      expect(js.kernel).toBe("js");
      const r = new Rng(7, 0);
      const x = wasm.initialParams(() => r.normal());
      for (let j = 0; j < x.length; j++) x[j] += 0.1 * r.normal(); // nonzero biases
      const d = wasm.dim;
      for (const count of [1, 2, 3, 32, 33, 77, N]) {
        const idx = new Int32Array(count);
        for (let k = 0; k < count; k++) idx[k] = r.int(N);
        const gw = new Float64Array(d);
        const gj = new Float64Array(d);
        const vw = wasm.batchGradient(idx, count, x, gw);
        const vj = js.batchGradient(idx, count, x, gj);
        // independent path: the scalar per-sample forward/backward, averaged
        const gs = new Float64Array(d);
        const gi = new Float64Array(d);
        let vs = 0;
        for (let k = 0; k < count; k++) {
          vs += wasm.sampleGradient(idx[k], x, gi) / count;
          for (let j = 0; j < d; j++) gs[j] += gi[j] / count;
        }
        expect(relErr(gw, gj)).toBeLessThan(1e-14);
        expect(relErr(gw, gs)).toBeLessThan(1e-13);
        expect(Math.abs(vw - vj)).toBeLessThan(1e-13 * Math.max(1, Math.abs(vj)));
        expect(Math.abs(vw - vs)).toBeLessThan(1e-13 * Math.max(1, Math.abs(vs)));
        // deterministic, and instances do not share state
        const again = new Float64Array(d);
        const other = new MlpLoss(data.X, targets, N, 2, 2, c);
        other.batchGradient(idx, count, x, again);
        expect(Buffer.from(again.buffer).equals(Buffer.from(gw.buffer))).toBe(true);
      }
    });
  }

  it("propagates a NaN parameter to NaN gradients (divergence stays visible)", () => {
    const loss = new MlpLoss(data.X, data.y, N, 2, 2, { hidden: [4], activation: "tanh", output: "softmax" });
    const x = new Float64Array(loss.dim).fill(0.1);
    x[0] = Number.NaN;
    const g = new Float64Array(loss.dim);
    const idx = Int32Array.from([0, 1, 2]);
    expect(loss.batchGradient(idx, 3, x, g)).toBeNaN();
    expect(g.some((v) => Number.isNaN(v))).toBe(true);
  });
});
