import type { Hex } from "viem";
import { buildReceiptBatch, getReceiptStructHash, parseBatchFile } from "../protocol";
import type { BatchState, NodeStore } from "./NodeStore";

/** A stored receipt's batch: its id, state, and the Merkle proof of the receipt in it. */
export type ReceiptBatchProof = { batchId: Hex; batchState: BatchState; proof: Hex[] };

/**
 * The batch a receipt was signed into and its Merkle proof (from the stored batch file, the exact leaves the batch
 * root commits to), or undefined while the receipt is in no batch (or only a released or dead one).
 */
export function getReceiptBatchProof(
  store: NodeStore,
  receiptHash: Hex,
  batchId: Hex | null,
): ReceiptBatchProof | undefined {
  if (batchId === null) return undefined;
  const batch = store.getBatchById(batchId);
  if (!batch || batch.state === "released" || batch.state === "dead") return undefined;
  const file = parseBatchFile(batch.fileText);
  const tree = buildReceiptBatch(file.entries.map((entry) => entry.receipt));
  const index = tree.receipts.findIndex((receipt) => getReceiptStructHash(receipt) === receiptHash.toLowerCase());
  if (index < 0) return undefined;
  return { batchId: batch.batchId, batchState: batch.state, proof: tree.proofs[index]! };
}
