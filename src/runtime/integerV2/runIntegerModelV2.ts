import type { Hex } from "viem";
import type { Tensor } from "../../protocol";
import { RuntimeInputError } from "../errors";
import { clampInt8 } from "../requantize";
import type { IntegerModelV2 } from "./format";
import { getFinalDtype, getShapeSize, getTensorShape } from "./format";
import { computeElement } from "./ops";
import { type TraceV2, buildTraceV2 } from "./trace";

/** Everything one runtime-v2 inference produced. */
export type RunIntegerModelV2ReturnType = {
  output: Tensor<"int32"> | Tensor<"int8">;
  trace: TraceV2;
  traceRoot: Hex;
};

/** Runs the layers only: tensor 0 is the input, tensor k layer k's output, each as int32 values. */
export function computeTensorsV2(model: IntegerModelV2, input: Int8Array): Int32Array[] {
  const tensors: Int32Array[] = [Int32Array.from(input)];
  for (let k = 1; k <= model.layers.length; k++) {
    const out = new Int32Array(getShapeSize(getTensorShape(model, k)));
    for (let e = 0; e < out.length; e++) out[e] = computeElement(model, tensors, k, e);
    tensors.push(out);
  }
  return tensors;
}

/** The output tensor from the last trace tensor: identity (`[1, n]`, int8 after requantize else int32) or argmax. */
export function getOutputV2(model: IntegerModelV2, last: Int32Array): Tensor<"int32"> | Tensor<"int8"> {
  if (model.outputOp === "argmax") {
    let best = 0;
    for (let i = 1; i < last.length; i++) if (last[i]! > last[best]!) best = i;
    return { dtype: "int32", shape: [1], data: Int32Array.of(best) };
  }
  if (getFinalDtype(model) === "int8") return { dtype: "int8", shape: [1, last.length], data: Int8Array.from(last) };
  return { dtype: "int32", shape: [1, last.length], data: Int32Array.from(last) };
}

/**
 * Runs a runtime-v2 model on an int8 input tensor of any shape holding `C·H·W` elements (read in row-major order),
 * bit-exactly (every element by {@link computeElement}), and commits the trace ({@link buildTraceV2}).
 */
export function runIntegerModelV2(model: IntegerModelV2, input: Tensor): RunIntegerModelV2ReturnType {
  if (input.dtype !== "int8") throw new RuntimeInputError("Integer models take int8 inputs.", { details: input.dtype });
  const n = getShapeSize(model.inputShape);
  if (input.data.length !== n) {
    throw new RuntimeInputError("Input size does not match the model.", {
      details: `expected ${n} elements ([${model.inputShape.join(",")}]), got [${input.shape.join(",")}]`,
    });
  }
  const tensors = computeTensorsV2(model, input.data as Int8Array);
  const trace = buildTraceV2(tensors);
  return { output: getOutputV2(model, tensors[tensors.length - 1]!), trace, traceRoot: trace.traceRoot };
}

/** Quantizes raw features: `clamp_int8(floor((x - mean) * scale + 0.5))` in float64. */
export function quantizeInputV2(model: IntegerModelV2, features: ArrayLike<number>): Tensor<"int8"> {
  const n = getShapeSize(model.inputShape);
  if (features.length !== n) {
    throw new RuntimeInputError("Wrong number of features.", { details: `${features.length} != ${n}` });
  }
  const data = new Int8Array(n);
  for (let i = 0; i < n; i++)
    data[i] = clampInt8(Math.floor((features[i]! - model.input.mean) * model.input.scale + 0.5));
  return { dtype: "int8", shape: [...model.inputShape], data };
}
