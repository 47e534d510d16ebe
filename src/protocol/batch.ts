import type { Address, Hex } from "viem";
import { keccak256Bytes } from "./keccak";
import { fromHex, toHex, writeHex, writeUint256 } from "./bytes";
import { BATCH_TYPEHASH, type GetVerityDomainParameters, getDomainSeparator, getTypedDataDigest } from "./domain";

/** A receipt batch header: the EIP-712 `ReceiptBatch` message. */
export type ReceiptBatch = {
  /** The node's operator address. */
  node: Address;
  /** Per-node strictly increasing sequence number (uint64). */
  sequence: bigint;
  /** Merkle root over the receipt leaves. */
  root: Hex;
  /** Number of receipts (uint32). */
  count: number;
  /** {@link getBatchDataHash} of the batch file. */
  dataHash: Hex;
};

const BATCH_TYPEHASH_BYTES = fromHex(BATCH_TYPEHASH);

/** The EIP-712 struct hash of a batch header as bytes. */
export function getBatchStructHashBytes(batch: ReceiptBatch): Uint8Array {
  if (batch.sequence < 0n || batch.sequence >= 1n << 64n) throw new RangeError("sequence is not a uint64");
  if (!Number.isInteger(batch.count) || batch.count < 0 || batch.count > 0xffffffff) {
    throw new RangeError("count is not a uint32");
  }
  const buffer = new Uint8Array(6 * 32);
  buffer.set(BATCH_TYPEHASH_BYTES, 0);
  writeHex(buffer, 32, batch.node, 32);
  writeUint256(buffer, 64, batch.sequence);
  writeHex(buffer, 96, batch.root, 32);
  writeUint256(buffer, 128, batch.count);
  writeHex(buffer, 160, batch.dataHash, 32);
  return keccak256Bytes(buffer);
}

/** The EIP-712 struct hash of a batch header. */
export function getBatchStructHash(batch: ReceiptBatch): Hex {
  return toHex(getBatchStructHashBytes(batch));
}

/** The EIP-712 digest a node signs for a batch, as 32 bytes. */
export function getBatchDigestBytes(batch: ReceiptBatch, domain: GetVerityDomainParameters): Uint8Array {
  return getTypedDataDigest(getDomainSeparator(domain), getBatchStructHashBytes(batch));
}

/** The EIP-712 digest a node signs for a batch. */
export function getBatchDigest(batch: ReceiptBatch, domain: GetVerityDomainParameters): Hex {
  return toHex(getBatchDigestBytes(batch, domain));
}
