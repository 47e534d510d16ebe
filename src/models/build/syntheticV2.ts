import type { Tensor } from "../../protocol";
import { type IntegerModelV2, type LayerV2, validateIntegerModelV2 } from "../../runtime/integerV2";

/** A seeded xorshift PRNG: tests and benches build the same models every run. */
export function createRandom(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

function weighted(
  random: ReturnType<typeof createRandom>,
  rows: number,
  rowLength: number,
): Pick<LayerV2, "bias" | "weights"> {
  return {
    bias: Int32Array.from({ length: rows }, () => random.int(-500, 500)),
    weights: Int8Array.from({ length: rows * rowLength }, () => random.int(-128, 127)),
  };
}

const none = { src: 0, kernel: 0, stride: 0, pad: 0, multiplier: 0, shift: 0 };

/**
 * A small CNN using every v2 op: conv2d (3×3, pad 1) → requantize → relu → add (residual) → maxPool → avgPool →
 * flatten → dense 16→40 → requantize → dense 40→5 (two segments) → argmax.
 */
export function buildTestModel(seed = 1): IntegerModelV2 {
  const r = createRandom(seed);
  const layers: LayerV2[] = [
    {
      ...none,
      op: "conv2d",
      inShape: [1, 6, 6],
      outShape: [4, 6, 6],
      kernel: 3,
      stride: 1,
      pad: 1,
      ...weighted(r, 4, 9),
    },
    { ...none, op: "requantize", inShape: [4, 6, 6], outShape: [4, 6, 6], multiplier: 3_000, shift: 16 },
    { ...none, op: "relu", inShape: [4, 6, 6], outShape: [4, 6, 6] },
    { ...none, op: "add", inShape: [4, 6, 6], outShape: [4, 6, 6], src: 2 },
    { ...none, op: "maxPool", inShape: [4, 6, 6], outShape: [4, 3, 3], kernel: 2, stride: 2 },
    { ...none, op: "avgPool", inShape: [4, 3, 3], outShape: [4, 2, 2], kernel: 2, stride: 1 },
    { ...none, op: "flatten", inShape: [4, 2, 2], outShape: [16, 1, 1] },
    { ...none, op: "dense", inShape: [16, 1, 1], outShape: [40, 1, 1], ...weighted(r, 40, 16) },
    { ...none, op: "requantize", inShape: [40, 1, 1], outShape: [40, 1, 1], multiplier: 1_000, shift: 16 },
    { ...none, op: "dense", inShape: [40, 1, 1], outShape: [5, 1, 1], ...weighted(r, 5, 40) },
  ];
  const model: IntegerModelV2 = { inputShape: [1, 6, 6], outputOp: "argmax", input: { mean: 0, scale: 1 }, layers };
  validateIntegerModelV2(model);
  return model;
}

/** A seeded int8 input of the model's size. */
export function buildInput(model: IntegerModelV2, seed = 2): Tensor<"int8"> {
  const r = createRandom(seed);
  const [c, h, w] = model.inputShape;
  return { dtype: "int8", shape: [c, h, w], data: Int8Array.from({ length: c * h * w }, () => r.int(-128, 127)) };
}

/** Zero parameters of the ops that don't use them. */
export const NO_PARAMS = { src: 0, kernel: 0, stride: 0, pad: 0, multiplier: 0, shift: 0 } as const;

/**
 * Edge-case models with hand-checked results (docs/runtime.md § Integer runtime v2 and docs/vectors):
 * - `requantEdges`: dense with zero weights injects biases as accumulators, then `requantize(1, 1)`: ties round up,
 *   saturation at both ends;
 * - `requantShift46`: the largest multiplier and shift on the int32 extremes;
 * - `int32Wrap`: an accumulator that passes 2^31 - 1 and wraps;
 * - `convPadding`: a 3×3 all-ones kernel, stride 2, padding 2 over 1..9: the corners read mostly padding.
 */
export function buildEdgeModels(): Record<string, { model: IntegerModelV2; input: Tensor<"int8"> }> {
  const flat = (n: number) => [n, 1, 1] as const;
  const biases = [-3, -1, 1, 3, 2 ** 31 - 1, -(2 ** 31), 255, -257];
  const zeros = (n: number): Tensor<"int8"> => ({ dtype: "int8", shape: [n], data: new Int8Array(n) });
  const dense = (bias: number[], inSize: number, weights?: number[]): LayerV2 => ({
    ...NO_PARAMS,
    op: "dense",
    inShape: flat(inSize),
    outShape: flat(bias.length),
    bias: Int32Array.from(bias),
    weights: Int8Array.from(weights ?? new Array<number>(bias.length * inSize).fill(0)),
  });
  const requant = (n: number, multiplier: number, shift: number): LayerV2 => ({
    ...NO_PARAMS,
    op: "requantize",
    inShape: flat(n),
    outShape: flat(n),
    multiplier,
    shift,
  });
  const model = (inputShape: readonly [number, number, number], layers: LayerV2[]): IntegerModelV2 => {
    const m: IntegerModelV2 = { inputShape, outputOp: "identity", input: { mean: 0, scale: 1 }, layers };
    validateIntegerModelV2(m);
    return m;
  };
  return {
    requantEdges: { model: model(flat(1), [dense(biases, 1), requant(8, 1, 1)]), input: zeros(1) },
    requantShift46: {
      model: model(flat(1), [dense([2 ** 31 - 1, -(2 ** 31), 1, -1], 1), requant(4, 0xffff, 46)]),
      input: zeros(1),
    },
    int32Wrap: {
      model: model(flat(2), [dense([2 ** 31 - 1], 2, [127, 127])]),
      input: { dtype: "int8", shape: [2], data: Int8Array.of(127, 127) },
    },
    convPadding: {
      model: model(
        [1, 3, 3],
        [
          {
            ...NO_PARAMS,
            op: "conv2d",
            inShape: [1, 3, 3],
            outShape: [1, 3, 3],
            kernel: 3,
            stride: 2,
            pad: 2,
            bias: Int32Array.of(0),
            weights: new Int8Array(9).fill(1),
          },
        ],
      ),
      input: { dtype: "int8", shape: [1, 3, 3], data: Int8Array.from({ length: 9 }, (_, i) => i + 1) },
    },
  };
}
