/**
 * The analysis worker: `analyze --quick` on the page's problem (the CLI's pipeline, same seed → same numbers),
 * for the three answers in words and the downloadable report. It takes seconds to tens of seconds, so it runs
 * apart from the live worker; the page terminates it when the state changes.
 */
import { analyze } from "../../src/analyze/index.js";
import { describeAnalysis } from "../../src/report/prose.js";
import { buildProblem, errorInfo, type Overrides } from "./spec.js";

export interface AnalyzeMessage {
  type: "analyze";
  id: number;
  text: string;
  overrides: Overrides;
  seed: number;
}

self.onmessage = async (ev: MessageEvent<AnalyzeMessage>) => {
  const { id, text, overrides, seed } = ev.data;
  const post = (m: unknown) => (self as unknown as Worker).postMessage(m);
  try {
    const p = buildProblem(text, overrides, null, "");
    const t0 = performance.now();
    const result = await analyze(p, {
      quick: true,
      seed,
      onStage: (stage) => post({ type: "stage", id, stage }),
    });
    post({ type: "analysis", id, result, answers: describeAnalysis(result), ms: performance.now() - t0 });
  } catch (e) {
    post({ type: "error", id, error: errorInfo(e) });
  }
};
