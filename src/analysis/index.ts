/**
 * Statistics of sgdscope results: exit-time summaries with honest uncertainty, a test of
 * exponentiality, moments/histograms/region masses of particle snapshots, and the shared interval
 * helpers. Isomorphic: pure functions on typed arrays, no I/O.
 */

export * from "./compare.js";
export * from "./exit-stats.js";
export * from "./exponentiality.js";
export * from "./intervals.js";
export * from "./moments.js";
