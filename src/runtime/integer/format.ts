import { ModelFormatError } from "../errors";
import { MAX_REQUANT_MULTIPLIER, MAX_REQUANT_SHIFT, MIN_REQUANT_SHIFT } from "../requantize";

/** Magic bytes "VINT" that open an integer model artifact. */
export const INTEGER_MODEL_MAGIC = [0x56, 0x49, 0x4e, 0x54] as const;
/** Current format version. */
export const INTEGER_MODEL_VERSION = 1;

/** What the model does after its last layer. */
export const outputOps = { identity: 0, argmax: 1 } as const;
export type OutputOp = keyof typeof outputOps;

/** One dense layer: `y = act(requant(W·x + b))` with int8 weights and int32 accumulation. */
export type DenseLayer = {
  inputSize: number;
  outputSize: number;
  /** Apply ReLU (max(0, ·)) after requantization (or on the int32 accumulator if not requantized). */
  relu: boolean;
  /** Requantize to int8 (hidden layers). If false the layer outputs its int32 accumulators (last layer only). */
  requantize: boolean;
  /** Requantization multiplier (uint16) and shift (1..46); ignored when `requantize` is false (stored as 0). */
  multiplier: number;
  shift: number;
  /** Row-major `[outputSize][inputSize]` int8 weights. */
  weights: Int8Array;
  /** int32 bias, added to the accumulator before requantization. */
  bias: Int32Array;
};

/** Client-side input quantization: `q[i] = clamp_int8(roundHalfUp((x[i] - mean[i]) * scale[i]))` in float64. */
export type InputQuantization = { mean: Float32Array; scale: Float32Array };

/** A decoded integer model. */
export type IntegerModel = {
  inputSize: number;
  outputOp: OutputOp;
  input: InputQuantization;
  layers: DenseLayer[];
};

/**
 * Serializes an integer model (docs/runtime.md § Integer model format), little-endian:
 * `"VINT" ‖ u8 version ‖ u8 outputOp ‖ u8 layerCount ‖ u8 0 ‖ u32 inputSize ‖ f32 mean[inputSize] ‖
 * f32 scale[inputSize] ‖ layers`, each layer `u32 in ‖ u32 out ‖ u8 relu ‖ u8 requantize ‖ u16 multiplier ‖
 * u8 shift ‖ u8 0 ‖ i8 weights[out*in] ‖ i32 bias[out]`.
 */
export function serializeIntegerModel(model: IntegerModel): Uint8Array {
  validateIntegerModel(model);
  let size = 12 + 8 * model.inputSize;
  for (const l of model.layers) size += 14 + l.weights.length + 4 * l.bias.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(INTEGER_MODEL_MAGIC, 0);
  out[4] = INTEGER_MODEL_VERSION;
  out[5] = outputOps[model.outputOp];
  out[6] = model.layers.length;
  view.setUint32(8, model.inputSize, true);
  let at = 12;
  for (let i = 0; i < model.inputSize; i++, at += 4) view.setFloat32(at, model.input.mean[i]!, true);
  for (let i = 0; i < model.inputSize; i++, at += 4) view.setFloat32(at, model.input.scale[i]!, true);
  for (const l of model.layers) {
    view.setUint32(at, l.inputSize, true);
    view.setUint32(at + 4, l.outputSize, true);
    out[at + 8] = l.relu ? 1 : 0;
    out[at + 9] = l.requantize ? 1 : 0;
    view.setUint16(at + 10, l.requantize ? l.multiplier : 0, true);
    out[at + 12] = l.requantize ? l.shift : 0;
    at += 14;
    out.set(new Uint8Array(l.weights.buffer, l.weights.byteOffset, l.weights.length), at);
    at += l.weights.length;
    for (let i = 0; i < l.bias.length; i++, at += 4) view.setInt32(at, l.bias[i]!, true);
  }
  return out;
}

