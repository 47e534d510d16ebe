import type { Hex } from "viem";
import type { Receipt, Tensor } from "../protocol";

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
      : Array.from(tensor.data as ArrayLike<number>);
  return { dtype: tensor.dtype, shape: [...tensor.shape], data };
}
