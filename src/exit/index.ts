/**
 * The exit-time engine: one entry point (`exitTime`), one result type (`ExitEstimate`), a typed registry of
 * methods. Isomorphic: the ensemble runner is injected (in-process by default).
 */
export { applicableMethods, checkExitQuery, exitTime } from "./engine.js";
export { type LandscapeContext, landscapeContext } from "./landscape-context.js";
export { monteCarloExitTime } from "./particles.js";
export { defaultSdeStep, HORIZON_FACTOR } from "./policy.js";
export { EXIT_METHOD_SPECS, type ExitMethodSpec, isParticleMethod } from "./registry.js";
export { inProcessRunner } from "./runner.js";
export * from "./types.js";
