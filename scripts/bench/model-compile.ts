import fs from "node:fs";
import path from "node:path";
import { getDigitsSplit } from "../../src/models/build/digits";
import { compileOnnxModel } from "../../src/models/build/compile";
import { parseIntegerModelV2, quantizeInputV2, runIntegerModelV2 } from "../../src/runtime/integerV2";
import { type Measurement, type MeasureOptions, measure } from "./measure";

const SMALL_CNN = path.join(__dirname, "..", "..", "models", "onnx", "small-cnn.onnx");

/**
 * `verity model compile` of models/onnx/small-cnn.onnx with 200 digits as calibration (what the CLI does: lower,
 * calibrate, quantize, serialize, commit, then the ONNX Runtime vs v2 evaluation), and replays of the compiled CNN
 * under verity-int8-v2 (full trace commitment).
 */
export async function benchModelCompile(
  options: MeasureOptions,
): Promise<{ compile: Measurement; compileOnlyMs: number; replays: Measurement }> {
  const onnx = new Uint8Array(fs.readFileSync(SMALL_CNN));
  const digits = getDigitsSplit().train.slice(0, 200);
  const calibration = {
    samples: digits.map((s) => ({ dtype: "float32", shape: [1, 1, 8, 8], data: s.features.map((p) => p / 16) })),
  };
  let last = await compileOnnxModel({ onnx, calibration });
  const compileOnlyMs: number[] = [];
  const compile = await measure(async () => {
    last = await compileOnnxModel({ onnx, calibration });
    compileOnlyMs.push(last.compileMs);
    return 1;
  }, options);
  const model = parseIntegerModelV2(last.artifact);
  const inputs = digits.map((s) =>
    quantizeInputV2(
      model,
      s.features.map((p) => p / 16),
    ),
  );
  const replays = await measure(async () => {
    for (const input of inputs) runIntegerModelV2(model, input);
    return inputs.length;
  }, options);
  compileOnlyMs.sort((a, b) => a - b);
  return { compile, compileOnlyMs: Math.round(compileOnlyMs[compileOnlyMs.length >> 1]!), replays };
}
