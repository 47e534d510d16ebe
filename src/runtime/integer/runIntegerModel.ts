import type { Hex } from "viem";
import {
  type Tensor,
  bytesToHex,
  encodeTensor,
  keccak256Bytes,
  getBytes32LeafBytes,
  getMerkleRoot,
} from "../../protocol";
import { RuntimeInputError } from "../errors";
import { clampInt8, requantize } from "../requantize";
import type { IntegerModel } from "./format";

/** Everything one integer inference produced. */
export type RunIntegerModelReturnType = {
  output: Tensor<"int32"> | Tensor<"int8">;
  /** Tensors committed by the trace, in leaf order: the input, then each layer's output. */
  trace: Tensor[];
  /** {@link getTensorHash} of each trace tensor, as bytes. */
  traceHashes: Uint8Array[];
  traceRoot: Hex;
};

/**
 * Runs an integer model on an int8 input of shape `[inputSize]` or `[1, inputSize]`, bit-exactly:
 * int32 accumulation with wrap-around (`Math.imul`, `| 0`), bias added with wrap, requantization by
 * {@link requantize} then ReLU and int8 saturation; a last layer without requantization outputs int32 accumulators
 * (ReLU, if set, is `max(0, acc)`). `argmax` returns the first index of the maximum as int32 `[1]`.
 *
 * Trace: leaves are `keccak256(keccak256(abi.encode(getTensorHash(t))))` for t = input, layer 1 output, …,
 * layer L output (each of shape `[1, width]`), in that order (not sorted); the root is the OpenZeppelin
 * StandardMerkleTree root over them, i.e. `StandardMerkleTree.of(hashes.map(h => [h]), ["bytes32"], { sortLeaves: false })`.
 */
export function runIntegerModel(model: IntegerModel, input: Tensor): RunIntegerModelReturnType {
  if (input.dtype !== "int8") throw new RuntimeInputError("Integer models take int8 inputs.", { details: input.dtype });
  const shapeOk =
    (input.shape.length === 1 && input.shape[0] === model.inputSize) ||
    (input.shape.length === 2 && input.shape[0] === 1 && input.shape[1] === model.inputSize);
  if (!shapeOk || input.data.length !== model.inputSize) {
    throw new RuntimeInputError("Input shape does not match the model.", {
      details: `expected [${model.inputSize}] or [1,${model.inputSize}], got [${input.shape.join(",")}]`,
    });
  }
  const trace: Tensor[] = [{ dtype: "int8", shape: [1, model.inputSize], data: input.data }];
  let x: Int8Array = input.data;
  let last: Tensor<"int32"> | Tensor<"int8"> = trace[0] as Tensor<"int8">;
  for (const layer of model.layers) {
    const { inputSize, outputSize, weights, bias, relu, multiplier, shift } = layer;
    if (layer.requantize) {
      const y = new Int8Array(outputSize);
      for (let o = 0, row = 0; o < outputSize; o++, row += inputSize) {
        let acc = bias[o]!;
        for (let i = 0; i < inputSize; i++) acc = (acc + Math.imul(weights[row + i]!, x[i]!)) | 0;
        let v = requantize(acc, multiplier, shift);
        if (relu && v < 0) v = 0;
        y[o] = clampInt8(v);
      }
      last = { dtype: "int8", shape: [1, outputSize], data: y };
      x = y;
    } else {
      const y = new Int32Array(outputSize);
      for (let o = 0, row = 0; o < outputSize; o++, row += inputSize) {
        let acc = bias[o]!;
        for (let i = 0; i < inputSize; i++) acc = (acc + Math.imul(weights[row + i]!, x[i]!)) | 0;
        y[o] = relu && acc < 0 ? 0 : acc;
      }
      last = { dtype: "int32", shape: [1, outputSize], data: y };
    }
    trace.push(last);
  }
  let output: Tensor<"int32"> | Tensor<"int8"> = last;
  if (model.outputOp === "argmax") {
    const data = last.data;
    let best = 0;
    for (let i = 1; i < data.length; i++) if (data[i]! > data[best]!) best = i;
    output = { dtype: "int32", shape: [1], data: Int32Array.of(best) };
  }
  const traceHashes = trace.map((t) => keccak256Bytes(encodeTensor(t)));
  const traceRoot = bytesToHex(getMerkleRoot(traceHashes.map(getBytes32LeafBytes)));
  return { output, trace, traceHashes, traceRoot };
}

/** Quantizes raw features for a model: `clamp_int8(floor((x - mean) * scale + 0.5))` in float64. */
export function quantizeInput(model: IntegerModel, features: ArrayLike<number>): Tensor<"int8"> {
  if (features.length !== model.inputSize) {
    throw new RuntimeInputError("Wrong number of features.", { details: `${features.length} != ${model.inputSize}` });
  }
  const data = new Int8Array(model.inputSize);
  for (let i = 0; i < model.inputSize; i++) {
    data[i] = clampInt8(Math.floor((features[i]! - model.input.mean[i]!) * model.input.scale[i]! + 0.5));
  }
  return { dtype: "int8", shape: [1, model.inputSize], data };
}
