import type { IntegerModel } from "../../runtime";
import { MAX_REQUANT_MULTIPLIER, MAX_REQUANT_SHIFT } from "../../runtime";
import type { Sample } from "./iris";
import { type FloatMlp, forwardMlp, standardize } from "./trainMlp";

/** The largest shift (≤ 46) whose multiplier `round(ratio · 2^shift)` still fits a uint16. */
export function getRequantParameters(ratio: number): { multiplier: number; shift: number } {
  let shift = MAX_REQUANT_SHIFT;
  while (shift > 1 && Math.round(ratio * 2 ** shift) > MAX_REQUANT_MULTIPLIER) shift--;
  return { multiplier: Math.round(ratio * 2 ** shift), shift };
}

const maxAbs = (values: readonly number[]) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Post-training int8 quantization, symmetric per tensor, calibrated on the training set: input scale
 * `127 / max|z|`, weight scales `127 / max|W|`, hidden scale `127 / max h`; biases in accumulator units; the hidden
 * layer requantizes by `multiplier / 2^shift ≈ sH / (sW1 · sIn)`; the output layer keeps int32 logits, then argmax.
 */
export function quantizeMlp(mlp: FloatMlp, calibration: readonly Sample[]): IntegerModel {
  const sIn = 127 / maxAbs(calibration.flatMap((s) => standardize(mlp, s.features)));
  const sW1 = 127 / maxAbs(mlp.w1.flat());
  const sW2 = 127 / maxAbs(mlp.w2.flat());
  const sH = 127 / maxAbs(calibration.flatMap((s) => forwardMlp(mlp, s.features).hidden));
  const hidden = mlp.w1.length;
  const inputs = mlp.mean.length;
  const classes = mlp.w2.length;
  return {
    inputSize: inputs,
    outputOp: "argmax",
    input: {
      mean: Float32Array.from(mlp.mean),
      scale: Float32Array.from(mlp.std.map((s) => sIn / s)),
    },
    layers: [
      {
        inputSize: inputs,
        outputSize: hidden,
        relu: true,
        requantize: true,
        ...getRequantParameters(sH / (sW1 * sIn)),
        weights: Int8Array.from(mlp.w1.flat().map((w) => Math.round(w * sW1))),
        bias: Int32Array.from(mlp.b1.map((b) => Math.round(b * sW1 * sIn))),
      },
      {
        inputSize: hidden,
        outputSize: classes,
        relu: false,
        requantize: false,
        multiplier: 0,
        shift: 0,
        weights: Int8Array.from(mlp.w2.flat().map((w) => Math.round(w * sW2))),
        bias: Int32Array.from(mlp.b2.map((b) => Math.round(b * sW2 * sH))),
      },
    ],
  };
}
