/** Problems: the schema of problem files, the expression language, noise models, data-driven models. */
export { OUTPUT_COLUMNS, type ProblemContext, problemFromSpec, reservedName } from "./build.js";
export {
  batchCovarianceFactor,
  type DiffusionParams,
  diffusionFromCovariance,
  diffusionMatrix,
  diffusionOfVariance,
  diffusionTrace,
  noiseScale,
} from "./diffusion.js";
export {
  type CompiledScalar,
  compileLevel,
  compileMany,
  compileMean,
  compileRegion,
  compileScalar,
  defaultVarNames,
  type Region,
} from "./expr/index.js";
export * as models from "./models/index.js";
export {
  constantDiagonalNoise,
  empiricalNoise,
  expressionDiagonalNoise,
  hessianNoise,
  lossNoise,
  matrixNoise,
  noNoise,
} from "./noise.js";
export { MAX_YAML_ALIASES, parseProblemText } from "./parse-text.js";
export { psdFactor, psdWorkSize } from "./psd.js";
export { type ProblemSpec, problemSchema, validateProblemSpec } from "./schema.js";
export type { Box, FiniteSum, Loss, NoiseKind, NoiseModel, Problem } from "./types.js";
