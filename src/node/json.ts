import type { Hex } from "viem";
import { isTensorBundle, type Receipt, type Tensor, type TensorPayload } from "../protocol";
import { fromFloat16Bits } from "../runtime/signature/float16";

/** A receipt as JSON (docs/services.md § Receipt JSON): hex lowercase, `issuedAt` a decimal string. */
export type ReceiptJson = {
  requestId: Hex;
  modelId: Hex;
  inputHash: Hex;
  outputHash: Hex;
  traceRoot: Hex;
  node: Hex;
  issuedAt: string;
};

/** A tensor as JSON: int64 elements as decimal strings, everything else as numbers. */
export type TensorJson = { dtype: Tensor["dtype"]; shape: number[]; data: (number | string)[] };

export function toReceiptJson(receipt: Receipt): ReceiptJson {
  return {
    requestId: receipt.requestId.toLowerCase() as Hex,
    modelId: receipt.modelId.toLowerCase() as Hex,
    inputHash: receipt.inputHash.toLowerCase() as Hex,
    outputHash: receipt.outputHash.toLowerCase() as Hex,
    traceRoot: receipt.traceRoot.toLowerCase() as Hex,
    node: receipt.node.toLowerCase() as Hex,
    issuedAt: receipt.issuedAt.toString(10),
  };
}

export function toTensorJson(tensor: Tensor): TensorJson {
  const data =
    tensor.dtype === "int64"
      ? Array.from(tensor.data, (v) => v.toString(10))
      : tensor.dtype === "float16"
        ? Array.from(tensor.data, fromFloat16Bits)
        : Array.from(tensor.data as ArrayLike<number>);
  return { dtype: tensor.dtype, shape: [...tensor.shape], data };
}

/** An output as the answer's JSON: `{ output }` for one unnamed tensor, `{ outputs: { name: tensor } }` for a bundle. */
export function toPayloadJson(
  payload: TensorPayload,
): { output: TensorJson } | { outputs: Record<string, TensorJson> } {
  if (!isTensorBundle(payload)) return { output: toTensorJson(payload) };
  return {
    outputs: Object.fromEntries(Object.entries(payload.tensors).map(([name, tensor]) => [name, toTensorJson(tensor)])),
  };
}
