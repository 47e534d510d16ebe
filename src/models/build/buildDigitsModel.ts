import type { Hex } from "viem";
import { NO_PARAMS } from "./syntheticV2";
import { getDigitsSplit, DIGITS_SPLIT_SEED } from "./digits";
import { type DigitsCnn, argmax, defaultDigitsTraining, forwardDigitsCnn, trainDigitsCnn } from "./digitsCnn";
import type { Sample } from "./iris";
import { getRequantParameters } from "./quantizeMlp";
import {
  type IntegerModelV2,
  INTEGER_V2_RUNTIME_ID,
  computeTensorsV2,
  getModelCommitmentV2,
  parseIntegerModelV2,
  quantizeInputV2,
  serializeIntegerModelV2,
  validateIntegerModelV2,
} from "../../runtime/integerV2";

/** Input scale: a pixel count p in 0..16 becomes `floor(p · 7 + 0.5)` in 0..112, i.e. the float input p/16 times 112. */
const PIXEL_SCALE = 7;
const maxAbs = (values: readonly number[]) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Post-training int8 quantization of the float CNN to runtime v2, symmetric per tensor, calibrated on the training
 * set: conv2d (int8 weights, bias in accumulator units) → requantize to the activation scale `127 / max activation` →
 * relu → maxPool 2×2 → flatten → dense (int32 logits) → argmax.
 */
export function quantizeDigitsCnn(cnn: DigitsCnn, calibration: readonly Sample[]): IntegerModelV2 {
  const C = cnn.channels;
  const sIn = PIXEL_SCALE * 16;
  const sW1 = 127 / maxAbs(cnn.convW);
  const maxAct = Math.max(...calibration.flatMap((s) => forwardDigitsCnn(cnn, s.features).pooled));
  const sA = 127 / maxAct;
  const sW2 = 127 / maxAbs(cnn.denseW);
  const { multiplier, shift } = getRequantParameters(sA / (sIn * sW1));
  const model: IntegerModelV2 = {
    inputShape: [1, 8, 8],
    outputOp: "argmax",
    input: { mean: 0, scale: PIXEL_SCALE },
    layers: [
      {
        ...NO_PARAMS,
        op: "conv2d",
        inShape: [1, 8, 8],
        outShape: [C, 8, 8],
        kernel: 3,
        stride: 1,
        pad: 1,
        weights: Int8Array.from(cnn.convW, (w) => Math.round(w * sW1)),
        bias: Int32Array.from(cnn.convB, (b) => Math.round(b * sIn * sW1)),
      },
      { ...NO_PARAMS, op: "requantize", inShape: [C, 8, 8], outShape: [C, 8, 8], multiplier, shift },
      { ...NO_PARAMS, op: "relu", inShape: [C, 8, 8], outShape: [C, 8, 8] },
      { ...NO_PARAMS, op: "maxPool", inShape: [C, 8, 8], outShape: [C, 4, 4], kernel: 2, stride: 2 },
      { ...NO_PARAMS, op: "flatten", inShape: [C, 4, 4], outShape: [C * 16, 1, 1] },
      {
        ...NO_PARAMS,
        op: "dense",
        inShape: [C * 16, 1, 1],
        outShape: [10, 1, 1],
        weights: Int8Array.from(cnn.denseW, (w) => Math.round(w * sW2)),
        bias: Int32Array.from(cnn.denseB, (b) => Math.round(b * sA * sW2)),
      },
    ],
  };
  validateIntegerModelV2(model);
  return model;
}

/** Correct argmax predictions of a runtime-v2 artifact on samples. */
export function evaluateIntegerV2Artifact(artifact: Uint8Array, samples: readonly Sample[]): number {
  const model = parseIntegerModelV2(artifact);
  return samples.filter((s) => {
    const tensors = computeTensorsV2(model, quantizeInputV2(model, s.features).data);
    return argmax(Array.from(tensors[tensors.length - 1]!)) === s.label;
  }).length;
}

/** The `digits` section of `models/manifest.json`. */
export type DigitsManifest = {
  dataset: { file: string; license: string; split: string; seed: number };
  training: typeof defaultDigitsTraining;
  float: { correct: number; total: number; accuracy: number };
  models: {
    name: string;
    file: string;
    modelId: Hex;
    runtimeId: string;
    verificationMode: "EXACT";
    input: { dtype: "int8"; shape: number[] };
    output: { dtype: "int32"; shape: number[]; meaning: string };
    heldOut: { correct: number; total: number; accuracy: number };
  }[];
};

/** Trains, quantizes and evaluates the digits CNN, deterministically. */
export function buildDigitsModel(): { artifact: Uint8Array; manifest: DigitsManifest } {
  const { train, heldOut } = getDigitsSplit();
  const cnn = trainDigitsCnn(train);
  const floatCorrect = heldOut.filter((s) => argmax(forwardDigitsCnn(cnn, s.features).logits) === s.label).length;
  const model = quantizeDigitsCnn(cnn, train);
  const artifact = serializeIntegerModelV2(model);
  const correct = evaluateIntegerV2Artifact(artifact, heldOut);
  const total = heldOut.length;
  return {
    artifact,
    manifest: {
      dataset: {
        file: "data/digits.csv.gz",
        license: "data/DIGITS-LICENSE.md (UCI, CC BY 4.0)",
        split: `seeded shuffle, last 20% held out (${train.length} train / ${total} held out)`,
        seed: DIGITS_SPLIT_SEED,
      },
      training: defaultDigitsTraining,
      float: { correct: floatCorrect, total, accuracy: floatCorrect / total },
      models: [
        {
          name: "digits-cnn-int8",
          file: "digits-cnn-int8.vmodel2",
          modelId: getModelCommitmentV2(model).modelId,
          runtimeId: INTEGER_V2_RUNTIME_ID,
          verificationMode: "EXACT",
          input: { dtype: "int8", shape: [1, 8, 8] },
          output: { dtype: "int32", shape: [1], meaning: "the digit 0..9" },
          heldOut: { correct, total, accuracy: correct / total },
        },
      ],
    },
  };
}
