export type { InferenceResult, LoadedModel, Runtime } from "./types";
export { ZERO_TRACE_ROOT } from "./types";
export { ModelFormatError, RuntimeInputError } from "./errors";
export { MAX_REQUANT_MULTIPLIER, MAX_REQUANT_SHIFT, MIN_REQUANT_SHIFT, clampInt8, requantize } from "./requantize";
export {
  INTEGER_MODEL_MAGIC,
  INTEGER_MODEL_VERSION,
  outputOps,
  parseIntegerModel,
  serializeIntegerModel,
  validateIntegerModel,
} from "./integer/format";
export type { DenseLayer, InputQuantization, IntegerModel, OutputOp } from "./integer/format";
export { quantizeInput, runIntegerModel } from "./integer/runIntegerModel";
export type { RunIntegerModelReturnType } from "./integer/runIntegerModel";
export { INTEGER_RUNTIME_ID, createIntegerRuntime } from "./integer/createIntegerRuntime";
export { ONNX_RUNTIME_ID, createOnnxRuntime, onnxSessionOptions } from "./onnx/createOnnxRuntime";
export { TOLERANCE_SCALE, compareWithTolerance } from "./compareWithTolerance";
export type { CompareWithToleranceReturnType } from "./compareWithTolerance";
