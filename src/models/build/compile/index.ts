/** `verity model compile`: float ONNX → runtime-v2 int8 model (never loaded by a service). */
export { CompileRefusedError, type UnsupportedNode } from "./compileErrors";
export { compileOnnxModel } from "./compileOnnxModel";
export type { CompileEvaluation, CompileOnnxModelParameters, CompileOnnxModelReturnType } from "./compileOnnxModel";
export { type FloatLayer, type FloatModel, runFloatModel } from "./floatLayers";
export { SUPPORTED_OPS, lowerOnnxGraph, type LoweredOnnxGraph, type OpMappingRow } from "./lowerOnnxGraph";
export { type CalibrationMethod, type CalibrationStats, calibrate, quantizeFloatModel } from "./quantizeFloatModel";
export { readCalibration, type CalibrationJson } from "./readCalibration";
