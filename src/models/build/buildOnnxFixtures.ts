import {
  encodeOnnxModel,
  floatAttribute,
  floatInitializer,
  int64Initializer,
  intAttribute,
  node,
  valueInfo,
} from "./onnxGraph";
import { createRandom } from "./random";

/** Seeded weights in [-scale, scale). */
function weights(random: () => number, count: number, scale: number): number[] {
  return Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

/**
 * Three named inputs of three dtypes, two named outputs: `features` float32 [1,4], `category` int64 [1,1] (row of an
 * embedding table, 0..4), `mask` bool [1,4] (features kept where true); outputs `logits` float32 [1,3] and `label`
 * int64 [1] (ArgMax). Graph: Gather, Reshape, Where, Add, Gemm, ArgMax.
 */
export function buildMultiInputModel(): Uint8Array {
  const random = createRandom(4101);
  return encodeOnnxModel({
    name: "multi_input",
    initializer: [
      floatInitializer("embedding", [5, 4], weights(random, 20, 1)),
      int64Initializer("row_shape", [2], [-1n, 4n]),
      floatInitializer("zero", [1], [0]),
      floatInitializer("w", [3, 4], weights(random, 12, 1)),
      floatInitializer("b", [3], weights(random, 3, 0.1)),
    ],
    node: [
      node("Gather", "embed", ["embedding", "category"], ["embedded3"], [intAttribute("axis", 0)]),
      node("Reshape", "flatten_embedding", ["embedded3", "row_shape"], ["embedded"]),
      node("Where", "apply_mask", ["mask", "features", "zero"], ["masked"]),
      node("Add", "combine", ["masked", "embedded"], ["combined"]),
      node("Gemm", "dense", ["combined", "w", "b"], ["logits"], [intAttribute("transB", 1)]),
      node("ArgMax", "pick", ["logits"], ["label"], [intAttribute("axis", 1), intAttribute("keepdims", 0)]),
    ],
    input: [
      valueInfo("features", "float32", [1, 4]),
      valueInfo("category", "int64", [1, 1]),
      valueInfo("mask", "bool", [1, 4]),
    ],
    output: [valueInfo("logits", "float32", [1, 3]), valueInfo("label", "int64", [1])],
  });
}

/**
 * A small CNN over one 8×8 grey image (the UCI digits format): `image` float32 [1,1,8,8] → Conv 4×3×3 (pad 1) →
 * Relu → MaxPool 2×2 → Flatten → Gemm 64→10 → `logits` float32 [1,10]. Seeded weights (a structural fixture, not a
 * trained classifier).
 */
export function buildCnnModel(): Uint8Array {
  const random = createRandom(4102);
  return encodeOnnxModel({
    name: "small_cnn",
    initializer: [
      floatInitializer("conv_w", [4, 1, 3, 3], weights(random, 36, 0.5)),
      floatInitializer("conv_b", [4], weights(random, 4, 0.1)),
      floatInitializer("fc_w", [10, 64], weights(random, 640, 0.2)),
      floatInitializer("fc_b", [10], weights(random, 10, 0.1)),
    ],
    node: [
      node(
        "Conv",
        "conv",
        ["image", "conv_w", "conv_b"],
        ["conv_out"],
        [intAttribute("kernel_shape", [3, 3]), intAttribute("pads", [1, 1, 1, 1]), intAttribute("strides", [1, 1])],
      ),
      node("Relu", "relu", ["conv_out"], ["relu_out"]),
      node(
        "MaxPool",
        "pool",
        ["relu_out"],
        ["pool_out"],
        [intAttribute("kernel_shape", [2, 2]), intAttribute("strides", [2, 2])],
      ),
      node("Flatten", "flatten", ["pool_out"], ["flat"], [intAttribute("axis", 1)]),
      node("Gemm", "fc", ["flat", "fc_w", "fc_b"], ["logits"], [intAttribute("transB", 1), floatAttribute("alpha", 1)]),
    ],
    input: [valueInfo("image", "float32", [1, 1, 8, 8])],
    output: [valueInfo("logits", "float32", [1, 10])],
  });
}

/** A dynamic batch: `x` float32 [N,4] → Gemm 4→8 → Relu → Gemm 8→2 → `y` float32 [N,2]; N is declared at registration. */
export function buildDynamicBatchModel(): Uint8Array {
  const random = createRandom(4103);
  return encodeOnnxModel({
    name: "dynamic_batch",
    initializer: [
      floatInitializer("w1", [8, 4], weights(random, 32, 0.7)),
      floatInitializer("b1", [8], weights(random, 8, 0.1)),
      floatInitializer("w2", [2, 8], weights(random, 16, 0.7)),
      floatInitializer("b2", [2], weights(random, 2, 0.1)),
    ],
    node: [
      node("Gemm", "dense1", ["x", "w1", "b1"], ["h"], [intAttribute("transB", 1)]),
      node("Relu", "relu", ["h"], ["hr"]),
      node("Gemm", "dense2", ["hr", "w2", "b2"], ["y"], [intAttribute("transB", 1)]),
    ],
    input: [valueInfo("x", "float32", ["N", 4])],
    output: [valueInfo("y", "float32", ["N", 2])],
  });
}
