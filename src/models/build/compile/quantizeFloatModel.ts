import { type IntegerModelV2, type LayerV2, validateIntegerModelV2 } from "../../../runtime/integerV2";
import { MAX_REQUANT_MULTIPLIER } from "../../../runtime";
import { getRequantParameters } from "../quantizeMlp";
import { NO_PARAMS } from "../syntheticV2";
import { CompileRefusedError } from "./compileErrors";
import { type FloatModel, isLinear, runFloatModel } from "./floatLayers";

/**
 * What calibration measured: per float tensor the |value| its int8 range covers, and the input's min and max (the
 * range an input offset is taken from).
 */
export type CalibrationStats = { maxAbs: Float64Array; inputMin: number; inputMax: number };

/**
 * How activation ranges are taken from the calibration set: `max`, the largest |value| of each tensor (nothing
 * saturates on the calibration set); or `percentile`, the p-th percentile of each tensor's |values| over every sample
 * and element (and of the input's values for its min/max), so rare outliers saturate at ±127 instead of stretching
 * the scale for every other value. Weights stay max-abs per tensor either way.
 */
export type CalibrationMethod = { method: "max" } | { method: "percentile"; percentile: number };

/** The smallest value with at least `p` % of `sorted` at or below it (nearest rank). */
function nearestRank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Runs the float chain on every calibration input and records the ranges the scales come from (see
 * {@link CalibrationMethod}; the percentile keeps every value of every tensor, 8 bytes each, and sorts them).
 */
export function calibrate(
  model: FloatModel,
  inputs: readonly Float64Array[],
  method: CalibrationMethod = { method: "max" },
): CalibrationStats {
  const count = model.layers.length + 1;
  const maxAbs = new Float64Array(count);
  let inputMin = Infinity;
  let inputMax = -Infinity;
  if (method.method === "max") {
    for (const input of inputs) {
      runFloatModel(model, input).forEach((tensor, t) => {
        for (const v of tensor) maxAbs[t] = Math.max(maxAbs[t]!, Math.abs(v));
      });
      for (const v of input) [inputMin, inputMax] = [Math.min(inputMin, v), Math.max(inputMax, v)];
    }
    return { maxAbs, inputMin, inputMax };
  }
  const p = method.percentile;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const values: number[][] = Array.from({ length: count }, () => []);
  const raw: number[] = [];
  for (const input of inputs) {
    runFloatModel(model, input).forEach((tensor, t) => {
      const into = values[t]!;
      for (const v of tensor) into.push(Math.abs(v));
    });
    for (const v of input) raw.push(v);
  }
  values.forEach((list, t) => (maxAbs[t] = nearestRank(Float64Array.from(list).sort(), p)));
  const sorted = Float64Array.from(raw).sort();
  return { maxAbs, inputMin: nearestRank(sorted, 100 - p), inputMax: nearestRank(sorted, p) };
}

/** The quantized model, and the scale of its last tensor: float logit ≈ int value / `outputScale`. */
export type QuantizedModel = { model: IntegerModelV2; outputScale: number };

const scaleFor = (maxAbs: number) => 127 / (maxAbs > 0 ? maxAbs : 1);
const maxAbsOf = (values: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
};

/**
 * Post-training int8 quantization to runtime v2, as `quantizeDigitsCnn` / `quantizeMlp` do it, generalized to a chain:
 * - input: one f32 mean and scale; mean 0 and scale `127 / max|x|`, or, when only a dense layer (or an unpadded conv)
 *   reads the input, the calibration range's midpoint as mean (its offset folds into that layer's bias exactly);
 * - dense / conv2d: weights symmetric per tensor, `round(w · 127 / max|W|)`; bias `round(b · s_in · s_W)` (int32, the
 *   accumulator's scale);
 * - after a dense / conv2d / add that a later dense / conv2d / add reads: `requantize` to the int8 activation scale
 *   `127 / max|activation|` over the calibration set (the post-Relu maximum when a Relu follows), with the uint16
 *   multiplier and shift of {@link getRequantParameters};
 * - relu, maxPool, avgPool, flatten keep their input's scale; a residual `add` first rescales the previous tensor to
 *   the skip tensor's scale;
 * - the last tensor stays int32 (no requantize), so logits keep the accumulator's precision.
 */
