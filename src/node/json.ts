import type { Hex } from "viem";
import type { Receipt } from "../protocol";

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
