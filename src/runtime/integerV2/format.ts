import { ModelFormatError } from "../errors";
import { MAX_REQUANT_MULTIPLIER, MAX_REQUANT_SHIFT, MIN_REQUANT_SHIFT } from "../requantize";

/** Magic bytes "VIN2" that open a runtime-v2 model artifact. */
export const INTEGER_V2_MAGIC = [0x56, 0x49, 0x4e, 0x32] as const;
/** Format version byte. */
export const INTEGER_V2_VERSION = 2;
/** Bytes of the fixed header prefix and of each layer record. */
export const HEADER_PREFIX_BYTES = 32;
export const LAYER_RECORD_BYTES = 32;
/** Largest element count of any tensor (input or layer output). */
export const MAX_TENSOR_ELEMENTS = 1 << 20;
/** Largest element count of the input tensor and of the final layer (both are posted whole on chain in a dispute). */
export const MAX_INPUT_ELEMENTS = 16_384;
export const MAX_OUTPUT_ELEMENTS = 1_024;
/** Largest conv kernel side, largest conv stride; pooling window and stride. */
export const MAX_CONV_KERNEL = 16;
export const MAX_CONV_STRIDE = 8;
export const MAX_POOL_KERNEL = 4;
export const MAX_POOL_STRIDE = 4;

/** Operation codes (one op per layer). */
export const opCodes = {
  dense: 1,
  conv2d: 2,
  maxPool: 3,
  avgPool: 4,
  flatten: 5,
  add: 6,
  relu: 7,
  requantize: 8,
} as const;
export type OpName = keyof typeof opCodes;

/** What the model does after its last layer: `identity` outputs the last tensor, `argmax` its first maximum. */
export const outputOpsV2 = { identity: 0, argmax: 1 } as const;
export type OutputOpV2 = keyof typeof outputOpsV2;

/** A tensor shape `[channels, height, width]`; flat tensors are `[n, 1, 1]`. */
export type Shape3 = readonly [number, number, number];

/**
 * One layer. Tensor `k` of the trace is layer `k`'s output (tensor 0 is the input); a layer reads tensor `k - 1`
 * (and, for `add`, tensor `src`). Fields an op does not use are zero.
 */
export type LayerV2 = {
  op: OpName;
  inShape: Shape3;
  outShape: Shape3;
  /** `add`: the index of the second operand's tensor (< this layer's index). */
  src: number;
  /** conv2d / pooling: square window side; stride; conv2d zero padding on each border. */
  kernel: number;
  stride: number;
  pad: number;
  /** requantize: multiplier (uint16) and shift (1..46). */
  multiplier: number;
  shift: number;
  /** dense / conv2d: int32 bias per output row (dense) or output channel (conv2d). */
  bias?: Int32Array;
  /** dense: `[out][in]`; conv2d: `[outC][inC][k][k]`, row-major. */
  weights?: Int8Array;
};

/** Client input quantization, one scale for the whole tensor: `q = clamp_int8(floor((x - mean) * scale + 0.5))`. */
export type InputQuantizationV2 = { mean: number; scale: number };

/** A decoded runtime-v2 model. */
export type IntegerModelV2 = {
  inputShape: Shape3;
  outputOp: OutputOpV2;
  input: InputQuantizationV2;
  layers: LayerV2[];
};

/** Number of elements of a shape. */
export function getShapeSize(shape: Shape3): number {
  return shape[0] * shape[1] * shape[2];
}

/** The shape of tensor `t` (0 = input, k = layer k's output). */
export function getTensorShape(model: IntegerModelV2, t: number): Shape3 {
  return t === 0 ? model.inputShape : model.layers[t - 1]!.outShape;
}

/** Rows of a weighted layer: dense output size, or conv2d output channels; 0 for ops without weights. */
export function getWeightRows(layer: LayerV2): number {
  if (layer.op === "dense") return getShapeSize(layer.outShape);
  if (layer.op === "conv2d") return layer.outShape[0];
  return 0;
}

/** Weights per row: dense fan-in, or conv2d `inC·k·k`. */
export function getRowLength(layer: LayerV2): number {
  if (layer.op === "dense") return getShapeSize(layer.inShape);
  if (layer.op === "conv2d") return layer.inShape[0] * layer.kernel * layer.kernel;
  return 0;
}

