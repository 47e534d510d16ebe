import type { Address, Hex } from "viem";
import { type ReceiptBatch } from "./batch";
import { type BatchFile, getBatchDataHash } from "./batchFile";
import { fromHex, toHex } from "./bytes";
import { decodeTensor } from "./decodeTensor";
import type { GetVerityDomainParameters } from "./domain";
import { InvalidBatchError } from "./errors";
import { getTensorHash } from "./getTensorHash";
import { getMerkleRootFlat, isStrictlyAscending } from "./merkle";
import { writeReceiptLeaf } from "./receipt";
import { recoverBatchSigner } from "./recoverBatchSigner";

/** Parameters of {@link verifyBatchFile}. */
export type VerifyBatchFileParameters = {
  file: BatchFile;
  domain: GetVerityDomainParameters;
  /** The node's signature over the `ReceiptBatch` header. */
  signature: Hex;
  /** If given, the root the chain holds for this batch. */
  expectedRoot?: Hex | undefined;
};

/** What {@link verifyBatchFile} established. */
export type VerifyBatchFileReturnType = { batch: ReceiptBatch; signer: Address };

/**
 * Recomputes a batch from its file: every leaf (entries must be in strictly ascending leaf order), the root, the
 * count and the data hash; checks every inline input/output hashes to the receipt's inputHash/outputHash; recovers
 * the signer of the header (low-s enforced). The tree is re-derived level by level ({@link getMerkleRootFlat}). Throws {@link InvalidBatchError} or `InvalidSignatureError`.
 * Checking the signer against the node's registered key is the caller's job (it needs the chain).
 */
export async function verifyBatchFile({
  file,
  domain,
  signature,
  expectedRoot,
}: VerifyBatchFileParameters): Promise<VerifyBatchFileReturnType> {
  const count = file.entries.length;
  const leaves = new Uint8Array(count * 32);
  const node = file.node.toLowerCase();
  for (let i = 0; i < count; i++) {
    const entry = file.entries[i]!;
    if (entry.receipt.node.toLowerCase() !== node) {
      throw new InvalidBatchError("Receipt belongs to another node.", { details: `entry ${i}` });
    }
    writeReceiptLeaf(entry.receipt, leaves, i * 32);
    if (i > 0 && !isStrictlyAscending(leaves.subarray((i - 1) * 32, (i + 1) * 32), 2)) {
      throw new InvalidBatchError("Batch entries are not in strictly ascending leaf order.", { details: `entry ${i}` });
    }
    for (const side of ["input", "output"] as const) {
      const reference = entry[side];
      if ("encoding" in reference) {
        const hash = getTensorHash(decodeTensor(fromHex(reference.encoding)));
        const expected = side === "input" ? entry.receipt.inputHash : entry.receipt.outputHash;
        if (hash !== expected.toLowerCase()) {
          throw new InvalidBatchError(`Inline ${side} does not hash to the receipt's ${side}Hash.`, {
            details: `entry ${i}: ${hash} != ${expected}`,
          });
        }
      }
    }
  }
  if (count === 0) throw new InvalidBatchError("A batch needs at least one receipt.");
  const root = toHex(getMerkleRootFlat(leaves, count));
  if (expectedRoot !== undefined && root !== expectedRoot.toLowerCase()) {
    throw new InvalidBatchError("Batch root does not match.", {
      details: `computed ${root}, expected ${expectedRoot}`,
    });
  }
  const batch: ReceiptBatch = {
    node: file.node,
    sequence: file.sequence,
    root,
    count,
    dataHash: getBatchDataHash(file),
  };
  const signer = await recoverBatchSigner({ batch, domain, signature });
  return { batch, signer };
}
