/**
 * Particles: ensembles of SGD (real minibatches or Gaussian gradient noise), GD, Noisy SGD and the stochastic
 * modified equations, with exit events (Brownian-bridge correction) and divergence detection. Isomorphic.
 */
export { checkInitialLaw, drawInitial, type InitialLaw } from "./initial.js";
export { DYNAMICS_SUMMARY } from "./kinds.js";
export {
  DYNAMICS,
  type DynamicsKind,
  defaultBound,
  mergeResults,
  type SimulateOptions,
  type SimulateResult,
  simulate,
} from "./simulate.js";
