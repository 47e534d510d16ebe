/** Building the bundled models: the Iris split, training, quantization and the ONNX export (scripts and tests). */
export { createRandom, exactExp, shuffleInPlace } from "./random";
export { IRIS_HELD_OUT_PER_CLASS, IRIS_SPLIT_SEED, getIrisSplit } from "./iris";
export type { Sample } from "./iris";
export { defaultTrainParameters, forwardMlp, standardize, trainMlp } from "./trainMlp";
export type { FloatMlp, TrainMlpParameters } from "./trainMlp";
export { getRequantParameters, quantizeMlp } from "./quantizeMlp";
export { exportMlpToOnnx } from "./exportOnnx";
export { IRIS_ONNX_TOLERANCE, buildIrisModels, evaluateIntegerArtifact, evaluateOnnxArtifact } from "./buildIrisModels";
