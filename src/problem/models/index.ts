/**
 * Data-driven models with per-sample gradients (float64): linear and logistic regression, phase
 * retrieval and a small MLP, their data (generators, CSV, Iris) and the problem-file schema.
 */
export {
  type CsvOptions,
  type Dataset,
  datasetFromCsv,
  gaussianDesign,
  irisData,
  parseCsv,
  standardize,
  type TargetKind,
  TEACHER_WIDTH,
  teacherData,
  twoMoons,
  xorData,
} from "./data.js";
export {
  type GlmKind,
  GlmLoss,
  type GlmOptions,
  linearRegression,
  logisticRegression,
  phaseRetrieval,
  sigmoid,
  softplus,
} from "./glm.js";
export { IRIS_CLASSES, IRIS_FEATURES, IRIS_LABELS, IRIS_X } from "./iris.js";
export {
  type Activation,
  type MlpLayout,
  MlpLoss,
  type MlpOptions,
  mlpLayout,
  type OutputLoss,
} from "./mlp.js";
export {
  type BuiltModelLoss,
  buildModelLoss,
  type ModelLossContext,
  type ModelLossParsed,
  type ModelLossSpec,
  modelLossSchema,
  parseModelLoss,
} from "./schema.js";
