/**
 * Non-particle exit-time methods for `exit-time --method`, each returning one JSON estimate object
 * (`{ method, time, iterations, ... }`). The PDE engine and the landscape register theirs here.
 */
import type { LoadedProblem } from "../io/load-problem.js";

export interface MethodContext {
  from: number[];
  to: string;
  grid?: number;
  json: boolean;
}

export type ExitMethod = (
  lp: LoadedProblem,
  ctx: MethodContext,
) => Promise<Record<string, unknown>> | Record<string, unknown>;

export const EXTRA_METHODS: Record<string, ExitMethod> = {};
