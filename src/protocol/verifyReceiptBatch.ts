import type { Address, Hex } from "viem";
import { type ReceiptBatch, getBatchDigestBytes } from "./batch";
import { equalBytes, fromHex, toHex } from "./bytes";
import type { GetVerityDomainParameters } from "./domain";
import { InvalidBatchError } from "./errors";
import { getMerkleRootFlat, isStrictlyAscending } from "./merkle";
import { type Receipt, writeReceiptLeaf } from "./receipt";
import { type Secp256k1Engine, secp256k1 } from "./secp256k1";

/** Parameters of {@link verifyReceiptBatch}. */
export type VerifyReceiptBatchParameters = {
  /** Every receipt of the batch, in any order. */
  receipts: readonly Receipt[];
  /** The signed header (root, count and node are checked against the receipts). */
  batch: ReceiptBatch;
  domain: GetVerityDomainParameters;
  /** The node's signature over the header. */
  signature: Hex;
  /** Which secp256k1 implementation recovers the signer (the one in use unless a benchmark says otherwise). */
  engine?: Secp256k1Engine;
};

/**
 * Checks a whole batch at once: every receipt names the batch's node, the receipts are exactly `count` distinct
 * leaves whose tree (re-derived level by level, {@link getMerkleRootFlat}) has the signed root, so each one is
 * included; and recovers the header's signer once (low-s enforced). Returns the signer: checking it against the
 * node's registered key is the caller's job. Throws {@link InvalidBatchError} or `InvalidSignatureError`.
 */
export async function verifyReceiptBatch({
  receipts,
  batch,
  domain,
  signature,
  engine = secp256k1,
}: VerifyReceiptBatchParameters): Promise<Address> {
  const count = receipts.length;
  if (count === 0) throw new InvalidBatchError("A batch needs at least one receipt.");
  if (count !== batch.count) {
    throw new InvalidBatchError("Batch count does not match its receipts.", {
      details: `count ${batch.count}, ${count} receipts`,
    });
  }
  const node = batch.node.toLowerCase();
  let leaves: Uint8Array = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) {
    const receipt = receipts[i]!;
    if (receipt.node.toLowerCase() !== node) {
      throw new InvalidBatchError("Receipt belongs to another node.", { details: `receipt ${i}` });
    }
    writeReceiptLeaf(receipt, leaves, i * 32);
  }
  if (!isStrictlyAscending(leaves, count)) leaves = sortLeaves(leaves, count);
  const root = getMerkleRootFlat(leaves, count);
  if (!equalBytes(root, fromHex(batch.root))) {
    throw new InvalidBatchError("Batch root does not match its receipts.", {
      details: `computed ${toHex(root)}, signed ${batch.root}`,
    });
  }
  return engine.recoverDigestSigner(getBatchDigestBytes(batch, domain), signature);
}

/** The leaves in ascending order (the tree's leaf order); a leaf given twice is an {@link InvalidBatchError}. */
function sortLeaves(leaves: Uint8Array, count: number): Uint8Array {
  const keys = new Array<string>(count);
  for (let i = 0; i < count; i++) keys[i] = toHex(leaves.subarray(i * 32, i * 32 + 32));
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const sorted = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) {
    if (i > 0 && keys[order[i]!] === keys[order[i - 1]!]) {
      throw new InvalidBatchError("A receipt appears twice in the batch.", { details: `leaf ${keys[order[i]!]}` });
    }
    sorted.set(leaves.subarray(order[i]! * 32, order[i]! * 32 + 32), i * 32);
  }
  return sorted;
}
