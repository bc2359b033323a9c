/**
 * sgdscope — the public library entry point. The numerical core is isomorphic (no Node APIs):
 * problem → solve → plain result objects. File I/O, threads and the CLI live at the edges.
 */
export * from "./analysis/index.js";
export { checkInitialLaw, drawInitial, type InitialLaw } from "./dynamics/initial.js";
export { Rng } from "./dynamics/rng.js";
export {
  DYNAMICS,
  type DynamicsKind,
  defaultBound,
  mergeResults,
  type SimulateOptions,
  type SimulateResult,
  simulate,
} from "./dynamics/simulate.js";
export { NumericalError, UserError } from "./errors.js";
export * from "./problem/index.js";
export { VERSION } from "./version.js";