/** Parses an integer model artifact; throws {@link ModelFormatError} saying what is wrong. */
export function parseIntegerModel(bytes: Uint8Array): IntegerModel {
  const fail = (details: string): never => {
    throw new ModelFormatError("Invalid integer model artifact.", { details });
  };
  if (bytes.length < 12) fail("shorter than the 12-byte header");
  for (let i = 0; i < 4; i++) if (bytes[i] !== INTEGER_MODEL_MAGIC[i]) fail('magic is not "VINT"');
  if (bytes[4] !== INTEGER_MODEL_VERSION) fail(`unknown version ${bytes[4]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const outputOp = (Object.keys(outputOps) as OutputOp[]).find((k) => outputOps[k] === bytes[5]);
  if (outputOp === undefined) fail(`unknown output op ${bytes[5]}`);
  const layerCount = bytes[6]!;
  const inputSize = view.getUint32(8, true);
  let at = 12;
  const need = (n: number) => {
    if (at + n > bytes.length) fail(`truncated at byte ${at}`);
  };
  need(8 * inputSize);
  const mean = new Float32Array(inputSize);
  const scale = new Float32Array(inputSize);
  for (let i = 0; i < inputSize; i++, at += 4) mean[i] = view.getFloat32(at, true);
  for (let i = 0; i < inputSize; i++, at += 4) scale[i] = view.getFloat32(at, true);
  const layers: DenseLayer[] = [];
  for (let k = 0; k < layerCount; k++) {
    need(14);
    const layerIn = view.getUint32(at, true);
    const layerOut = view.getUint32(at + 4, true);
    const relu = bytes[at + 8] === 1;
    const requantize = bytes[at + 9] === 1;
    const multiplier = view.getUint16(at + 10, true);
    const shift = bytes[at + 12]!;
    at += 14;
    need(layerIn * layerOut + 4 * layerOut);
    const weights = new Int8Array(bytes.slice(at, at + layerIn * layerOut).buffer);
    at += layerIn * layerOut;
    const bias = new Int32Array(layerOut);
    for (let i = 0; i < layerOut; i++, at += 4) bias[i] = view.getInt32(at, true);
    layers.push({ inputSize: layerIn, outputSize: layerOut, relu, requantize, multiplier, shift, weights, bias });
  }
  if (at !== bytes.length) fail(`${bytes.length - at} trailing bytes`);
  const model: IntegerModel = { inputSize, outputOp: outputOp!, input: { mean, scale }, layers };
  validateIntegerModel(model);
  return model;
}

/** Checks layer sizes chain, requantization parameters are in range, and only the last layer skips requantization. */
export function validateIntegerModel(model: IntegerModel): void {
  const fail = (details: string): never => {
    throw new ModelFormatError("Invalid integer model.", { details });
  };
  if (model.layers.length === 0 || model.layers.length > 255) fail("needs 1..255 layers");
  if (model.input.mean.length !== model.inputSize || model.input.scale.length !== model.inputSize) {
    fail("input quantization does not match inputSize");
  }
  let width = model.inputSize;
  model.layers.forEach((l, k) => {
    if (l.inputSize !== width) fail(`layer ${k} expects ${l.inputSize} inputs, previous gives ${width}`);
    if (l.weights.length !== l.inputSize * l.outputSize) fail(`layer ${k} weights length`);
    if (l.bias.length !== l.outputSize) fail(`layer ${k} bias length`);
    if (l.requantize) {
      if (!Number.isInteger(l.multiplier) || l.multiplier < 0 || l.multiplier > MAX_REQUANT_MULTIPLIER) {
        fail(`layer ${k} multiplier ${l.multiplier} not a uint16`);
      }
      if (!Number.isInteger(l.shift) || l.shift < MIN_REQUANT_SHIFT || l.shift > MAX_REQUANT_SHIFT) {
        fail(`layer ${k} shift ${l.shift} not in 1..46`);
      }
    } else if (k !== model.layers.length - 1) {
      fail(`layer ${k} skips requantization but is not the last layer`);
    }
    width = l.outputSize;
  });
}
