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
export { getOnchainRuntimeId } from "./getOnchainRuntimeId";
export { InputValidationError } from "./errors";
export { ONNX_WASM_RUNTIME_ID, ORT_WEB_VERSION, ORT_WEB_WASM_SHA256 } from "./onnx/pinnedWasm";
export { createOnnxWasmRuntime } from "./onnx/createOnnxWasmRuntime";
export { DEFAULT_MAX_INPUT_BYTES, readOnnxSignature } from "./onnx/readOnnxSignature";
export type { ReadOnnxSignatureParameters } from "./onnx/readOnnxSignature";
export type { DimSpec, ModelSignature, TensorSpec } from "./signature/types";
export {
  getContentUri,
  getModelSignatureUri,
  parseModelSignature,
  serializeModelSignature,
} from "./signature/serializeModelSignature";
export { validatePayload } from "./signature/validatePayload";
export { parseTensorJson } from "./signature/parseTensorJson";
export type { TensorJson } from "./signature/parseTensorJson";
export { formatPayloadJson, formatTensorJson, type TensorJsonOut } from "./signature/formatTensorJson";
export { KNOWN_RUNTIMES, findKnownRuntime } from "./knownRuntimes";
export type { KnownRuntime } from "./knownRuntimes";
export { RegistrationRefusedError, prepareModelRegistration } from "./prepareModelRegistration";
export type {
  PrepareModelRegistrationParameters,
  PrepareModelRegistrationReturnType,
} from "./prepareModelRegistration";
