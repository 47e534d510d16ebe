import type { Address, Hex } from "viem";
import { keccak256Bytes, keccak256Into } from "./keccak";
import { fromHex, toHex, writeHex, writeUint256 } from "./bytes";
import { type GetVerityDomainParameters, RECEIPT_TYPEHASH, getDomainSeparator, getTypedDataDigest } from "./domain";

/** An inference receipt: the EIP-712 `InferenceReceipt` message. */
export type Receipt = {
  /** On-chain request id, or a client-chosen id for off-chain requests. */
  requestId: Hex;
  /** keccak256 of the model artifact bytes. */
  modelId: Hex;
  /** {@link getTensorHash} of the input tensor. */
  inputHash: Hex;
  /** {@link getTensorHash} of the output tensor. */
  outputHash: Hex;
  /** Merkle root of the per-layer trace (EXACT runtimes), zero otherwise. */
  traceRoot: Hex;
  /** The node's operator address (not its signer key). */
  node: Address;
  /** Unix seconds at which the node issued the receipt (uint64). */
  issuedAt: bigint;
};

const RECEIPT_TYPEHASH_BYTES = fromHex(RECEIPT_TYPEHASH);
const UINT64_MAX = (1n << 64n) - 1n;

/** Writes `abi.encode(RECEIPT_TYPEHASH, ...fields)` (256 bytes) into `buffer`, which must be all zeros. */
function encodeReceiptStruct(receipt: Receipt, buffer: Uint8Array): void {
  buffer.set(RECEIPT_TYPEHASH_BYTES, 0);
  writeHex(buffer, 32, receipt.requestId, 32);
  writeHex(buffer, 64, receipt.modelId, 32);
  writeHex(buffer, 96, receipt.inputHash, 32);
  writeHex(buffer, 128, receipt.outputHash, 32);
  writeHex(buffer, 160, receipt.traceRoot, 32);
  writeHex(buffer, 192, receipt.node, 32);
  if (receipt.issuedAt < 0n || receipt.issuedAt > UINT64_MAX) throw new RangeError("issuedAt is not a uint64");
  writeUint256(buffer, 224, receipt.issuedAt);
}

/** The EIP-712 struct hash of a receipt as 32 bytes (hot path; no hex round-trip). */
export function getReceiptStructHashBytes(receipt: Receipt): Uint8Array {
  const buffer = new Uint8Array(8 * 32);
  encodeReceiptStruct(receipt, buffer);
  keccak256Into(buffer, 0, 256, buffer, 0);
  return buffer.slice(0, 32);
}

const leafScratch = new Uint8Array(8 * 32);

/** Writes the Merkle leaf of a receipt (see {@link getReceiptLeaf}) into `out` at `offset`, allocating nothing. */
export function writeReceiptLeaf(receipt: Receipt, out: Uint8Array, offset: number): void {
  leafScratch.fill(0);
  encodeReceiptStruct(receipt, leafScratch);
  keccak256Into(leafScratch, 0, 256, leafScratch, 0);
  keccak256Into(leafScratch, 0, 32, leafScratch, 0);
  keccak256Into(leafScratch, 0, 32, out, offset);
}

/** The EIP-712 struct hash of a receipt: `keccak256(abi.encode(RECEIPT_TYPEHASH, ...fields))`. */
export function getReceiptStructHash(receipt: Receipt): Hex {
  return toHex(getReceiptStructHashBytes(receipt));
}

/** The EIP-712 digest a node signs for a single receipt, as 32 bytes (hot path). */
export function getReceiptDigestBytes(receipt: Receipt, domain: GetVerityDomainParameters): Uint8Array {
  return getTypedDataDigest(getDomainSeparator(domain), getReceiptStructHashBytes(receipt));
}

/** The EIP-712 digest a node signs for a single receipt. */
export function getReceiptDigest(receipt: Receipt, domain: GetVerityDomainParameters): Hex {
  return toHex(getReceiptDigestBytes(receipt, domain));
}

/** `keccak256(bytes.concat(keccak256(abi.encode(structHash))))`: the StandardMerkleTree leaf of a 32-byte value. */
export function getBytes32LeafBytes(value: Uint8Array): Uint8Array {
  return keccak256Bytes(keccak256Bytes(value));
}

/** The Merkle leaf of a receipt as bytes (hot path). */
export function getReceiptLeafBytes(receipt: Receipt): Uint8Array {
  const leaf = new Uint8Array(32);
  writeReceiptLeaf(receipt, leaf, 0);
  return leaf;
}

/**
 * The Merkle leaf of a receipt: `keccak256(bytes.concat(keccak256(abi.encode(structHash))))`, the same as
 * `StandardMerkleTree.of([[structHash]], ["bytes32"])` of @openzeppelin/merkle-tree.
 */
export function getReceiptLeaf(receipt: Receipt): Hex {
  return toHex(getReceiptLeafBytes(receipt));
}