/** The dtype of the model's last tensor as output: int8 after `requantize`, else int32. */
export function getFinalDtype(model: IntegerModelV2): "int8" | "int32" {
  return model.layers[model.layers.length - 1]!.op === "requantize" ? "int8" : "int32";
}

function fail(details: string): never {
  throw new ModelFormatError("Invalid integer-v2 model.", { details });
}

function convOut(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** The output shape a layer must declare, given its input shape and parameters (throws when impossible). */
export function getExpectedOutShape(layer: LayerV2, k: number): Shape3 {
  const [c, h, w] = layer.inShape;
  switch (layer.op) {
    case "dense":
      return [layer.outShape[0], 1, 1];
    case "conv2d":
      return [
        layer.outShape[0],
        convOut(h, layer.kernel, layer.stride, layer.pad),
        convOut(w, layer.kernel, layer.stride, layer.pad),
      ];
    case "maxPool":
    case "avgPool":
      return [c, convOut(h, layer.kernel, layer.stride, 0), convOut(w, layer.kernel, layer.stride, 0)];
    case "flatten":
      return [c * h * w, 1, 1];
    case "add":
    case "relu":
    case "requantize":
      return [c, h, w];
    default:
      return fail(`layer ${k}: unknown op`);
  }
}

/**
 * Checks everything the runtime and the on-chain one-step rely on: shapes chain from the input, each op's
 * parameters are in range and unused ones are zero, weights and biases have their exact lengths, and the input and
 * final tensors are small enough to post on chain. Throws {@link ModelFormatError} naming the layer and the rule.
 */
export function validateIntegerModelV2(model: IntegerModelV2): void {
  const L = model.layers.length;
  if (L < 1 || L > 255) fail(`needs 1..255 layers, has ${L}`);
  const checkShape = (shape: Shape3, what: string) => {
    for (const d of shape)
      if (!Number.isInteger(d) || d < 1 || d > 0xffffffff) fail(`${what}: dimension ${d} is not in 1..2^32-1`);
    if (getShapeSize(shape) > MAX_TENSOR_ELEMENTS)
      fail(`${what}: ${getShapeSize(shape)} elements > ${MAX_TENSOR_ELEMENTS}`);
  };
  checkShape(model.inputShape, "input");
  if (getShapeSize(model.inputShape) > MAX_INPUT_ELEMENTS) fail(`input has more than ${MAX_INPUT_ELEMENTS} elements`);
  if (!Number.isFinite(model.input.mean) || !Number.isFinite(model.input.scale))
    fail("input quantization is not finite");
  if (!(model.outputOp in outputOpsV2)) fail(`unknown output op ${String(model.outputOp)}`);
  model.layers.forEach((l, i) => {
    const k = i + 1;
    const at = `layer ${k} (${l.op})`;
    if (!(l.op in opCodes)) fail(`layer ${k}: unknown op ${String(l.op)}`);
    const prev = getTensorShape(model, k - 1);
    if (l.inShape.join() !== prev.join())
      fail(`${at}: input shape [${l.inShape.join()}] != tensor ${k - 1} [${prev.join()}]`);
    checkShape(l.outShape, at);
    const uses = {
      src: l.op === "add",
      kernel: l.op === "conv2d" || l.op === "maxPool" || l.op === "avgPool",
      pad: l.op === "conv2d",
      requant: l.op === "requantize",
      weights: l.op === "dense" || l.op === "conv2d",
    };
    if (!uses.src && l.src !== 0) fail(`${at}: src must be 0`);
    if (!uses.kernel && (l.kernel !== 0 || l.stride !== 0)) fail(`${at}: kernel and stride must be 0`);
    if (!uses.pad && l.pad !== 0) fail(`${at}: pad must be 0`);
    if (!uses.requant && (l.multiplier !== 0 || l.shift !== 0)) fail(`${at}: multiplier and shift must be 0`);
    if (uses.src) {
      if (!Number.isInteger(l.src) || l.src < 0 || l.src >= k - 1) fail(`${at}: src ${l.src} not in 0..${k - 2}`);
      if (getTensorShape(model, l.src).join() !== l.inShape.join()) fail(`${at}: tensor ${l.src} shape differs`);
    }
    if (l.op === "conv2d") {
      if (l.kernel < 1 || l.kernel > MAX_CONV_KERNEL) fail(`${at}: kernel ${l.kernel} not in 1..${MAX_CONV_KERNEL}`);
      if (l.stride < 1 || l.stride > MAX_CONV_STRIDE) fail(`${at}: stride ${l.stride} not in 1..${MAX_CONV_STRIDE}`);
      if (l.pad < 0 || l.pad >= l.kernel) fail(`${at}: pad ${l.pad} not in 0..kernel-1`);
    }
    if (l.op === "maxPool" || l.op === "avgPool") {
      if (l.kernel < 1 || l.kernel > MAX_POOL_KERNEL) fail(`${at}: kernel ${l.kernel} not in 1..${MAX_POOL_KERNEL}`);
      if (l.stride < 1 || l.stride > MAX_POOL_STRIDE) fail(`${at}: stride ${l.stride} not in 1..${MAX_POOL_STRIDE}`);
    }
    if (uses.requant) {
      if (!Number.isInteger(l.multiplier) || l.multiplier < 0 || l.multiplier > MAX_REQUANT_MULTIPLIER) {
        fail(`${at}: multiplier ${l.multiplier} not a uint16`);
      }
      if (!Number.isInteger(l.shift) || l.shift < MIN_REQUANT_SHIFT || l.shift > MAX_REQUANT_SHIFT) {
        fail(`${at}: shift ${l.shift} not in ${MIN_REQUANT_SHIFT}..${MAX_REQUANT_SHIFT}`);
      }
    }
    if (l.inShape[1] < 1 || l.inShape[2] < 1) fail(`${at}: empty input`);
    const expected = getExpectedOutShape(l, k);
    if (expected.some((d) => d < 1)) fail(`${at}: window larger than the padded input`);
    if (expected.join() !== l.outShape.join())
      fail(`${at}: output shape [${l.outShape.join()}] != expected [${expected.join()}]`);
    if (uses.weights) {
      const rows = getWeightRows(l);
      if (l.bias?.length !== rows) fail(`${at}: bias length ${l.bias?.length} != ${rows}`);
      if (l.weights?.length !== rows * getRowLength(l))
        fail(`${at}: weights length ${l.weights?.length} != ${rows * getRowLength(l)}`);
    } else if (l.bias !== undefined || l.weights !== undefined) {
      fail(`${at}: has weights but its op takes none`);
    }
  });
  if (getShapeSize(model.layers[L - 1]!.outShape) > MAX_OUTPUT_ELEMENTS)
    fail(`final tensor has more than ${MAX_OUTPUT_ELEMENTS} elements`);
}

/**
 * Serializes the 32-byte-per-record header: `"VIN2" ‖ u8 version ‖ u8 outputOp ‖ u8 layerCount ‖ u8 0 ‖ u32 inC ‖
 * u32 inH ‖ u32 inW ‖ f32 mean ‖ f32 scale ‖ u32 0`, then per layer `u8 op ‖ u8 src ‖ u8 kernel ‖ u8 stride ‖ u8 pad ‖
 * u8 shift ‖ u16 multiplier ‖ u32 inC ‖ u32 inH ‖ u32 inW ‖ u32 outC ‖ u32 outH ‖ u32 outW`. Big-endian.
 */
export function serializeHeaderV2(model: IntegerModelV2): Uint8Array {
  const out = new Uint8Array(HEADER_PREFIX_BYTES + LAYER_RECORD_BYTES * model.layers.length);
  const view = new DataView(out.buffer);
  out.set(INTEGER_V2_MAGIC, 0);
  out[4] = INTEGER_V2_VERSION;
  out[5] = outputOpsV2[model.outputOp];
  out[6] = model.layers.length;
  model.inputShape.forEach((d, i) => view.setUint32(8 + 4 * i, d));
  view.setFloat32(20, model.input.mean);
  view.setFloat32(24, model.input.scale);
  model.layers.forEach((l, i) => {
    const at = HEADER_PREFIX_BYTES + LAYER_RECORD_BYTES * i;
    out[at] = opCodes[l.op];
    out[at + 1] = l.src;
    out[at + 2] = l.kernel;
    out[at + 3] = l.stride;
    out[at + 4] = l.pad;
    out[at + 5] = l.shift;
    view.setUint16(at + 6, l.multiplier);
    [...l.inShape, ...l.outShape].forEach((d, j) => view.setUint32(at + 8 + 4 * j, d));
  });
  return out;
}

/**
 * Serializes a model: the header ({@link serializeHeaderV2}), then for each dense / conv2d layer in order, per row:
 * `i32 bias (big-endian) ‖ i8 weights[rowLength]`.
 */
export function serializeIntegerModelV2(model: IntegerModelV2): Uint8Array {
  validateIntegerModelV2(model);
  const header = serializeHeaderV2(model);
  let size = header.length;
  for (const l of model.layers) size += getWeightRows(l) * (4 + getRowLength(l));
  const out = new Uint8Array(size);
  out.set(header, 0);
  const view = new DataView(out.buffer);
  let at = header.length;
  for (const l of model.layers) {
    const rows = getWeightRows(l);
    const len = getRowLength(l);
    for (let r = 0; r < rows; r++) {
      view.setInt32(at, l.bias![r]!);
      out.set(new Uint8Array(l.weights!.buffer, l.weights!.byteOffset + r * len, len), at + 4);
      at += 4 + len;
    }
  }
  return out;
}

const opByCode = new Map<number, OpName>(Object.entries(opCodes).map(([k, v]) => [v, k as OpName]));

/** Parses a runtime-v2 artifact strictly; throws {@link ModelFormatError} saying what is wrong and where. */
export function parseIntegerModelV2(bytes: Uint8Array): IntegerModelV2 {
  const bad = (details: string): never => {
    throw new ModelFormatError("Invalid integer-v2 model artifact.", { details });
  };
  if (bytes.length < HEADER_PREFIX_BYTES) bad(`shorter than the ${HEADER_PREFIX_BYTES}-byte header prefix`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== INTEGER_V2_MAGIC[i]) bad('magic is not "VIN2"');
  if (bytes[4] !== INTEGER_V2_VERSION) bad(`unknown version ${bytes[4]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const outputOp = (Object.keys(outputOpsV2) as OutputOpV2[]).find((k) => outputOpsV2[k] === bytes[5]);
  if (outputOp === undefined) bad(`unknown output op ${bytes[5]}`);
  if (bytes[7] !== 0 || view.getUint32(28) !== 0) bad("reserved header bytes are not zero");
  const layerCount = bytes[6]!;
  const headerBytes = HEADER_PREFIX_BYTES + LAYER_RECORD_BYTES * layerCount;
  if (bytes.length < headerBytes) bad(`truncated: ${layerCount} layer records need ${headerBytes} bytes`);
  const inputShape = [view.getUint32(8), view.getUint32(12), view.getUint32(16)] as const;
  const input = { mean: view.getFloat32(20), scale: view.getFloat32(24) };
  const layers: LayerV2[] = [];
  let at = headerBytes;
  for (let i = 0; i < layerCount; i++) {
    const r = HEADER_PREFIX_BYTES + LAYER_RECORD_BYTES * i;
    const op = opByCode.get(bytes[r]!);
    if (op === undefined) bad(`layer ${i + 1}: unknown op code ${bytes[r]}`);
    const dims = Array.from({ length: 6 }, (_, j) => view.getUint32(r + 8 + 4 * j));
    const layer: LayerV2 = {
      op: op!,
      src: bytes[r + 1]!,
      kernel: bytes[r + 2]!,
      stride: bytes[r + 3]!,
      pad: bytes[r + 4]!,
      shift: bytes[r + 5]!,
      multiplier: view.getUint16(r + 6),
      inShape: [dims[0]!, dims[1]!, dims[2]!],
      outShape: [dims[3]!, dims[4]!, dims[5]!],
    };
    const rows = getWeightRows(layer);
    if (rows > 0) {
      const inSize = getShapeSize(layer.inShape);
      if (inSize > MAX_TENSOR_ELEMENTS || layer.inShape[0] > MAX_TENSOR_ELEMENTS)
        bad(`layer ${i + 1}: input too large`);
      const len = getRowLength(layer);
      if (at + rows * (4 + len) > bytes.length) bad(`layer ${i + 1}: truncated weights at byte ${at}`);
      layer.bias = new Int32Array(rows);
      layer.weights = new Int8Array(rows * len);
      for (let row = 0; row < rows; row++) {
        layer.bias[row] = view.getInt32(at);
        layer.weights.set(new Int8Array(bytes.buffer, bytes.byteOffset + at + 4, len), row * len);
        at += 4 + len;
      }
    }
    layers.push(layer);
  }
  if (at !== bytes.length) bad(`${bytes.length - at} trailing bytes`);
  const model: IntegerModelV2 = { inputShape, outputOp: outputOp!, input, layers };
  validateIntegerModelV2(model);
  return model;
}
