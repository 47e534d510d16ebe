/**
 * Reading the bundled models: the manifest and the artifacts. Light on purpose: services import this; building and
 * training the models (the Iris data set, the trainer, the ONNX exporter) lives in `./build` and is never loaded by
 * them.
 */
export { BUNDLED_MODELS_DIR, readModelManifest } from "./manifest";
export type { ModelManifest, ModelManifestEntry } from "./manifest";
export { loadBundledModel } from "./loadBundledModel";
