import type { Hex } from "viem";
import { toHex } from "./bytes";
import { InvalidBatchError } from "./errors";
import { buildMerkleTree, compareBytes32, getMerkleProof } from "./merkle";
import { type Receipt, getReceiptLeafBytes } from "./receipt";

/** The Merkle batch of a set of receipts. */
export type BuildReceiptBatchReturnType = {
  /** Merkle root (the `root` of the signed `ReceiptBatch`). */
  root: Hex;
  /** Number of receipts (the `count`). */
  count: number;
  /** Receipts in leaf order (ascending leaf hash, as StandardMerkleTree sorts them). */
  receipts: Receipt[];
  /** For each leaf, the index of its receipt in the input array. */
  order: number[];
  /** Leaf hashes in leaf order. */
  leaves: Hex[];
  /** Proof of each leaf, in leaf order (`proofs[i]` proves `receipts[i]`). */
  proofs: Hex[][];
};

/**
 * Builds the Merkle batch of receipts exactly like
 * `StandardMerkleTree.of(receipts.map(r => [getReceiptStructHash(r)]), ["bytes32"])` (leaves sorted by hash).
 * Throws {@link InvalidBatchError} on an empty batch or a receipt given twice.
 */
export function buildReceiptBatch(receipts: readonly Receipt[]): BuildReceiptBatchReturnType {
  if (receipts.length === 0) throw new InvalidBatchError("A batch needs at least one receipt.");
  if (receipts.length > 0xffffffff) throw new InvalidBatchError("A batch holds at most 2^32-1 receipts.");
  const hashed = receipts.map((receipt, index) => ({ leaf: getReceiptLeafBytes(receipt), index }));
  hashed.sort((a, b) => compareBytes32(a.leaf, b.leaf));
  for (let i = 1; i < hashed.length; i++) {
    if (compareBytes32(hashed[i - 1]!.leaf, hashed[i]!.leaf) === 0) {
      throw new InvalidBatchError("A receipt appears twice in the batch.", {
        details: `receipts ${hashed[i - 1]!.index} and ${hashed[i]!.index} are identical`,
      });
    }
  }
  const leaves = hashed.map((h) => h.leaf);
  const tree = buildMerkleTree(leaves);
  return {
    root: toHex(tree[0]!),
    count: receipts.length,
    receipts: hashed.map((h) => receipts[h.index]!),
    order: hashed.map((h) => h.index),
    leaves: leaves.map(toHex),
    proofs: leaves.map((_, i) => getMerkleProof(tree, i).map(toHex)),
  };
}