export function quantizeFloatModel(float: FloatModel, stats: CalibrationStats): QuantizedModel {
  const L = float.layers.length;
  const first = float.layers[0]!;
  const inputReadOnlyByFirst = !float.layers.some((l) => l.op === "add" && l.src === 0);
  const offsetOk = inputReadOnlyByFirst && (first.op === "dense" || (first.op === "conv2d" && first.pad === 0));
  const mean = offsetOk ? Math.fround((stats.inputMin + stats.inputMax) / 2) : 0;
  const half = offsetOk ? Math.max(stats.inputMax - mean, mean - stats.inputMin) : stats.maxAbs[0]!;
  const inScale = Math.fround(scaleFor(half));
  const layers: LayerV2[] = [];
  /** Per float tensor: its v2 tensor index and scale (v2 value ≈ float value · scale). */
  const at: { v2: number; scale: number; int8: boolean }[] = [{ v2: 0, scale: inScale, int8: true }];
  const cur = () => at[at.length - 1]!;
  const requantize = (shape: LayerV2["inShape"], from: number, to: number, what: string) => {
    const ratio = to / from;
    const { multiplier, shift } = getRequantParameters(ratio);
    if (multiplier < 1 || multiplier > MAX_REQUANT_MULTIPLIER) {
      throw new CompileRefusedError(
        `${what}: the requantization ratio ${ratio} can't be written as a uint16 multiplier and a shift in 1..46.`,
      );
    }
    layers.push({ ...NO_PARAMS, op: "requantize", inShape: shape, outShape: shape, multiplier, shift });
  };
  const laterReadsInt8 = (k: number) => float.layers.slice(k).some((l) => isLinear(l) || l.op === "add");

  float.layers.forEach((layer, i) => {
    const k = i + 1;
    const input = cur();
    if (isLinear(layer)) {
      if (!input.int8) {
        const target = scaleFor(stats.maxAbs[k - 1]!);
        requantize(layer.inShape, input.scale, target, `before layer ${k}`);
        Object.assign(input, { scale: target, int8: true, v2: layers.length });
      }
      const sW = scaleFor(maxAbsOf(layer.weights));
      const sAcc = input.scale * sW;
      const rows = layer.bias.length;
      const perRow = layer.weights.length / rows;
      const weights = Int8Array.from(layer.weights, (w) => Math.round(w * sW));
      const bias = new Int32Array(rows);
      for (let o = 0; o < rows; o++) {
        let wSum = 0;
        let absSum = 0;
        for (let j = 0; j < perRow; j++) {
          wSum += weights[o * perRow + j]!;
          absSum += Math.abs(weights[o * perRow + j]!);
        }
        const b = Math.round(layer.bias[o]! * sAcc + (k === 1 ? mean * inScale * wSum : 0));
        if (Math.abs(b) + absSum * 128 >= 2 ** 31) {
          throw new CompileRefusedError(
            `Layer ${k} (${layer.op}) row ${o}: |bias| + Σ|W|·128 reaches 2^31, so its int32 accumulator could overflow.`,
          );
        }
        bias[o] = b;
      }
      layers.push({
        ...NO_PARAMS,
        op: layer.op,
        inShape: layer.inShape,
        outShape: layer.outShape,
        ...(layer.op === "conv2d" ? { kernel: layer.kernel, stride: layer.stride, pad: layer.pad } : {}),
        weights,
        bias,
      });
      let scale = sAcc;
      let int8 = false;
      if (laterReadsInt8(k)) {
        const next = float.layers[k];
        const reluNext = next?.op === "relu" && !float.layers.some((l) => l.op === "add" && l.src === k);
        // Straight into a residual add: requantize once, to the skip tensor's scale.
        const target = next?.op === "add" ? at[next.src]!.scale : scaleFor(stats.maxAbs[reluNext ? k + 1 : k]!);
        requantize(layer.outShape, sAcc, target, `layer ${k} (${layer.op})`);
        [scale, int8] = [target, true];
      }
      at.push({ v2: layers.length, scale, int8 });
      return;
    }
    if (layer.op === "add") {
      const skip = at[layer.src]!;
      if (input.scale !== skip.scale || !input.int8) {
        requantize(layer.inShape, input.scale, skip.scale, `before the residual add (layer ${k})`);
      }
      layers.push({ ...NO_PARAMS, op: "add", inShape: layer.inShape, outShape: layer.outShape, src: skip.v2 });
      let scale = skip.scale;
      let int8 = false;
      if (laterReadsInt8(k)) {
        const target = scaleFor(stats.maxAbs[k]!);
        requantize(layer.outShape, scale, target, `after the residual add (layer ${k})`);
        [scale, int8] = [target, true];
      }
      at.push({ v2: layers.length, scale, int8 });
      return;
    }
    const { kernel, stride } = layer.op === "maxPool" || layer.op === "avgPool" ? layer : { kernel: 0, stride: 0 };
    layers.push({ ...NO_PARAMS, op: layer.op, inShape: layer.inShape, outShape: layer.outShape, kernel, stride });
    at.push({ v2: layers.length, scale: input.scale, int8: input.int8 });
  });
  if (layers.length > 255) {
    throw new CompileRefusedError(`The compiled model has ${layers.length} layers; runtime v2 takes at most 255.`);
  }
  const model: IntegerModelV2 = {
    inputShape: float.inputShape,
    outputOp: "identity",
    input: { mean, scale: inScale },
    layers,
  };
  validateIntegerModelV2(model);
  return { model, outputScale: at[L]!.scale };
}
